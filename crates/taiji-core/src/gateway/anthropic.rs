//! `POST /v1/messages` and `POST /v1/messages/count_tokens`: the Anthropic Messages routes. Claude
//! Code adds `?beta=true`; the query is ignored (the path decides). Any `anthropic-version` and
//! `anthropic-beta` are accepted.

use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Json, Router};

use super::access::Caller;
use super::audit::{LogNote, NoteOutcome, reject, with_note};
use super::chat::{self, ChatCall, Wire};
use super::state::AppState;
use crate::api::ApiFlavor;
use crate::api::anthropic::validate::validate_common;
use crate::api::anthropic::{
    CountTokensResponse, MessageMeta, MessagesRequest, count_anthropic_tokens, to_transcript, tool_config,
    validate_options,
};
use crate::api::error::{AnthropicError, ApiError};
use crate::api::extract::AnthropicJson;

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
    let note = LogNote::new(MESSAGES, NoteOutcome::Served);
    let request = match body {
        Ok(AnthropicJson(request)) => request,
        Err(AnthropicError(error)) => return reject(ApiFlavor::Anthropic, error, note),
    };
    let note = note
        .with_model(request.model.as_deref())
        .with_stream(request.stream.unwrap_or(false));
    let options = match validate_options(&request) {
        Ok(options) => options,
        Err(error) => return reject(ApiFlavor::Anthropic, error, note),
    };
    let transcript = match to_transcript(&request) {
        Ok(transcript) => transcript,
        Err(error) => return reject(ApiFlavor::Anthropic, error, note),
    };
    let tools = tool_config(&request);
    let effort = request
        .output_config
        .as_ref()
        .and_then(|config| config.get("effort"))
        .and_then(|effort| effort.as_str())
        .map(str::to_owned);
    let input_tokens_estimate = match estimate(&state, request).await {
        Ok(tokens) => tokens,
        Err(error) => return reject(ApiFlavor::Anthropic, error, note),
    };
    let wire = Wire::Anthropic {
        meta: MessageMeta::fresh(&options.model),
        input_tokens_estimate,
    };
    let call = ChatCall {
        endpoint: MESSAGES,
        model: options.model,
        stream: options.stream,
        limits: options.limits,
        transcript,
        tools,
        caller: caller.map(|Extension(caller)| caller).unwrap_or_default(),
        reasoning_effort: effort,
    };
    chat::run(&state, call, wire).await
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
