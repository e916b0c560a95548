//! The two APIs' output formats behind one interface, so the relays are written once: a stream
//! encoder ([`SseEncoder`]) and a non-stream aggregator ([`Aggregate`]) per API.

use axum::Json;
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};

use crate::api::ApiFlavor;
use crate::api::anthropic::{AnthropicAggregator, AnthropicStreamEncoder, MessageMeta, MessagesRequest};
use crate::api::error::ApiError;
use crate::api::openai::{OpenAiAggregator, OpenAiStreamEncoder, ResponseMeta};
use crate::api::output::OutputEvent;

/// How one chat request's answer is written.
#[derive(Debug)]
pub(crate) enum Wire {
    /// OpenAI `chat.completion(.chunk)`.
    OpenAi {
        /// The completion's identity.
        meta: ResponseMeta,
        /// `stream_options.include_usage`.
        include_usage: bool,
    },
    /// Anthropic `message`.
    Anthropic {
        /// The message's identity.
        meta: MessageMeta,
        /// A stream's request, kept until the input tokens that `message_start` announces are
        /// counted (the upstream reports its own count only at the end); `None` for one body.
        to_count: Option<Box<MessagesRequest>>,
    },
}

impl Wire {
    /// The API flavor, for errors.
    pub(crate) fn flavor(&self) -> ApiFlavor {
        match self {
            Self::OpenAi { .. } => ApiFlavor::OpenAi,
            Self::Anthropic { .. } => ApiFlavor::Anthropic,
        }
    }

    /// The request whose input tokens the stream announces, taken out to be counted.
    pub(super) fn take_request_to_count(&mut self) -> Option<Box<MessagesRequest>> {
        match self {
            Self::OpenAi { .. } => None,
            Self::Anthropic { to_count, .. } => to_count.take(),
        }
    }

    /// A stream encoder for this answer; `input_tokens_estimate` is what an Anthropic stream
    /// announces in `message_start`.
    pub(super) fn encoder(self, input_tokens_estimate: u64) -> Box<dyn SseEncoder> {
        match self {
            Self::OpenAi { meta, include_usage } => Box::new(OpenAiStreamEncoder::new(meta, include_usage)),
            Self::Anthropic { meta, .. } => {
                Box::new(AnthropicStreamEncoder::new(meta, input_tokens_estimate))
            }
        }
    }

    /// A non-stream aggregator for this answer.
    pub(super) fn aggregator(self) -> Box<dyn Aggregate> {
        match self {
            Self::OpenAi { meta, .. } => Box::new(OpenAiAggregator::new(meta)),
            Self::Anthropic { meta, .. } => Box::new(AnthropicAggregator::new(meta)),
        }
    }
}

/// One API's stream encoder.
pub(super) trait SseEncoder: Send {
    /// The frames that open the stream.
    fn start(&mut self) -> Vec<Bytes>;
    /// The frames of one output event.
    fn encode(&mut self, event: &OutputEvent) -> Vec<Bytes>;
    /// The frames of one output event, appended to the write being assembled.
    fn encode_into(&mut self, event: &OutputEvent, out: &mut BytesMut) {
        for frame in self.encode(event) {
            out.extend_from_slice(&frame);
        }
    }
    /// The in-stream error frame (the stream closes after it).
    fn error(&mut self, error: &ApiError) -> Bytes;
    /// A keep-alive frame.
    fn keep_alive(&self) -> Bytes;
    /// Whether the end was encoded.
    fn is_finished(&self) -> bool;
}

impl SseEncoder for OpenAiStreamEncoder {
    fn start(&mut self) -> Vec<Bytes> {
        OpenAiStreamEncoder::start(self).into_iter().collect()
    }

    fn encode(&mut self, event: &OutputEvent) -> Vec<Bytes> {
        OpenAiStreamEncoder::encode(self, event)
    }

    fn encode_into(&mut self, event: &OutputEvent, out: &mut BytesMut) {
        OpenAiStreamEncoder::encode_into(self, event, out);
    }

    fn error(&mut self, error: &ApiError) -> Bytes {
        OpenAiStreamEncoder::error(self, error)
    }

    fn keep_alive(&self) -> Bytes {
        OpenAiStreamEncoder::keep_alive(self)
    }

    fn is_finished(&self) -> bool {
        OpenAiStreamEncoder::is_finished(self)
    }
}

impl SseEncoder for AnthropicStreamEncoder {
    fn start(&mut self) -> Vec<Bytes> {
        AnthropicStreamEncoder::start(self)
    }

    fn encode(&mut self, event: &OutputEvent) -> Vec<Bytes> {
        AnthropicStreamEncoder::encode(self, event)
    }

    fn encode_into(&mut self, event: &OutputEvent, out: &mut BytesMut) {
        AnthropicStreamEncoder::encode_into(self, event, out);
    }

    fn error(&mut self, error: &ApiError) -> Bytes {
        AnthropicStreamEncoder::error(self, error)
    }

    fn keep_alive(&self) -> Bytes {
        AnthropicStreamEncoder::keep_alive(self)
    }

    fn is_finished(&self) -> bool {
        AnthropicStreamEncoder::is_finished(self)
    }
}

/// One API's non-stream aggregator.
pub(super) trait Aggregate: Send {
    /// Adds one output event.
    fn push(&mut self, event: &OutputEvent);
    /// Whether the finish arrived.
    fn is_finished(&self) -> bool;
    /// The 200 response with the whole body.
    fn into_response(self: Box<Self>) -> Response;
}

impl Aggregate for OpenAiAggregator {
    fn push(&mut self, event: &OutputEvent) {
        OpenAiAggregator::push(self, event);
    }

    fn is_finished(&self) -> bool {
        OpenAiAggregator::is_finished(self)
    }

    fn into_response(self: Box<Self>) -> Response {
        Json(OpenAiAggregator::into_response(*self)).into_response()
    }
}

impl Aggregate for AnthropicAggregator {
    fn push(&mut self, event: &OutputEvent) {
        AnthropicAggregator::push(self, event);
    }

    fn is_finished(&self) -> bool {
        AnthropicAggregator::is_finished(self)
    }

    fn into_response(self: Box<Self>) -> Response {
        Json(AnthropicAggregator::into_response(*self)).into_response()
    }
}
