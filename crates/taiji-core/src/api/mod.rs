//! The OpenAI- and Anthropic-compatible wire formats: request types and their validation, the
//! conversion of both request formats into the neutral transcript, the one error type with its
//! per-API bodies, the stream encoders and non-stream aggregators driven by neutral chat events,
//! the emulation of stop sequences, output limits and tool calls, and the `/v1/models` bodies.
//!
//! Nothing here performs I/O or talks to the upstream; the HTTP routes are built on top of these
//! pieces. A route's pipeline for one chat request is:
//!
//! 1. extract the body with [`extract::OpenAiJson`] / [`extract::AnthropicJson`] (malformed JSON
//!    becomes a 400 in the API's own format, never axum's 422);
//! 2. validate and convert it into a transcript and [`limits::OutputLimits`];
//! 3. feed every [`crate::chat::ChatEvent`] from the dispatcher through one
//!    [`limits::OutputLimiter`], which yields [`output::OutputEvent`]s and says when the upstream
//!    stream must be dropped ([`limits::LimitOutcome::Cut`]), then, when the request declared
//!    tools, through its [`tools::ToolCallShaper`], which turns calls in the text into
//!    [`output::OutputEvent::ToolCall`]s;
//! 4. hand those events to a stream encoder (SSE bytes) or a non-stream aggregator (one JSON body);
//! 5. render failures with [`error::ApiError`]: a real status before the first byte, the API's
//!    in-stream error event after it.

pub mod anthropic;
pub mod bounds;
pub mod error;
pub mod error_map;
pub mod extract;
pub mod limits;
pub mod models;
pub mod openai;
pub mod output;
#[cfg(test)]
pub(crate) mod split;
pub mod sse;
pub mod tokens;
pub mod tools;

/// Which public API a request came in through; decides the shape of every body and error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiFlavor {
    /// OpenAI Chat Completions (`/v1/chat/completions`).
    OpenAi,
    /// Anthropic Messages (`/v1/messages`, `/v1/messages/count_tokens`).
    Anthropic,
}
