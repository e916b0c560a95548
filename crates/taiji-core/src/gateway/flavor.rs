//! Which API's error format a request expects, for the layers that answer before a handler runs
//! (API key, `Host` check, unknown routes) and for the routes both APIs share (`/v1/models`).

use http::HeaderMap;

use crate::api::ApiFlavor;

/// The flavor of a request: the Messages routes are Anthropic's and the chat completions route is
/// OpenAI's; for anything else (the shared model list, unknown paths) a request carrying
/// `anthropic-version` comes from an Anthropic client (the SDKs and Claude Code always send it),
/// and everything else gets OpenAI's format, the one most generic clients understand.
pub(crate) fn flavor_for(path: &str, headers: &HeaderMap) -> ApiFlavor {
    // Also unknown paths below `/messages` (`GET /v1/messages/batches`): only Anthropic clients
    // call there.
    if path.ends_with("/messages") || path.contains("/messages/") {
        ApiFlavor::Anthropic
    } else if path.ends_with("/chat/completions") {
        ApiFlavor::OpenAi
    } else if headers.contains_key("anthropic-version") {
        ApiFlavor::Anthropic
    } else {
        ApiFlavor::OpenAi
    }
}

/// The request-log `api` name of a flavor.
pub(crate) fn api_name(flavor: ApiFlavor) -> &'static str {
    match flavor {
        ApiFlavor::OpenAi => "openai",
        ApiFlavor::Anthropic => "anthropic",
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn routes_decide_and_headers_break_ties() {
        let none = HeaderMap::new();
        let mut anthropic = HeaderMap::new();
        anthropic.insert("anthropic-version", HeaderValue::from_static("2023-06-01"));
        assert_eq!(flavor_for("/v1/messages", &none), ApiFlavor::Anthropic);
        assert_eq!(flavor_for("/messages/count_tokens", &none), ApiFlavor::Anthropic);
        assert_eq!(flavor_for("/v1/messages/batches/x", &none), ApiFlavor::Anthropic);
        assert_eq!(flavor_for("/v1/chat/completions", &anthropic), ApiFlavor::OpenAi);
        assert_eq!(flavor_for("/v1/models", &none), ApiFlavor::OpenAi);
        assert_eq!(flavor_for("/v1/models", &anthropic), ApiFlavor::Anthropic);
    }
}
