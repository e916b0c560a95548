//! Who may use the local endpoint (issue 5): API keys on the API routes, the DNS-rebinding defence
//! on every route, browser requests only from allowed origins, and CORS on `/v1` only. Settings are read from the core on every request, so a
//! new key, a key that is no longer required or LAN mode apply at once.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use super::audit::{LogNote, reject, user_agent};
use super::flavor::flavor_for;
use super::state::AppState;
use crate::api::error::ApiError;

/// Who is calling, as far as the request log cares: the name of the key presented (never the key)
/// and the user agent. Put in the request extensions for handlers and in the response extensions
/// for the audit layer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Caller {
    /// The name of the matching API key.
    pub(crate) key_name: Option<String>,
    /// The client's user agent.
    pub(crate) user_agent: Option<String>,
}

/// Requires one of the configured API keys, as `Authorization: Bearer <key>` or `x-api-key: <key>`
/// (clients send either; Cherry Studio sends both), when the settings require keys. A matching key
/// is recorded by name even when keys are optional.
pub(crate) async fn require_api_key(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let key_name = presented_keys(request.headers()).find_map(|key| state.core.verify_api_key(key));
    let required = state
        .core
        .read_settings(|settings| settings.access.api_keys_required);
    if required && key_name.is_none() {
        let flavor = flavor_for(request.uri().path(), request.headers());
        return reject(flavor, ApiError::unauthenticated(), LogNote::anonymous());
    }
    let caller = Caller {
        key_name,
        user_agent: user_agent(request.headers()),
    };
    request.extensions_mut().insert(caller.clone());
    let mut response = next.run(request).await;
    response.extensions_mut().insert(caller);
    response
}

/// The keys a request presents, Bearer first.
fn presented_keys(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let api_key = headers
        .get("x-api-key")
        .and_then(|value| value.to_str().ok())
        .map(str::trim);
    bearer.into_iter().chain(api_key).filter(|key| !key.is_empty())
}

/// The DNS-rebinding defence: unless LAN mode is on, a request whose `Host` is not a loopback name
/// or the configured listen address is refused with a 403. A web page on `evil.example` whose DNS
/// name was re-pointed at 127.0.0.1 reaches our port, but its requests still say
/// `Host: evil.example`.
pub(crate) async fn check_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !has_one_host(&request) {
        let flavor = flavor_for(request.uri().path(), request.headers());
        let error = ApiError::invalid_request("The request must carry exactly one Host header.");
        return reject(flavor, error, LogNote::anonymous());
    }
    let (lan_mode, listen_host) = state
        .core
        .read_settings(|settings| (settings.access.lan_mode, settings.listen.host.clone()));
    if lan_mode {
        return next.run(request).await;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|authority| authority.to_string()));
    // Only HTTP/2 requests get here without a `Host` (see `has_one_host`).
    let allowed = host
        .as_deref()
        .is_none_or(|host| is_allowed_host(host, &listen_host));
    if allowed {
        return next.run(request).await;
    }
    let flavor = flavor_for(request.uri().path(), request.headers());
    let error = ApiError::forbidden(
        "This Host is not allowed. Taiji Gateway only answers requests addressed to localhost, \
         127.0.0.1, [::1] or its listen address; turn on LAN mode to allow other names.",
    );
    reject(flavor, error, LogNote::anonymous())
}

/// HTTP/1.1 requires exactly one `Host` (RFC 9112 §3.2); two of them are the classic way to make
/// a proxy and a server disagree about where a request goes. HTTP/2 carries the authority in the
/// request line instead, and may repeat it in at most one `Host`.
fn has_one_host(request: &Request) -> bool {
    let hosts = request.headers().get_all(header::HOST).iter().count();
    match request.version() {
        http::Version::HTTP_2 | http::Version::HTTP_3 => {
            hosts <= 1 && (hosts == 1 || request.uri().authority().is_some())
        }
        _ => hosts == 1,
    }
}

/// Whether a `Host` header value (with or without a port) names this machine's loopback or the
/// configured listen address.
fn is_allowed_host(host: &str, listen_host: &str) -> bool {
    let name = strip_port(host.trim()).trim_end_matches('.');
    let listen = listen_host.trim().trim_start_matches('[').trim_end_matches(']');
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || bare == "127.0.0.1"
        || bare == "::1"
        || (!listen.is_empty() && bare.eq_ignore_ascii_case(listen))
}

/// `host:port` → `host`; `[v6]:port` → `[v6]`; a bare IPv6 address stays whole.
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.find(']') {
            Some(end) => &host[..end + 2],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

/// The request headers the APIs read or clients are known to send (client-conformance §3.8), the
/// only ones a preflight allows; `x-stainless-*` is a family and is matched by prefix.
const ALLOWED_HEADERS: [&str; 8] = [
    "authorization",
    "content-type",
    "x-api-key",
    "anthropic-version",
    "anthropic-beta",
    "anthropic-dangerous-direct-browser-access",
    "http-referer",
    "x-title",
];

/// The origin of Electron apps that load their pages from disk (Cherry Studio desktop, when it sends
/// an `Origin` at all). No web page can claim it; the `null` origin, by contrast, is what any page's
/// sandboxed iframe sends, so it is only allowed when listed.
const FILE_ORIGIN: &str = "file://";

/// Browser requests and CORS (client-conformance §3.8). A request with an `Origin` header comes
/// from a browser page; unless that origin is in `access.allowed_origins` (or is the `file://` of a
/// desktop app) it is refused with a 403 on every path before anything is processed, because
/// without an API key any page the user visits could otherwise spend the user's points with a
/// "simple" `text/plain` POST that needs no preflight. Allowed origins get their own origin back in
/// `Access-Control-Allow-Origin` on `/v1` (never `*`), and preflights allow only the headers the
/// API uses. Requests without an `Origin` (SDKs, Claude Code, curl) pass untouched.
pub(crate) async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let path = request.uri().path();
    let on_api = path == "/v1" || path.starts_with("/v1/");
    let is_preflight = request.method() == Method::OPTIONS;
    let Some(origin) = origin else {
        if on_api && is_preflight {
            return preflight(None, request.headers());
        }
        return next.run(request).await;
    };
    let allowed = origin.to_str().is_ok_and(|origin| {
        origin == FILE_ORIGIN
            || state.core.read_settings(|settings| {
                settings
                    .access
                    .allowed_origins
                    .iter()
                    .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin))
            })
    });
    if !allowed {
        let flavor = flavor_for(path, request.headers());
        let error = ApiError::forbidden(
            "Requests from web pages are refused: this origin is not in Taiji Gateway's allowed \
             origins (settings: access.allowed_origins).",
        );
        return reject(flavor, error, LogNote::anonymous());
    }
    if !on_api {
        return next.run(request).await;
    }
    if is_preflight {
        return preflight(Some(origin), request.headers());
    }
    let mut response = next.run(request).await;
    allow_origin(response.headers_mut(), origin);
    response
}

/// A 204 preflight answer: the allowed methods, and of the requested headers those the API uses
/// (all of them when none were named).
fn preflight(origin: Option<HeaderValue>, request_headers: &HeaderMap) -> Response {
    let requested = request_headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|value| value.to_str().ok());
    let allow_headers = match requested {
        Some(requested) => requested
            .split(',')
            .map(|name| name.trim().to_ascii_lowercase())
            .filter(|name| ALLOWED_HEADERS.contains(&name.as_str()) || name.starts_with("x-stainless-"))
            .collect::<Vec<_>>()
            .join(", "),
        None => ALLOWED_HEADERS.join(", "),
    };
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    if let Some(origin) = origin {
        allow_origin(headers, origin);
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    if let Ok(value) = HeaderValue::from_str(&allow_headers) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, value);
    }
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    response
}

fn allow_origin(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.append(header::VARY, HeaderValue::from_static("origin"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_the_listen_address_are_allowed() {
        for host in [
            "localhost",
            "localhost:8760",
            "LOCALHOST:1",
            "127.0.0.1",
            "127.0.0.1:8760",
            "[::1]",
            "[::1]:8760",
            "localhost.:8760",
        ] {
            assert!(is_allowed_host(host, "127.0.0.1"), "{host}");
        }
        assert!(is_allowed_host("192.168.1.5:8760", "192.168.1.5"));
        assert!(is_allowed_host("[fe80::1]:8760", "fe80::1"));
        for host in [
            "evil.example",
            "evil.example:8760",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "192.168.1.5:8760",
            "",
        ] {
            assert!(!is_allowed_host(host, "127.0.0.1"), "{host}");
        }
    }

    #[test]
    fn both_key_headers_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer  k1 "));
        headers.insert("x-api-key", HeaderValue::from_static("k2"));
        assert_eq!(presented_keys(&headers).collect::<Vec<_>>(), ["k1", "k2"]);
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(presented_keys(&headers).count(), 0);
    }
}
