//! JSON body extractors for the two APIs. Unlike `axum::Json` they never answer 415 or 422: the
//! body is parsed whatever the `Content-Type` says (some clients omit it), malformed JSON and a body
//! of the wrong shape become a 400 `invalid_request_error`, an oversized body a 413, each in the
//! API's own error format. Unknown fields are ignored by the request types themselves.

use axum::extract::{FromRequest, Request};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::api::error::{AnthropicError, ApiError, ApiErrorKind, OpenAiError};

/// Parses a request body as `T`, with errors that say what is wrong and where.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_request(
            "The request body is empty; expected a JSON object.",
        ));
    }
    serde_json::from_slice(body).map_err(|error| {
        let message = if error.is_data() {
            format!("The request body has an invalid shape: {error}")
        } else {
            format!("The request body is not valid JSON: {error}")
        };
        ApiError::invalid_request(message)
    })
}

/// Reads the whole body, mapping axum's rejections (mostly the body-size limit) to our errors.
async fn read_body<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state).await.map_err(|rejection| {
        if rejection.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::request_too_large("The request body is larger than Taiji Gateway accepts.")
        } else if caused_by_timeout(&rejection) {
            ApiError::new(
                ApiErrorKind::RequestTimeout,
                "The request body stopped arriving; send the whole body without long pauses.",
            )
        } else {
            ApiError::invalid_request(format!("Failed to read the request body: {rejection}"))
        }
    })
}

/// Whether the body failed because the gateway's body read timeout fired.
fn caused_by_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(current) = source {
        if current.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = current.source();
    }
    false
}

/// A JSON body whose rejection is rendered in OpenAI's error format.
#[derive(Debug, Clone)]
pub struct OpenAiJson<T>(pub T);

/// A JSON body whose rejection is rendered in Anthropic's error format.
#[derive(Debug, Clone)]
pub struct AnthropicJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for OpenAiJson<T> {
    type Rejection = OpenAiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = read_body(request, state).await?;
        Ok(Self(parse_json(&body)?))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AnthropicJson<T> {
    type Rejection = AnthropicError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = read_body(request, state).await?;
        Ok(Self(parse_json(&body)?))
    }
}
