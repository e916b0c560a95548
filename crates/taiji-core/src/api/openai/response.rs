//! The OpenAI non-stream body (`chat.completion`, client-conformance §1.2), its aggregator over
//! [`OutputEvent`]s, and the pieces the stream encoder shares with it (identity and usage).

use serde::Serialize;

use crate::api::output::{Finish, OutputEvent, ToolCall};

/// The identity shared by every chunk of one completion (and its non-stream body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseMeta {
    /// `chatcmpl-…`.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// The model id as the client asked for it.
    pub model: String,
}

impl ResponseMeta {
    /// A fresh identity: a random `chatcmpl-` id and the current time.
    pub fn fresh(model: impl Into<String>) -> Self {
        Self {
            id: format!("chatcmpl-{}", uuid::Uuid::new_v4().simple()),
            created: time::OffsetDateTime::now_utc().unix_timestamp(),
            model: model.into(),
        }
    }
}

/// OpenAI's `usage`, with the detail objects clients read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CompletionUsage {
    /// Input tokens.
    pub prompt_tokens: u64,
    /// Output tokens (reasoning included).
    pub completion_tokens: u64,
    /// Their sum.
    pub total_tokens: u64,
    /// `{cached_tokens: 0}`: the upstream has no prompt cache.
    pub prompt_tokens_details: PromptTokensDetails,
    /// `{reasoning_tokens}`.
    pub completion_tokens_details: CompletionTokensDetails,
}

/// `usage.prompt_tokens_details`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PromptTokensDetails {
    /// Always 0.
    pub cached_tokens: u64,
}

/// `usage.completion_tokens_details`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CompletionTokensDetails {
    /// The gateway's estimate of reasoning tokens.
    pub reasoning_tokens: u64,
}

impl CompletionUsage {
    /// The usage to report for a finished answer.
    pub fn from_finish(finish: &Finish) -> Self {
        let usage = finish.usage;
        Self {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage
                .total_tokens
                .max(usage.prompt_tokens + usage.completion_tokens),
            prompt_tokens_details: PromptTokensDetails { cached_tokens: 0 },
            completion_tokens_details: CompletionTokensDetails {
                reasoning_tokens: finish.reasoning_tokens,
            },
        }
    }
}

/// The non-stream body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatCompletion {
    /// `chatcmpl-…`.
    pub id: String,
    /// Always `"chat.completion"`.
    pub object: &'static str,
    /// Unix seconds.
    pub created: i64,
    /// The model id as requested.
    pub model: String,
    /// Always null.
    pub system_fingerprint: Option<String>,
    /// Exactly one choice.
    pub choices: Vec<ChatCompletionChoice>,
    /// Usage.
    pub usage: CompletionUsage,
}

/// The one choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatCompletionChoice {
    /// Always 0.
    pub index: u32,
    /// The answer.
    pub message: AssistantMessage,
    /// Always null.
    pub logprobs: Option<String>,
    /// `stop`, `length` or `tool_calls`.
    pub finish_reason: &'static str,
}

/// `choices[0].message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssistantMessage {
    /// Always `"assistant"`.
    pub role: &'static str,
    /// The answer text; null when the answer is only tool calls.
    pub content: Option<String>,
    /// The reasoning, when the model produced any (what Cherry Studio renders as thinking).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// Always null.
    pub refusal: Option<String>,
    /// Always empty.
    pub annotations: Vec<String>,
    /// The tool calls, when the model made any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<MessageToolCall>,
}

/// One entry of `message.tool_calls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageToolCall {
    /// `call_…`.
    pub id: String,
    /// Always `"function"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Name and JSON-text arguments.
    pub function: MessageFunction,
}

/// `tool_calls[].function`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageFunction {
    /// The tool's name.
    pub name: String,
    /// The arguments as JSON text.
    pub arguments: String,
}

impl From<&ToolCall> for MessageToolCall {
    fn from(call: &ToolCall) -> Self {
        Self {
            id: format!("call_{}", call.id),
            kind: "function",
            function: MessageFunction {
                name: call.name.clone(),
                arguments: call.arguments.clone(),
            },
        }
    }
}

/// Collects one request's events into the non-stream body.
#[derive(Debug, Clone)]
pub struct OpenAiAggregator {
    meta: ResponseMeta,
    content: String,
    reasoning: String,
    tool_calls: Vec<MessageToolCall>,
    finish: Option<Finish>,
}

impl OpenAiAggregator {
    /// An aggregator for one completion.
    pub fn new(meta: ResponseMeta) -> Self {
        Self {
            meta,
            content: String::new(),
            reasoning: String::new(),
            tool_calls: Vec::new(),
            finish: None,
        }
    }

    /// Adds one event.
    pub fn push(&mut self, event: &OutputEvent) {
        match event {
            OutputEvent::Text(text) => self.content.push_str(text),
            OutputEvent::Reasoning(text) => self.reasoning.push_str(text),
            OutputEvent::ToolCall(call) => self.tool_calls.push(call.into()),
            OutputEvent::Finished(finish) => self.finish = Some(finish.clone()),
        }
    }

    /// Whether the finish arrived.
    pub fn is_finished(&self) -> bool {
        self.finish.is_some()
    }

    /// The body. Without a finish (which the route should not let happen) it reports `stop` and
    /// zero usage rather than inventing numbers.
    pub fn into_response(self) -> ChatCompletion {
        let finish = self.finish.unwrap_or_else(Finish::missing);
        ChatCompletion {
            id: self.meta.id,
            object: "chat.completion",
            created: self.meta.created,
            model: self.meta.model,
            system_fingerprint: None,
            choices: vec![ChatCompletionChoice {
                index: 0,
                message: AssistantMessage {
                    role: "assistant",
                    // OpenAI sends null content with tool calls and no text.
                    content: (!self.content.is_empty() || self.tool_calls.is_empty()).then_some(self.content),
                    reasoning_content: (!self.reasoning.is_empty()).then_some(self.reasoning),
                    refusal: None,
                    annotations: Vec::new(),
                    tool_calls: self.tool_calls,
                },
                logprobs: None,
                finish_reason: finish.reason.openai_finish_reason(),
            }],
            usage: CompletionUsage::from_finish(&finish),
        }
    }
}
