//! The site's JSON envelope `{code, data, msg}` and its paged-list shape (taiji-protocol.md §2.1).

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// Code of a business error ("账号或密码错误", "无效参数的对话请求", …).
pub const CODE_ERROR: i64 = 1;
/// Code the site uses for an expired or missing login.
pub const CODE_LOGIN_EXPIRED: i64 = 2;

pub const MSG_LOGIN_EXPIRED: &str = "登录已过期";
pub const MSG_BAD_SESSION: &str = "无效参数的对话请求";

/// Handlers answer either a success or an error response; both are plain `Response`s.
pub type Reply = Result<Response, Response>;

/// `{"code":0,"data":<data>,"msg":""}` with HTTP 200.
pub fn ok(data: impl Serialize) -> Response {
    Json(json!({"code": 0, "data": data, "msg": ""})).into_response()
}

/// A business error: HTTP 200 with `code != 0`, `data: null` and a Chinese message.
pub fn error(code: i64, msg: impl Into<String>) -> Response {
    Json(json!({"code": code, "data": null, "msg": msg.into()})).into_response()
}

pub fn login_expired() -> Response {
    error(CODE_LOGIN_EXPIRED, MSG_LOGIN_EXPIRED)
}

pub fn bad_session() -> Response {
    error(CODE_ERROR, MSG_BAD_SESSION)
}

/// One page of `items` (already in display order) in the §2.1 shape; `page` counts from 1.
pub fn paged<T: Serialize>(items: &[T], page: usize, size: usize) -> Value {
    let page = page.max(1);
    let total = items.len();
    let pages = total.div_ceil(size);
    let records: Vec<&T> = items.iter().skip((page - 1) * size).take(size).collect();
    json!({
        "page": page, "size": size, "search": null, "asc": false,
        "total": total, "pages": pages, "records": records,
    })
}

/// The `page` query parameter; anything missing or unparsable means the first page, as lenient servers do.
pub fn page_param(query: &std::collections::HashMap<String, String>) -> usize {
    query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}
