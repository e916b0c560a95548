//! The site's own web front end, as far as a client needs it: `GET /` is the single-page app's HTML, which
//! loads one JS bundle under `/assets/`, and that bundle carries the front-end version the app sends as
//! `x-app-version` (taiji-protocol.md §1, §2.2). Clients read the version from here when the site refuses
//! an old one; the real bundle is minified, so the simulator's is a small stand-in with the same shape.
//!
//! Also the old-version refusal mode ([`crate::SimConfig::refuse_old_app_version`]).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::envelope::{self, CODE_ERROR};
use crate::state::SimState;

/// The bundle's path; hashed like a Vite build, fixed so tests can name it.
pub const BUNDLE_PATH: &str = "/assets/index-7f3c2a9e.js";

/// The refusal of an outdated front end. The wording is a guess (the protocol notes only record that
/// siblings answer "…version…" errors); clients should match on "版本" / "version", not on the full text.
pub const MSG_OLD_VERSION: &str = "当前客户端版本过低，请刷新页面更新到最新版本";

/// `GET /`: the app shell.
pub async fn index(State(state): State<Arc<SimState>>) -> Response {
    let version = state.catalog.version().app_version();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"UTF-8\" />\n\
         <title>太极AI</title>\n<script type=\"module\" crossorigin src=\"{BUNDLE_PATH}\"></script>\n\
         <link rel=\"stylesheet\" crossorigin href=\"/assets/index-1b2d.css\">\n</head>\n\
         <body><div id=\"app\"></div><!-- build {version} --></body>\n</html>\n"
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// `GET /assets/index-….js`: the bundle, with the version where the app's HTTP client sets its headers.
pub async fn bundle(State(state): State<Arc<SimState>>) -> Response {
    let version = state.catalog.version().app_version();
    let js = format!(
        "import{{a as x}}from\"./vendor-5d1e.js\";const Re=\"{version}\";\
         const ie=x.create({{baseURL:\"/api\",timeout:6e5,headers:{{\"X-App-Version\":Re,\"X-Locale\":\"zh-CN\"}}}});\
         export{{ie as h}};\n"
    );
    (
        [(header::CONTENT_TYPE, "application/javascript; charset=utf-8")],
        js,
    )
        .into_response()
}

/// Refuses `/api/*` calls whose `x-app-version` is older than the dialect's, when the mode is on.
pub async fn refuse_old_version(
    State(state): State<Arc<SimState>>,
    request: Request,
    next: Next,
) -> Response {
    if state.config.refuse_old_app_version && request.uri().path().starts_with("/api/") {
        let sent = request
            .headers()
            .get("x-app-version")
            .and_then(|v| v.to_str().ok())
            .map(parse_version)
            .unwrap_or_default();
        if sent < parse_version(state.catalog.version().app_version()) {
            state.control.update(|s| s.old_version_refusals += 1);
            return envelope::error(CODE_ERROR, MSG_OLD_VERSION);
        }
    }
    next.run(request).await
}

/// `3.4.0` → `[3, 4, 0]`; anything unparsable counts as 0, so it is older than every release.
fn parse_version(text: &str) -> Vec<u64> {
    text.trim()
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    #[test]
    fn versions_compare_numerically() {
        assert!(parse_version("2.16.0") < parse_version("3.4.0"));
        assert!(parse_version("3.10.0") > parse_version("3.4.0"));
        assert!(parse_version("") < parse_version("2.16.0"));
        assert!(parse_version("3.4.0") >= parse_version("3.4.0"));
    }
}
