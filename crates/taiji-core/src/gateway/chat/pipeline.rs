//! One chat request after its body was converted: model resolution, prompt building, dispatch, and
//! the hand-over to a relay. Failures up to the dispatch are answered with a real status in the
//! API's format and noted for the request log; from the dispatch on, the dispatcher keeps the log.

use axum::response::Response;

use super::estimates::Counting;
use super::relay::{self, Relay};
use super::wire::Wire;
use crate::api::limits::{OutputLimiter, OutputLimits};
use crate::api::tools::ToolConfig;
use crate::chat::{ChatRequest, RequestSource};
use crate::gateway::access::Caller;
use crate::gateway::audit::{LogNote, NoteOutcome, reject, with_note};
use crate::gateway::core_error::api_error_from_core;
use crate::gateway::flavor::api_name;
use crate::gateway::readiness;
use crate::gateway::state::AppState;
use crate::prompt::Transcript;

/// A validated chat request, ready for the shared pipeline.
#[derive(Debug)]
pub(crate) struct ChatCall {
    /// The canonical endpoint, e.g. `/v1/chat/completions`.
    pub(crate) endpoint: &'static str,
    /// The model as requested.
    pub(crate) model: String,
    /// Whether the client asked for a stream.
    pub(crate) stream: bool,
    /// Stop sequences and the output budget.
    pub(crate) limits: OutputLimits,
    /// The conversation (tool instructions already in its system part).
    pub(crate) transcript: Transcript,
    /// The declared tools, for parsing calls out of the answer.
    pub(crate) tools: ToolConfig,
    /// Who is calling.
    pub(crate) caller: Caller,
    /// The reasoning level the client asked for, if any (the dispatcher sends it only where supported).
    pub(crate) reasoning_effort: Option<String>,
}

/// Runs `call` and answers in `wire`'s format.
pub(crate) async fn run(state: &AppState, call: ChatCall, mut wire: Wire) -> Response {
    let flavor = wire.flavor();
    let note = LogNote::new(call.endpoint, NoteOutcome::Dispatched)
        .with_model(Some(&call.model))
        .with_stream(call.stream);
    let core = &state.core;
    if let Err(error) = readiness::check(core) {
        return reject(flavor, error, note);
    }
    let model = match core.resolve_model(&call.model).await {
        Ok(model) => model,
        Err(error) => return reject(flavor, api_error_from_core(&error), note),
    };
    let prompt = match core.build_prompt(&call.transcript, &model).await {
        Ok(prompt) => prompt,
        Err(error) => return reject(flavor, api_error_from_core(&error), note),
    };
    // The prompt holds the text and images the upstream gets; the transcript is not needed again.
    drop(call.transcript);
    let estimator = core.token_estimator().clone();
    let counting = Counting::start(&estimator, prompt.text.len(), wire.take_request_to_count());
    let mut limiter = OutputLimiter::new(estimator, &call.limits, 0);
    // A copy: the original goes upstream; this one is counted only if an estimate is reported.
    limiter.set_prompt(prompt.text.clone(), prompt.files.len());
    let source = RequestSource {
        api: api_name(flavor).to_owned(),
        key_name: call.caller.key_name,
        user_agent: call.caller.user_agent,
    };
    let mut request = ChatRequest::new(model, prompt.text, prompt.files, source);
    request.endpoint = call.endpoint.to_owned();
    request.stream = call.stream;
    request.reasoning_effort = call.reasoning_effort;
    let chat = core.dispatch(request);
    let relay = Relay {
        core: core.clone(),
        flavor,
        options: state.options,
        draining: state.draining.clone(),
        limiter,
        tools: call.tools.shaper(),
    };
    let response = if call.stream {
        relay::stream(relay, chat, counting, wire).await
    } else {
        relay::aggregate(relay, chat, wire.aggregator()).await
    };
    with_note(response, note)
}
