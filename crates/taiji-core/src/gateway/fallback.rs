//! Answers for what the gateway does not serve: unknown paths (404) and wrong methods (405) in the
//! format of the API the path belongs to (Anthropic's below `/messages`, else OpenAI's), and a clear 404 for the Responses API, which Cherry Studio calls when the
//! provider type is "OpenAI-Response".

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use http::{HeaderMap, StatusCode, Uri};

use super::audit::{LogNote, reject};
use super::flavor::flavor_for;
use super::state::AppState;
use crate::api::ApiFlavor;
use crate::api::error::ApiError;

/// The routes that exist only to say "not here".
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/responses", any(responses_api))
        .route("/v1/responses/{*rest}", any(responses_api))
        .route("/v1/v1/responses", any(responses_api))
        .route("/responses", any(responses_api))
}

async fn responses_api() -> Response {
    let error = ApiError::not_found(
        "The OpenAI Responses API (/v1/responses) is not supported by Taiji Gateway. Use Chat \
         Completions (/v1/chat/completions); in Cherry Studio, set the provider type to \"OpenAI\" \
         rather than \"OpenAI-Response\".",
    );
    reject(ApiFlavor::OpenAi, error, LogNote::anonymous())
}

/// Any unknown path.
pub(crate) async fn not_found(uri: Uri, headers: HeaderMap) -> Response {
    let path: String = uri.path().chars().take(200).collect();
    let error = ApiError::not_found(format!(
        "Unknown path `{path}`. Taiji Gateway serves /v1/chat/completions, /v1/messages, \
         /v1/messages/count_tokens, /v1/models and /health."
    ));
    reject(flavor_for(uri.path(), &headers), error, LogNote::anonymous())
}

/// A known path with the wrong method.
pub(crate) async fn method_not_allowed(uri: Uri, headers: HeaderMap) -> Response {
    let path: String = uri.path().chars().take(200).collect();
    let error = ApiError::invalid_request(format!("Method not allowed on `{path}`."));
    let mut response = reject(flavor_for(uri.path(), &headers), error, LogNote::anonymous());
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response.into_response()
}
