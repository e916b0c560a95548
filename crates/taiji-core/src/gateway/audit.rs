//! The request-log entries of requests the dispatcher never saw. The dispatcher records every chat
//! request it dispatches; everything else that reaches the API (refused keys and hosts, malformed
//! bodies, unknown models, model lists, token counts, unknown routes) is recorded here, so the log
//! shows every request a client made. Health checks, the `/` probe, metrics scrapes and CORS preflights are not
//! recorded: they are noise, not requests.
//!
//! Handlers and inner layers describe their outcome with a [`LogNote`] in the response extensions
//! (the axum idiom for passing facts outwards without side effects in the handler); a response
//! without a note is recorded from its status alone.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, header};
use time::OffsetDateTime;

use super::access::Caller;
use super::flavor::{api_name, flavor_for};
use super::state::AppState;
use crate::api::ApiFlavor;
use crate::api::bounds;
use crate::api::error::ApiError;
use crate::chat::RequestSource;
use crate::request_log::{EntryPatch, FailureClass, NewEntry, RequestLog};

/// The longest endpoint path recorded (unknown paths come from anyone).
const MAX_ENDPOINT_CHARS: usize = 200;
/// The longest user agent recorded.
const MAX_USER_AGENT_CHARS: usize = 300;

/// What a handler or an inner layer did with a request, for the request log.
#[derive(Debug, Clone)]
pub(crate) struct LogNote {
    /// The canonical endpoint (e.g. `/v1/messages` also when it came in through an alias).
    pub(crate) endpoint: Option<&'static str>,
    /// The model as requested, when known.
    pub(crate) model: Option<String>,
    /// Whether the client asked for a stream.
    pub(crate) stream: bool,
    /// What happened.
    pub(crate) outcome: NoteOutcome,
}

/// The outcome part of a [`LogNote`].
#[derive(Debug, Clone)]
pub(crate) enum NoteOutcome {
    /// The dispatcher has its own entry for this request; nothing to record here.
    Dispatched,
    /// Answered without the dispatcher (model list, token count).
    Served,
    /// Refused before dispatch with this error.
    Rejected(ApiError),
}

impl LogNote {
    /// A note for `endpoint` with no model known yet.
    pub(crate) fn new(endpoint: &'static str, outcome: NoteOutcome) -> Self {
        Self {
            endpoint: Some(endpoint),
            model: None,
            stream: false,
            outcome,
        }
    }

    /// A note for a request refused before any route looked at it (the outcome is set by
    /// [`reject`]).
    pub(crate) fn anonymous() -> Self {
        Self {
            endpoint: None,
            model: None,
            stream: false,
            outcome: NoteOutcome::Served,
        }
    }

    /// The same note with the requested model (cut to the longest model name accepted: the note
    /// is taken before the request is validated).
    pub(crate) fn with_model(mut self, model: Option<&str>) -> Self {
        self.model = model.map(|model| bounds::truncate(model, bounds::MAX_MODEL_CHARS));
        self
    }

    /// The same note with the stream flag.
    pub(crate) fn with_stream(mut self, stream: bool) -> Self {
        self.stream = stream;
        self
    }
}

/// `error` rendered in `flavor`'s format, noted for the request log.
pub(crate) fn reject(flavor: ApiFlavor, error: ApiError, note: LogNote) -> Response {
    let note = LogNote {
        outcome: NoteOutcome::Rejected(error.clone()),
        ..note
    };
    with_note(error.into_response(flavor), note)
}

/// Attaches `note` to `response`.
pub(crate) fn with_note(response: impl IntoResponse, note: LogNote) -> Response {
    let mut response = response.into_response();
    response.extensions_mut().insert(note);
    response
}

/// The middleware: runs the request, then records it unless the dispatcher already does.
pub(crate) async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_recorded(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let started = Instant::now();
    let started_at = OffsetDateTime::now_utc();
    let path = request.uri().path();
    let flavor = flavor_for(path, request.headers());
    let raw_endpoint: String = path.chars().take(MAX_ENDPOINT_CHARS).collect();
    let user_agent = user_agent(request.headers());

    let response = next.run(request).await;

    let note = response.extensions().get::<LogNote>().cloned();
    if matches!(
        &note,
        Some(LogNote {
            outcome: NoteOutcome::Dispatched,
            ..
        })
    ) {
        return response;
    }
    let source = RequestSource {
        api: api_name(flavor).to_owned(),
        key_name: response
            .extensions()
            .get::<Caller>()
            .and_then(|caller| caller.key_name.clone()),
        user_agent,
    };
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let status = response.status();
    let note_endpoint = note.as_ref().and_then(|note| note.endpoint);
    let (endpoint, model, stream, outcome) = match note {
        Some(note) => (
            note.endpoint.map_or(raw_endpoint, str::to_owned),
            note.model.unwrap_or_default(),
            note.stream,
            Some(note.outcome),
        ),
        None => (raw_endpoint, String::new(), false, None),
    };
    let metric_endpoint = note_endpoint.unwrap_or("other");
    let patch = match outcome {
        Some(NoteOutcome::Rejected(error)) => EntryPatch::failed(
            Some(status.as_u16()),
            FailureClass::from(error.kind()),
            error.message(),
            duration_ms,
        ),
        _ if status.is_client_error() || status.is_server_error() => EntryPatch::failed(
            Some(status.as_u16()),
            FailureClass::Http(status.as_u16()),
            status.canonical_reason().unwrap_or("error"),
            duration_ms,
        ),
        _ => EntryPatch::done(status.as_u16(), duration_ms, None),
    };
    let metric_outcome = match (&patch.status, &patch.error_class) {
        (_, Some(class)) => class.as_str(),
        _ => "ok",
    };
    state
        .core
        .metrics()
        .record_request(metric_endpoint, metric_outcome);
    let mut entry = NewEntry::new(source, endpoint, model, stream);
    entry.started_at = started_at;
    write(state.core.request_log(), entry, patch).await;
    response
}

/// Whether a request belongs in the request log: not preflights, nor the probes of `health.rs`.
fn is_recorded(method: &Method, path: &str) -> bool {
    method != Method::OPTIONS && !matches!(path, "/health" | "/" | "/api/hello" | "/metrics")
}

/// The client's user agent, capped.
pub(crate) fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|agent| agent.chars().take(MAX_USER_AGENT_CHARS).collect())
}

async fn write(log: &RequestLog, entry: NewEntry, patch: EntryPatch) {
    let id = match log.begin(entry).await {
        Ok(id) => id,
        Err(error) => {
            tracing::error!(%error, "could not record a request");
            return;
        }
    };
    if let Err(error) = log.update(&id, patch).await {
        tracing::error!(%error, "could not record a request's outcome");
    }
}
