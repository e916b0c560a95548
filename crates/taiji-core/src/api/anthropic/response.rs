//! The Anthropic non-stream body (`message`, client-conformance §2.2), its aggregator over
//! [`OutputEvent`]s, and the pieces the stream encoder shares with it (identity, usage, blocks).

use base64::Engine as _;
use serde::Serialize;

use crate::api::output::{Finish, OutputEvent};

/// The identity of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    /// `msg_…`.
    pub id: String,
    /// The model id as the client asked for it.
    pub model: String,
}

impl MessageMeta {
    /// A fresh identity with a random `msg_` id.
    pub fn fresh(model: impl Into<String>) -> Self {
        Self {
            id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
            model: model.into(),
        }
    }

    /// The signature given to thinking blocks. Clients echo it back with the block and the gateway
    /// ignores it; it only has to be a non-empty opaque string, and deterministic per message.
    pub fn thinking_signature(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(format!("taiji-gateway:{}", self.id))
    }
}

/// Anthropic's `usage`. The cache counters are always 0 (the upstream has no prompt cache) but
/// present, because Claude Code reads them for its context display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MessageUsage {
    /// Input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Always 0.
    pub cache_creation_input_tokens: u64,
    /// Always 0.
    pub cache_read_input_tokens: u64,
}

impl MessageUsage {
    /// Usage with zero cache counters.
    pub fn new(input_tokens: u64, output_tokens: u64) -> Self {
        Self {
            input_tokens,
            output_tokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
        }
    }
}

/// One content block of an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseBlock {
    /// Reasoning.
    Thinking {
        /// The reasoning text.
        thinking: String,
        /// An opaque signature.
        signature: String,
    },
    /// Answer text.
    Text {
        /// The text.
        text: String,
    },
    /// A tool call.
    ToolUse {
        /// `toolu_…`.
        id: String,
        /// The tool's name.
        name: String,
        /// The arguments object.
        input: serde_json::Value,
    },
}

/// The non-stream body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageResponse {
    /// `msg_…`.
    pub id: String,
    /// Always `"message"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Always `"assistant"`.
    pub role: &'static str,
    /// The model id as requested.
    pub model: String,
    /// A thinking block when there was reasoning, then the text block (left out when the answer
    /// is only tool calls), then one `tool_use` block per call.
    pub content: Vec<ResponseBlock>,
    /// `end_turn | max_tokens | stop_sequence | tool_use`.
    pub stop_reason: &'static str,
    /// The matched stop sequence, or null.
    pub stop_sequence: Option<String>,
    /// Usage.
    pub usage: MessageUsage,
}

/// Collects one request's events into the non-stream body.
#[derive(Debug, Clone)]
pub struct AnthropicAggregator {
    meta: MessageMeta,
    text: String,
    thinking: String,
    tool_uses: Vec<ResponseBlock>,
    finish: Option<Finish>,
}

impl AnthropicAggregator {
    /// An aggregator for one message.
    pub fn new(meta: MessageMeta) -> Self {
        Self {
            meta,
            text: String::new(),
            thinking: String::new(),
            tool_uses: Vec::new(),
            finish: None,
        }
    }

    /// Adds one event.
    pub fn push(&mut self, event: &OutputEvent) {
        match event {
            OutputEvent::Text(text) => self.text.push_str(text),
            OutputEvent::Reasoning(text) => self.thinking.push_str(text),
            OutputEvent::ToolCall(call) => self.tool_uses.push(ResponseBlock::ToolUse {
                id: format!("toolu_{}", call.id),
                name: call.name.clone(),
                // The shaper produced the text from an object; it always parses back.
                input: serde_json::from_str(&call.arguments).unwrap_or_default(),
            }),
            OutputEvent::Finished(finish) => self.finish = Some(finish.clone()),
        }
    }

    /// Whether the finish arrived.
    pub fn is_finished(&self) -> bool {
        self.finish.is_some()
    }

    /// The body. Without a finish (which the route should not let happen) it reports `end_turn`
    /// and zero usage rather than inventing numbers.
    pub fn into_response(self) -> MessageResponse {
        let finish = self.finish.unwrap_or_else(Finish::missing);
        let mut content = Vec::new();
        if !self.thinking.is_empty() {
            content.push(ResponseBlock::Thinking {
                thinking: self.thinking,
                signature: self.meta.thinking_signature(),
            });
        }
        if !self.text.is_empty() || self.tool_uses.is_empty() {
            content.push(ResponseBlock::Text { text: self.text });
        }
        content.extend(self.tool_uses);
        MessageResponse {
            id: self.meta.id,
            kind: "message",
            role: "assistant",
            model: self.meta.model,
            content,
            stop_reason: finish.reason.anthropic_stop_reason(),
            stop_sequence: finish.reason.stop_sequence().map(str::to_owned),
            usage: MessageUsage::new(finish.usage.prompt_tokens, finish.usage.completion_tokens),
        }
    }
}
