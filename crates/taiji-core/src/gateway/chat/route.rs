//! The steps every chat route takes before the shared pipeline: answer a body that did not parse,
//! note the requested model and stream for the request log, validate the options, convert the
//! messages into the neutral transcript, and build the [`ChatCall`] and its [`Wire`]. Each API states
//! only what differs, by implementing [`ChatRoute`] on its request type.

use std::future::Future;

use axum::Extension;
use axum::response::Response;

use super::pipeline::{self, ChatCall};
use super::wire::Wire;
use crate::api::ApiFlavor;
use crate::api::error::ApiError;
use crate::api::limits::OutputLimits;
use crate::api::tools::ToolConfig;
use crate::gateway::access::Caller;
use crate::gateway::audit::{LogNote, NoteOutcome, reject};
use crate::gateway::state::AppState;
use crate::prompt::Transcript;

/// A request's options after its API's validation: what the pipeline needs, plus what only the
/// API's answer format uses (`extra`).
#[derive(Debug)]
pub(crate) struct Validated<E> {
    /// The requested model id (not yet resolved against the catalog).
    pub(crate) model: String,
    /// Whether the client asked for a stream.
    pub(crate) stream: bool,
    /// Stop sequences and the output budget.
    pub(crate) limits: OutputLimits,
    /// What only the answer format needs (OpenAI's `include_usage`).
    pub(crate) extra: E,
}

/// What one API's chat request states for the shared route: its endpoint and error format, and how
/// it validates, converts and answers.
pub(crate) trait ChatRoute: Sized + Send + 'static {
    /// What the validation keeps for the answer format alone.
    type Extra: Send;
    /// The canonical endpoint, e.g. `/v1/chat/completions`.
    const ENDPOINT: &'static str;
    /// The error format.
    const FLAVOR: ApiFlavor;

    /// The model as sent, for the request log (also when validation fails).
    fn requested_model(&self) -> Option<&str>;
    /// Whether the client asked for a stream, for the request log.
    fn wants_stream(&self) -> bool;
    /// Checks the options.
    fn validate(&self) -> Result<Validated<Self::Extra>, ApiError>;
    /// Converts the messages (tool instructions included).
    fn transcript(&self) -> Result<Transcript, ApiError>;
    /// The declared tools, for parsing calls out of the answer.
    fn tools(&self) -> ToolConfig;
    /// The reasoning level the client asked for, if any.
    fn reasoning_effort(&self) -> Option<String>;
    /// How the answer is written. Takes the parsed body, so that it (images included) need not
    /// stay in memory while the request waits and runs.
    fn into_wire(
        self,
        state: &AppState,
        validated: &Validated<Self::Extra>,
    ) -> impl Future<Output = Result<Wire, ApiError>> + Send;
}

/// Runs a chat route: `body` is the parsed request or the reason it did not parse.
pub(crate) async fn handle<R: ChatRoute>(
    state: &AppState,
    caller: Option<Extension<Caller>>,
    body: Result<R, ApiError>,
) -> Response {
    let note = LogNote::new(R::ENDPOINT, NoteOutcome::Served);
    let request = match body {
        Ok(request) => request,
        Err(error) => return reject(R::FLAVOR, error, note),
    };
    let note = note
        .with_model(request.requested_model())
        .with_stream(request.wants_stream());
    let caller = caller.map(|Extension(caller)| caller).unwrap_or_default();
    match prepare(state, request, caller).await {
        Ok((call, wire)) => pipeline::run(state, call, wire).await,
        Err(error) => reject(R::FLAVOR, error, note),
    }
}

/// Validates and converts `request` into the pipeline's call and its answer format.
async fn prepare<R: ChatRoute>(
    state: &AppState,
    request: R,
    caller: Caller,
) -> Result<(ChatCall, Wire), ApiError> {
    let validated = request.validate()?;
    let transcript = request.transcript()?;
    let tools = request.tools();
    let reasoning_effort = request.reasoning_effort();
    let wire = request.into_wire(state, &validated).await?;
    let call = ChatCall {
        endpoint: R::ENDPOINT,
        model: validated.model,
        stream: validated.stream,
        limits: validated.limits,
        transcript,
        tools,
        caller,
        reasoning_effort,
    };
    Ok((call, wire))
}
