//! The `server_name_session` stickiness cookie (§2.3): set when a request lacks it, never required.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

const COOKIE_NAME: &str = "server_name_session";

pub async fn set_stickiness_cookie(request: Request, next: Next) -> Response {
    let has_cookie = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(';').any(|c| c.trim_start().starts_with(COOKIE_NAME)));
    let mut response = next.run(request).await;
    if !has_cookie {
        let value: u128 = rand::random();
        let cookie = format!("{COOKIE_NAME}={value:032x}; Path=/; HttpOnly");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
