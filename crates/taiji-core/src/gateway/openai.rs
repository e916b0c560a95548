//! `POST /v1/chat/completions`: the OpenAI Chat Completions route. Converts the body, then runs the
//! shared chat pipeline with OpenAI's encoder and aggregator.

use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};

use super::access::Caller;
use super::audit::{LogNote, NoteOutcome, reject};
use super::chat::{self, ChatCall, Wire};
use super::state::AppState;
use crate::api::ApiFlavor;
use crate::api::error::OpenAiError;
use crate::api::extract::OpenAiJson;
use crate::api::openai::{ChatCompletionRequest, ResponseMeta, to_transcript, tool_config, validate_options};

/// The canonical endpoint.
const ENDPOINT: &str = "/v1/chat/completions";

/// The OpenAI routes (mounted under `/v1` and its aliases).
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/chat/completions", post(chat_completions))
}

async fn chat_completions(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    body: Result<OpenAiJson<ChatCompletionRequest>, OpenAiError>,
) -> Response {
    let note = LogNote::new(ENDPOINT, NoteOutcome::Served);
    let request = match body {
        Ok(OpenAiJson(request)) => request,
        Err(OpenAiError(error)) => return reject(ApiFlavor::OpenAi, error, note),
    };
    let note = note
        .with_model(request.model.as_deref())
        .with_stream(request.stream.unwrap_or(false));
    let options = match validate_options(&request) {
        Ok(options) => options,
        Err(error) => return reject(ApiFlavor::OpenAi, error, note),
    };
    let transcript = match to_transcript(&request) {
        Ok(transcript) => transcript,
        Err(error) => return reject(ApiFlavor::OpenAi, error, note),
    };
    let tools = tool_config(&request);
    let reasoning_effort = request
        .reasoning_effort
        .as_ref()
        .and_then(|effort| effort.as_str())
        .map(str::to_owned);
    // The transcript owns copies of everything needed; the parsed body (images included) need not
    // stay in memory while the request waits and runs.
    drop(request);
    let wire = Wire::OpenAi {
        meta: ResponseMeta::fresh(&options.model),
        include_usage: options.include_usage,
    };
    let call = ChatCall {
        endpoint: ENDPOINT,
        model: options.model,
        stream: options.stream,
        limits: options.limits,
        transcript,
        tools,
        caller: caller.map(|Extension(caller)| caller).unwrap_or_default(),
        reasoning_effort,
    };
    chat::run(&state, call, wire).await
}
