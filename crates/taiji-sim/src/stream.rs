//! The SSE body of a completions call (§4): `string` pieces, one `object` record, `[DONE]`; stream faults;
//! frame pacing; and the drop guard that tells a finished stream from one whose client went away.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;

use crate::catalog::ModelKind;
use crate::clock;
use crate::config::CatalogVersion;
use crate::control::SimControl;
use crate::faults::FaultKind;
use crate::record::FinalRecord;
use crate::reply::{self, ReplyInput};
use crate::state::SimState;
use crate::tokens;

/// Everything a validated turn needs to stream and to be committed.
pub struct Turn {
    pub uid: u64,
    pub session_id: u64,
    pub label: String,
    pub kind: ModelKind,
    pub price: i64,
    pub text: String,
    pub files: usize,
    pub history: usize,
    pub context_tokens: u64,
    pub prompt_tokens: u64,
    pub task_id: String,
    pub record_id: u64,
    pub created: String,
    pub ip: String,
}

/// Pieces sent before a stream fault strikes.
const PIECES_BEFORE_FAULT: usize = 3;
const STREAM_ERROR_MSG: &str = "上游模型服务异常，请稍后重试";

pub fn respond(state: Arc<SimState>, turn: Turn, fault: Option<FaultKind>) -> Response {
    // A scripted answer (tests playing an agent's model) replaces the deterministic one; everything else
    // (splitting, final record, billing, history) stays the same.
    let reply = match state.control.take_scripted(&turn.text) {
        Some(scripted) => reply::scripted(scripted.thinking.as_deref(), &scripted.text),
        None => reply::build(&ReplyInput {
            label: &turn.label,
            kind: turn.kind,
            text: &turn.text,
            history: turn.history,
            files: turn.files,
            task_id: &turn.task_id,
        }),
    };
    state.control.update(|s| {
        s.completions_started += 1;
        s.concurrent_completions += 1;
        s.max_concurrent_completions = s.max_concurrent_completions.max(s.concurrent_completions);
    });
    let guard = StreamGuard {
        control: state.control.clone(),
        done: false,
    };
    let task_header = HeaderValue::from_str(&turn.task_id).ok();
    let v3 = state.catalog.version() == CatalogVersion::V3;
    let cut = matches!(
        fault,
        Some(FaultKind::StreamErrorFrame | FaultKind::EofWithoutDone)
    )
    .then_some(PIECES_BEFORE_FAULT);
    let slow = match fault {
        Some(FaultKind::SlowFrames(d)) => Some(d),
        _ if turn.kind == ModelKind::Slow => Some(state.config.slow_frame_delay),
        _ => None,
    };

    let body = async_stream::stream! {
        // Owned by the stream: dropping the body without reaching the end counts as an abort.
        let mut guard = guard;
        if !first_frame_pause(&state).await {
            return;
        }
        for (index, piece) in reply.pieces().enumerate() {
            if Some(index) == cut {
                break;
            }
            if index > 0 && !pause(&state, slow).await {
                return;
            }
            yield Ok::<Bytes, Infallible>(string_frame(&turn.task_id, piece));
        }
        match fault {
            Some(FaultKind::StreamErrorFrame) => {
                guard.fail();
                yield Ok(error_frame(&turn.task_id));
                return;
            }
            Some(FaultKind::EofWithoutDone) => {
                guard.fail();
                return;
            }
            _ => {}
        }
        if !pause(&state, slow).await {
            return;
        }
        let record = commit(&state, &turn, reply.text.clone());
        guard.finish(turn.price);
        yield Ok(object_frame(&turn.task_id, &record));
        yield Ok(Bytes::from_static(b"data: [DONE]\n\n"));
    };

    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if v3 && let Some(task) = task_header {
        headers.insert("x-chat-task-id", task);
    }
    response
}

/// Waits the frame delay; false when the simulator is shutting down and the stream must end.
async fn pause(state: &SimState, slow: Option<Duration>) -> bool {
    let delay = slow.unwrap_or_else(|| state.control.frame_delay());
    if delay.is_zero() {
        return !state.shutdown.is_cancelled();
    }
    tokio::select! {
        () = tokio::time::sleep(delay) => true,
        () = state.shutdown.cancelled() => false,
    }
}

/// Waits the configured time to first token; false when the simulator is shutting down.
async fn first_frame_pause(state: &SimState) -> bool {
    let delay = state.config.first_frame_delay;
    if delay.is_zero() {
        return true;
    }
    tokio::select! {
        () = tokio::time::sleep(delay) => true,
        () = state.shutdown.cancelled() => false,
    }
}

fn string_frame(task_id: &str, piece: &str) -> Bytes {
    let data = serde_json::Value::from(piece);
    Bytes::from(format!(
        "data: {{\"id\":\"{task_id}\",\"type\":\"string\",\"data\":{data},\"code\":0}}\n\n"
    ))
}

fn error_frame(task_id: &str) -> Bytes {
    let msg = serde_json::Value::from(STREAM_ERROR_MSG);
    Bytes::from(format!(
        "data: {{\"id\":\"{task_id}\",\"type\":\"string\",\"data\":{msg},\"code\":1,\"msg\":{msg}}}\n\n"
    ))
}

fn object_frame(task_id: &str, record: &FinalRecord) -> Bytes {
    // A struct of strings and numbers always serialises.
    let data = serde_json::to_string(record).unwrap_or_default();
    Bytes::from(format!(
        "data: {{\"id\":\"{task_id}\",\"type\":\"object\",\"code\":0,\"data\":{data}}}\n\n"
    ))
}

/// Bills the turn and stores it in the session's history and records (if the session still exists).
fn commit(state: &SimState, turn: &Turn, ai_text: String) -> FinalRecord {
    let completion_tokens = tokens::count(&ai_text);
    let now = clock::china_now();
    let use_images = (turn.files > 0).then(|| {
        (0..turn.files)
            .map(|i| {
                let day = clock::date(now).replace('-', "/");
                format!("https://sim.invalid/file/upload/{day}/{}{i}.png", turn.record_id)
            })
            .collect()
    });
    let record = FinalRecord {
        id: turn.record_id,
        created: turn.created.clone(),
        updated: clock::datetime(now),
        session_id: turn.session_id,
        user_text: turn.text.clone(),
        ai_text,
        uid: turn.uid,
        ip: turn.ip.clone(),
        task_id: turn.task_id.clone(),
        model: turn.label.clone(),
        deduct_count: turn.price,
        refund_count: 0,
        append_deduct_count: 0,
        prompt_tokens: turn.prompt_tokens,
        completion_tokens,
        context_tokens: turn.context_tokens,
        use_tokens: turn.prompt_tokens + completion_tokens,
        use_files: use_images.as_ref().map(|_| Vec::new()),
        use_images,
        use_app_id: 0,
        user_stop: false,
    };
    let mut data = state.data();
    if let Some(user) = data.users.get_mut(&turn.uid) {
        user.points -= turn.price;
        user.used += turn.price;
    }
    if let Some(session) = data.own_session(turn.uid, turn.session_id) {
        session.history.push(turn.text.clone());
        session.history.push(record.ai_text.clone());
        session.records.push(record.clone());
    }
    record
}

/// Counts how a stream ended: finished, failed by an injected fault, or (on drop) aborted.
struct StreamGuard {
    control: SimControl,
    done: bool,
}

impl StreamGuard {
    fn finish(&mut self, points: i64) {
        self.done = true;
        self.control.update(|s| {
            s.completions_finished += 1;
            s.concurrent_completions = s.concurrent_completions.saturating_sub(1);
            s.points_deducted += points;
        });
    }

    fn fail(&mut self) {
        self.done = true;
        self.control.update(|s| {
            s.completions_failed += 1;
            s.concurrent_completions = s.concurrent_completions.saturating_sub(1);
        });
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        if !self.done {
            self.control.update(|s| {
                s.completions_aborted += 1;
                s.concurrent_completions = s.concurrent_completions.saturating_sub(1);
            });
        }
    }
}
