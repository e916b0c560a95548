//! `POST /v1/messages` and `POST /v1/messages/count_tokens`: the Anthropic Messages routes. Claude
//! Code adds `?beta=true`; the query is ignored (the path decides). Any `anthropic-version` and
//! `anthropic-beta` are accepted. `/v1/messages` states what Anthropic's request contributes to the
//! shared chat route ([`chat::ChatRoute`]).

use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Json, Router};

use super::access::Caller;
use super::audit::{LogNote, NoteOutcome, reject, with_note};
use super::chat::{self, ChatRoute, Validated, Wire};
use super::state::AppState;
use crate::api::ApiFlavor;
use crate::api::anthropic::validate::validate_common;
use crate::api::anthropic::{
    CountTokensResponse, MessageMeta, MessagesRequest, count_anthropic_tokens, to_transcript, tool_config,
    validate_options,
};
use crate::api::error::{AnthropicError, ApiError};
use crate::api::extract::AnthropicJson;
use crate::api::tools::ToolConfig;
use crate::prompt::Transcript;

/// The canonical endpoints.
const MESSAGES: &str = "/v1/messages";
const COUNT_TOKENS: &str = "/v1/messages/count_tokens";

/// The Anthropic routes (mounted under `/v1` and its aliases).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/messages", post(messages))
        .route("/messages/count_tokens", post(count_tokens))
}

async fn messages(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    body: Result<AnthropicJson<MessagesRequest>, AnthropicError>,
) -> Response {
    let body = body
        .map(|AnthropicJson(request)| request)
        .map_err(|AnthropicError(error)| error);
    chat::handle(&state, caller, body).await
}

impl ChatRoute for MessagesRequest {
    type Extra = ();
    const ENDPOINT: &'static str = MESSAGES;
    const FLAVOR: ApiFlavor = ApiFlavor::Anthropic;

    fn requested_model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    fn wants_stream(&self) -> bool {
        self.stream.unwrap_or(false)
    }

    fn validate(&self) -> Result<Validated<()>, ApiError> {
        let options = validate_options(self)?;
        Ok(Validated {
            model: options.model,
            stream: options.stream,
            limits: options.limits,
            extra: (),
        })
    }

    fn transcript(&self) -> Result<Transcript, ApiError> {
        to_transcript(self)
    }

    fn tools(&self) -> ToolConfig {
        tool_config(self)
    }

    /// Claude Code sends its effort as `output_config.effort`.
    fn reasoning_effort(&self) -> Option<String> {
        self.output_config
            .as_ref()
            .and_then(|config| config.get("effort"))
            .and_then(|effort| effort.as_str())
            .map(str::to_owned)
    }

    /// A stream's `message_start` announces the input tokens, so its request is kept to be
    /// counted beside the upstream call.
    async fn into_wire(self, _state: &AppState, validated: &Validated<()>) -> Result<Wire, ApiError> {
        Ok(Wire::Anthropic {
            meta: MessageMeta::fresh(&validated.model),
            to_count: validated.stream.then(|| Box::new(self)),
        })
    }
}

/// An honest estimate of the input tokens, without the upstream (Claude Code calls this often, so
/// it neither signs in nor resolves the model).
async fn count_tokens(
    State(state): State<AppState>,
    body: Result<AnthropicJson<MessagesRequest>, AnthropicError>,
) -> Response {
    let note = LogNote::new(COUNT_TOKENS, NoteOutcome::Served);
    let request = match body {
        Ok(AnthropicJson(request)) => request,
        Err(AnthropicError(error)) => return reject(ApiFlavor::Anthropic, error, note),
    };
    let note = note.with_model(request.model.as_deref());
    if let Err(error) = validate_common(&request) {
        return reject(ApiFlavor::Anthropic, error, note);
    }
    match estimate(&state, request).await {
        Ok(input_tokens) => with_note(Json(CountTokensResponse { input_tokens }), note),
        Err(error) => reject(ApiFlavor::Anthropic, error, note),
    }
}

/// Counts a request's input tokens off the async threads: Claude Code's prompts are large.
async fn estimate(state: &AppState, request: MessagesRequest) -> Result<u64, ApiError> {
    let estimator = state.core.token_estimator().clone();
    tokio::task::spawn_blocking(move || count_anthropic_tokens(&estimator, &request))
        .await
        .map_err(|error| {
            tracing::error!(%error, "counting tokens failed");
            ApiError::internal()
        })
}
