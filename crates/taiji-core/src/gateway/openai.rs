//! `POST /v1/chat/completions`: the OpenAI Chat Completions route. States what OpenAI's request
//! contributes to the shared chat route ([`chat::ChatRoute`]): its validation, conversion, reasoning
//! level and answer format.

use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};

use super::access::Caller;
use super::chat::{self, ChatRoute, Validated, Wire};
use super::state::AppState;
use crate::api::ApiFlavor;
use crate::api::error::{ApiError, OpenAiError};
use crate::api::extract::OpenAiJson;
use crate::api::openai::{ChatCompletionRequest, ResponseMeta, to_transcript, tool_config, validate_options};
use crate::api::tools::ToolConfig;
use crate::prompt::Transcript;

/// The OpenAI routes (mounted under `/v1` and its aliases).
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/chat/completions", post(chat_completions))
}

async fn chat_completions(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    body: Result<OpenAiJson<ChatCompletionRequest>, OpenAiError>,
) -> Response {
    let body = body
        .map(|OpenAiJson(request)| request)
        .map_err(|OpenAiError(error)| error);
    chat::handle(&state, caller, body).await
}

impl ChatRoute for ChatCompletionRequest {
    /// `stream_options.include_usage`.
    type Extra = bool;
    const ENDPOINT: &'static str = "/v1/chat/completions";
    const FLAVOR: ApiFlavor = ApiFlavor::OpenAi;

    fn requested_model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    fn wants_stream(&self) -> bool {
        self.stream.unwrap_or(false)
    }

    fn validate(&self) -> Result<Validated<bool>, ApiError> {
        let options = validate_options(self)?;
        Ok(Validated {
            model: options.model,
            stream: options.stream,
            limits: options.limits,
            extra: options.include_usage,
        })
    }

    fn transcript(&self) -> Result<Transcript, ApiError> {
        to_transcript(self)
    }

    fn tools(&self) -> ToolConfig {
        tool_config(self)
    }

    fn reasoning_effort(&self) -> Option<String> {
        self.reasoning_effort
            .as_ref()
            .and_then(|effort| effort.as_str())
            .map(str::to_owned)
    }

    async fn into_wire(self, _state: &AppState, validated: &Validated<bool>) -> Result<Wire, ApiError> {
        Ok(Wire::OpenAi {
            meta: ResponseMeta::fresh(&validated.model),
            include_usage: validated.extra,
        })
    }
}
