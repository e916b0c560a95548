//! The neutral output of one chat request after stop sequences and output limits were applied:
//! what the stream encoders and non-stream aggregators of both APIs consume. Produced by
//! [`crate::api::limits::OutputLimiter`] from the dispatcher's [`crate::chat::ChatEvent`]s.

use crate::chat::Usage;

/// Why the answer ended, in neutral terms; each API names it its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// The model finished on its own.
    EndTurn,
    /// The output limit (`max_tokens` / `max_completion_tokens`) was reached.
    MaxTokens,
    /// One of the requested stop sequences appeared; the text stops before it.
    StopSequence(String),
    /// The answer ends with tool calls (emulated, see [`crate::api::tools`]).
    ToolUse,
}

impl StopReason {
    /// OpenAI's `finish_reason`.
    pub fn openai_finish_reason(&self) -> &'static str {
        match self {
            Self::EndTurn | Self::StopSequence(_) => "stop",
            Self::MaxTokens => "length",
            Self::ToolUse => "tool_calls",
        }
    }

    /// Anthropic's `stop_reason`.
    pub fn anthropic_stop_reason(&self) -> &'static str {
        match self {
            Self::EndTurn => "end_turn",
            Self::MaxTokens => "max_tokens",
            Self::StopSequence(_) => "stop_sequence",
            Self::ToolUse => "tool_use",
        }
    }

    /// The matched stop sequence (Anthropic's `stop_sequence`), if that is why it ended.
    pub fn stop_sequence(&self) -> Option<&str> {
        match self {
            Self::StopSequence(sequence) => Some(sequence),
            Self::EndTurn | Self::MaxTokens | Self::ToolUse => None,
        }
    }
}

/// How the answer ended, with the usage to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    /// Why it ended.
    pub reason: StopReason,
    /// Usage: the upstream's final record when it arrived, otherwise the gateway's estimate (the
    /// record never arrives when the gateway cut the stream).
    pub usage: Usage,
    /// Whether `usage` is the gateway's estimate rather than the upstream's numbers.
    pub usage_estimated: bool,
    /// Estimated tokens of reasoning among the completion tokens (the upstream does not report it).
    pub reasoning_tokens: u64,
}

impl Finish {
    /// What an aggregator reports when no finish arrived (which the route should not let happen):
    /// an ordinary end and zero usage, marked as an estimate, rather than invented numbers.
    pub fn missing() -> Self {
        Self {
            reason: StopReason::EndTurn,
            usage: Default::default(),
            usage_estimated: true,
            reasoning_tokens: 0,
        }
    }
}

/// One tool call the model made. Each API prefixes `id` its own way (`call_…`, `toolu_…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// A random id suffix, unique per call.
    pub id: String,
    /// The tool's name, one the client declared.
    pub name: String,
    /// The arguments: a JSON object as compact JSON text, valid against the tool's schema.
    pub arguments: String,
}

/// How many bytes of arguments one streamed delta carries at most.
const ARGUMENT_CHUNK: usize = 64;

impl ToolCall {
    /// The arguments in the pieces a stream sends them in (clients accumulate and parse them).
    pub fn argument_chunks(&self) -> Vec<&str> {
        let text = self.arguments.as_str();
        let mut chunks = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let mut end = (start + ARGUMENT_CHUNK).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            chunks.push(&text[start..end]);
            start = end;
        }
        chunks
    }
}

/// One piece of the shaped answer, in order: deltas*, then exactly one `Finished`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputEvent {
    /// Reasoning ("thinking") text.
    Reasoning(String),
    /// Answer text.
    Text(String),
    /// A complete, validated tool call (emulated, see [`crate::api::tools`]).
    ToolCall(ToolCall),
    /// The end of the answer.
    Finished(Finish),
}
