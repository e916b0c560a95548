//! The relays from the dispatcher's [`ChatStream`] to the client, through the [`OutputLimiter`]:
//!
//! - [`stream`]: SSE. It waits briefly for the upstream to accept the message (or for a failure
//!   before that, which then gets a real status:
//!   [`crate::gateway::GatewayOptions::first_event_wait`]), then sends the head and the opening
//!   frames, the answer, keep-alives while idle, and the API's in-stream error if the request
//!   fails later. Frames that are ready are written together, and while frames arrive faster than
//!   one per millisecond, those of the next millisecond join the same write. When axum drops the
//!   body (the client went away) the `ChatStream` is dropped with it, which cancels the upstream
//!   call.
//! - [`aggregate`]: one JSON body. If the client goes away, hyper drops the handler's future and
//!   with it the `ChatStream`, with the same effect.
//!
//! Tool calls are parsed out of the limiter's output by the request's [`ToolCallShaper`], so stop
//! sequences and the budget apply to the model's text as it was.
//!
//! A cut (stop sequence, output budget) ends the `ChatStream` at once with
//! [`ChatStream::finish_early`], so the model stops and the request is recorded as done with the
//! gateway's usage estimate. When the server drains, running answers end with a "shutting down"
//! error.

use axum::body::Body;
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use std::convert::Infallible;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use super::estimates::Counting;
use super::wire::{Aggregate, SseEncoder, Wire};
use crate::api::ApiFlavor;
use crate::api::error::ApiError;
use crate::api::limits::{LimitOutcome, LimitStep, OutputLimiter};
use crate::api::output::OutputEvent;
use crate::api::sse::sse_headers;
use crate::api::tools::ToolCallShaper;
use crate::chat::ChatEvent;
use crate::dispatch::{ChatStream, DispatchError, Opening};
use crate::gateway::GatewayOptions;
use crate::request_log::EntryPatch;
use crate::runtime::Core;

/// The most bytes of ready frames joined into one write.
const MAX_WRITE_BYTES: usize = 32 * 1024;
/// While frames arrive faster than this apart, they are written together at most this often (a
/// syscall and a TCP segment per frame cost more than the frame itself); the first answer frame and
/// frames of a normally paced answer go out at once.
const COALESCE: Duration = Duration::from_millis(1);

/// What a relay needs besides the stream itself.
pub(super) struct Relay {
    pub(super) core: Core,
    pub(super) flavor: ApiFlavor,
    pub(super) options: GatewayOptions,
    pub(super) draining: CancellationToken,
    pub(super) limiter: OutputLimiter,
    /// Present when the request declared tools that may be called.
    pub(super) tools: Option<ToolCallShaper>,
}

impl Relay {
    /// One dispatcher event through the output limiter, then the tool-call shaper.
    fn shape(&mut self, event: ChatEvent) -> LimitStep {
        let mut step = self.limiter.apply(event);
        if let Some(tools) = &mut self.tools {
            step.events = tools.apply(std::mem::take(&mut step.events));
        }
        step
    }

    /// A failure before anything was sent: the real status in the API's format, also recorded as
    /// the entry's HTTP status (the dispatcher records the class and message).
    async fn fail_before_body(&self, request_id: &str, error: &DispatchError) -> Response {
        if let DispatchError::Internal(detail) = error {
            tracing::error!(request_id, detail, "a chat request failed internally");
        }
        let error = ApiError::from(error);
        let status = error.status(self.flavor);
        let patch = EntryPatch {
            http_status: Some(status.as_u16()),
            ..EntryPatch::default()
        };
        if let Err(error) = self.core.request_log().update(request_id, patch).await {
            tracing::error!(request_id, %error, "could not record the HTTP status");
        }
        error.into_response(self.flavor)
    }
}

/// The error for a stream that ended without finishing or failing (a dispatcher bug).
fn ended_early(request_id: &str) -> ApiError {
    tracing::error!(request_id, "the dispatcher's stream ended without an outcome");
    ApiError::internal()
}

/// The streamed answer.
pub(super) async fn stream(
    mut relay: Relay,
    mut chat: ChatStream,
    counting: Counting,
    wire: Wire,
) -> Response {
    let request_id = chat.id().to_owned();
    // Counted while the dispatcher creates the session and sends the message.
    let input_tokens = counting.finish().await;
    let mut encoder = wire.encoder(input_tokens.unwrap_or(0));
    let first = tokio::select! {
        biased;
        () = relay.draining.cancelled() => {
            return relay.fail_before_body(&request_id, &DispatchError::ShuttingDown).await;
        }
        first = tokio::time::timeout(relay.options.first_event_wait, chat.opening()) => first,
    };
    let pending = match first {
        Ok(Opening::Event(Ok(event))) => Some(event),
        Ok(Opening::Event(Err(error))) => return relay.fail_before_body(&request_id, &error).await,
        Ok(Opening::Ended) => {
            return ended_early(&request_id).into_response(relay.flavor);
        }
        // The model is generating: the head goes out now, and the first token on its own when it
        // comes (see `ChatStream::opening`).
        Ok(Opening::Accepted) => None,
        // Nothing yet (queued, or a slow session): start the stream and keep waiting there.
        Err(_) => None,
    };

    let body = async_stream::stream! {
        let period = relay.options.keep_alive_interval;
        let mut keep_alive = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        keep_alive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        yield Ok::<Bytes, Infallible>(join(encoder.start()));

        // Made once, not per wait: the future registers a waiter (a lock) when first polled.
        let draining = relay.draining.clone().cancelled_owned();
        tokio::pin!(draining);
        let mut next = pending.map(Ok);
        // When answer frames were last written (none yet: the first go out at once).
        let mut last_write = None;
        // The end of the current coalescing window. One timer per stream, moved once per window:
        // a timer registered afresh for each frame of a burst is one wake-up of the runtime's
        // parked driver thread per frame (Tokio wakes it to recompute its timeout).
        let window_end = tokio::time::sleep_until(tokio::time::Instant::now());
        tokio::pin!(window_end);
        let cut = loop {
            let item = match next.take() {
                Some(item) => Some(item),
                None => tokio::select! {
                    biased;
                    () = &mut draining => {
                        yield Ok(encoder.error(&ApiError::from(&DispatchError::ShuttingDown)));
                        break None;
                    }
                    item = chat.next() => item,
                    _ = keep_alive.tick() => {
                        yield Ok(encoder.keep_alive());
                        continue;
                    }
                },
            };
            keep_alive.reset();
            match item {
                Some(Ok(event)) => {
                    // Every event that is ready goes out in one write: one syscall and one TCP
                    // segment for a burst of frames instead of one per frame.
                    let mut batch = BytesMut::with_capacity(512);
                    let mut event = event;
                    let mut cut = None;
                    let mut finished = false;
                    loop {
                        let step = relay.shape(event);
                        if let LimitOutcome::Cut { .. } = step.outcome {
                            cut = Some(step);
                            break;
                        }
                        encode_into(&mut batch, encoder.as_mut(), &step);
                        if encoder.is_finished() {
                            finished = true;
                            break;
                        }
                        if batch.len() >= MAX_WRITE_BYTES {
                            break;
                        }
                        let mut ready = chat.try_next();
                        if ready.is_none()
                            && let Some(last) = last_write
                            && tokio::time::Instant::now() < last + COALESCE
                        {
                            // A burst: frames come faster than one write per `COALESCE`, one at a
                            // time (the upstream's reach the dispatcher one HTTP chunk at a
                            // time). Those arriving until then share this write.
                            // Moved only when a new window starts: any reset registers a timer
                            // that has fired again.
                            if window_end.deadline() != last + COALESCE {
                                window_end.as_mut().reset(last + COALESCE);
                            }
                            ready = tokio::select! {
                                biased;
                                item = chat.next() => item,
                                () = &mut window_end => None,
                            };
                        }
                        match ready {
                            Some(Ok(ready)) => event = ready,
                            // An error is answered on the next turn, after what came before it.
                            Some(Err(error)) => {
                                next = Some(Err(error));
                                break;
                            }
                            None => break,
                        }
                    }

                    if !batch.is_empty() {
                        yield Ok(batch.freeze());
                        last_write = Some(tokio::time::Instant::now());
                    }
                    if cut.is_some() {
                        break cut;
                    }
                    if finished {
                        break None;
                    }
                }
                Some(Err(error)) => {
                    if let DispatchError::Internal(detail) = &error {
                        tracing::error!(request_id, detail, "a streamed chat request failed internally");
                    }
                    yield Ok(encoder.error(&ApiError::from(&error)));
                    break None;
                }
                None => {
                    yield Ok(encoder.error(&ended_early(&request_id)));
                    break None;
                }
            }
        };
        if let Some(step) = cut {
            // Stop the upstream before writing the last frames: the model stops generating now.
            chat.finish_early(cut_usage(&step));
            yield Ok(encode(encoder.as_mut(), &step));
        }
    };

    let mut response = Response::new(Body::from_stream(body));
    response.headers_mut().extend(sse_headers());
    response
}

/// The non-stream answer.
pub(super) async fn aggregate(
    mut relay: Relay,
    mut chat: ChatStream,
    mut aggregator: Box<dyn Aggregate>,
) -> Response {
    let request_id = chat.id().to_owned();
    loop {
        let item = tokio::select! {
            biased;
            () = relay.draining.cancelled() => {
                return relay.fail_before_body(&request_id, &DispatchError::ShuttingDown).await;
            }
            item = chat.next() => item,
        };
        match item {
            Some(Ok(event)) => {
                let step = relay.shape(event);
                for event in &step.events {
                    aggregator.push(event);
                }
                if let LimitOutcome::Cut { .. } = step.outcome {
                    chat.finish_early(cut_usage(&step));
                    break;
                }
                if aggregator.is_finished() {
                    break;
                }
            }
            Some(Err(error)) => return relay.fail_before_body(&request_id, &error).await,
            None => return ended_early(&request_id).into_response(relay.flavor),
        }
    }
    aggregator.into_response()
}

/// The usage the limiter estimated for a cut answer (the upstream's final record never comes).
fn cut_usage(step: &LimitStep) -> Option<crate::chat::Usage> {
    step.events.iter().find_map(|event| match event {
        OutputEvent::Finished(finish) => Some(finish.usage),
        _ => None,
    })
}

/// The frames of one limiter step, appended to the write being assembled (no joined copy per step).
fn encode_into(batch: &mut BytesMut, encoder: &mut dyn SseEncoder, step: &LimitStep) {
    for event in &step.events {
        encoder.encode_into(event, batch);
    }
}

/// The frames of one limiter step, as one write.
fn encode(encoder: &mut dyn SseEncoder, step: &LimitStep) -> Bytes {
    join(
        step.events
            .iter()
            .flat_map(|event| encoder.encode(event))
            .collect(),
    )
}

fn join(frames: Vec<Bytes>) -> Bytes {
    match frames.len() {
        0 => Bytes::new(),
        1 => frames.into_iter().next().unwrap_or_default(),
        _ => {
            let mut joined = BytesMut::with_capacity(frames.iter().map(Bytes::len).sum());
            for frame in frames {
                joined.extend_from_slice(&frame);
            }
            joined.freeze()
        }
    }
}
