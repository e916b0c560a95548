//! Neutral chat types: what the API layers (OpenAI, Anthropic, built-in chat) hand to the
//! dispatcher, and the events the dispatcher streams back. Nothing here knows about either wire
//! format, and nothing here knows about the Taiji wire format either.

use serde::{Deserialize, Serialize};

use crate::model::ModelInfo;

/// Where a request came from; recorded in the request log and shown in the UI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RequestSource {
    /// Which surface received it: "openai", "anthropic", "chat" (built-in window), "cli".
    pub api: String,
    /// The name of the API key that authorised it, if any.
    pub key_name: Option<String>,
    /// The client's user agent, if any.
    pub user_agent: Option<String>,
}

/// One attachment in the upstream's own shape: a file name and a `data:` URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamFile {
    /// A file name such as `image-1.png`.
    pub name: String,
    /// A `data:<mime>;base64,<payload>` URL.
    pub data: String,
}

/// A chat request after conversion and model resolution: exactly what one upstream message needs.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    /// The request id. It names the request in dispatcher events and is the request-log entry id.
    pub id: String,
    /// The endpoint that received it, e.g. `/v1/chat/completions` or `chat` for the built-in window.
    pub endpoint: String,
    /// Whether the client asked for a streamed answer (recorded in the request log).
    pub stream: bool,
    /// The resolved catalog model.
    pub model: ModelInfo,
    /// The single upstream `text` (the flattened transcript).
    pub text: String,
    /// Image attachments, already validated against the catalog limits.
    pub files: Vec<UpstreamFile>,
    /// Who asked.
    pub source: RequestSource,
    /// The reasoning level the client asked for (OpenAI `reasoning_effort`, Anthropic
    /// `output_config.effort`). Sent upstream as `reasoningEffort` only when the model declares that
    /// level; otherwise left out, because the 3.4.0 site refuses levels a model does not declare.
    pub reasoning_effort: Option<String>,
}

impl ChatRequest {
    /// A streamed request with a fresh random id and no endpoint; set the public fields to refine it.
    pub fn new(
        model: ModelInfo,
        text: impl Into<String>,
        files: Vec<UpstreamFile>,
        source: RequestSource,
    ) -> Self {
        Self {
            id: uuid::Uuid::new_v4().simple().to_string(),
            endpoint: String::new(),
            stream: true,
            model,
            text: text.into(),
            files,
            source,
            reasoning_effort: None,
        }
    }
}

/// Token and point usage, taken from the upstream's final record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Input tokens billed (`promptTokens`), including the platform prompt and replayed history.
    pub prompt_tokens: u64,
    /// Output tokens (`completionTokens`).
    pub completion_tokens: u64,
    /// `useTokens`.
    pub total_tokens: u64,
    /// Points deducted (`deductCount` - `refundCount` + `appendDeductCount`).
    pub points: i64,
}

/// One event of a dispatched request, in order: `Queued`? → `Started` → deltas* → `Usage`? →
/// `Finished`, or an `Error` at any point. API layers consume these; they never see upstream frames.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatEvent {
    /// Text the model produced inside `<think>…</think>`.
    ReasoningDelta(String),
    /// Answer text.
    TextDelta(String),
    /// Usage from the final record; arrives once, just before `Finished`.
    Usage(Usage),
    /// The upstream finished normally (`[DONE]`). The model label reported by the final record.
    Finished { model_label: Option<String> },
}
