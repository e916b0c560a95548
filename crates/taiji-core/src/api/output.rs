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
}

impl StopReason {
    /// OpenAI's `finish_reason`.
    pub fn openai_finish_reason(&self) -> &'static str {
        match self {
            Self::EndTurn | Self::StopSequence(_) => "stop",
            Self::MaxTokens => "length",
        }
    }

    /// Anthropic's `stop_reason`.
    pub fn anthropic_stop_reason(&self) -> &'static str {
        match self {
            Self::EndTurn => "end_turn",
            Self::MaxTokens => "max_tokens",
            Self::StopSequence(_) => "stop_sequence",
        }
    }

    /// The matched stop sequence (Anthropic's `stop_sequence`), if that is why it ended.
    pub fn stop_sequence(&self) -> Option<&str> {
        match self {
            Self::StopSequence(sequence) => Some(sequence),
            Self::EndTurn | Self::MaxTokens => None,
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

/// One piece of the shaped answer, in order: deltas*, then exactly one `Finished`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputEvent {
    /// Reasoning ("thinking") text.
    Reasoning(String),
    /// Answer text.
    Text(String),
    /// The end of the answer.
    Finished(Finish),
}
