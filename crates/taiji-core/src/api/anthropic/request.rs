//! The Anthropic Messages request (also the `count_tokens` body), as lenient serde types: `system`
//! as a string or text blocks, content as a string or blocks of any type, `cache_control` anywhere,
//! unknown fields and beta fields ignored (client-conformance §2.5). Checking the values is
//! [`super::validate`]'s job.
//!
//! Block fields whose shape differs between block types (`source` is an object on images and
//! documents but a string on `search_result`; `content` is text or blocks on `tool_result` but an
//! object on server-tool results) are read leniently: a shape we do not use becomes `None` instead
//! of failing the whole request, because the real API accepts those blocks.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `POST /v1/messages` and `POST /v1/messages/count_tokens` body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MessagesRequest {
    /// The requested model id.
    pub model: Option<String>,
    /// The conversation (`user` and `assistant` turns).
    pub messages: Option<Vec<Message>>,
    /// The system prompt.
    pub system: Option<SystemPrompt>,
    /// The output budget (required by the real API; a missing one means no limit here).
    pub max_tokens: Option<u64>,
    /// Stop sequences.
    pub stop_sequences: Option<Vec<String>>,
    /// Whether to stream.
    pub stream: Option<bool>,
    /// 0–1 (range-checked, otherwise not forwarded: the upstream has none).
    pub temperature: Option<f64>,
    /// 0–1 (range-checked, otherwise not forwarded).
    pub top_p: Option<f64>,
    /// `{type: enabled|disabled|adaptive, budget_tokens?}`; accepted, reasoning depends on the model.
    pub thinking: Option<ThinkingConfig>,
    /// Tool definitions.
    pub tools: Option<Vec<ToolDefinition>>,
    /// `{type: auto|any|none|tool, name?}`.
    pub tool_choice: Option<ToolChoice>,
    /// `{user_id}`; only its length is checked.
    pub metadata: Option<Metadata>,
    /// `{effort: low|medium|high|…}`: the effort is forwarded as `reasoningEffort` when the model declares
    /// that level (3.x), otherwise ignored.
    pub output_config: Option<serde_json::Value>,
}

/// `metadata`: Anthropic defines only `user_id`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Metadata {
    /// An opaque end-user id (Claude Code sends a long JSON string of ids).
    pub user_id: Option<Value>,
}

/// `system`: a string or an array of text blocks (with `cache_control`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SystemPrompt {
    /// Plain text.
    Text(String),
    /// Blocks; only their text matters.
    Blocks(Vec<ContentBlock>),
}

/// One turn. `role` is optional so a missing role gets a 400 naming the field.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Message {
    /// `user | assistant`, or `system` between turns (the mid-conversation system beta that
    /// Claude Code 2.1 sends).
    pub role: Option<String>,
    /// A string or an array of blocks.
    pub content: Option<MessageContent>,
}

/// Message content.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum MessageContent {
    /// Plain text.
    Text(String),
    /// Typed blocks.
    Blocks(Vec<ContentBlock>),
}

/// One content block of any type. Every payload field is optional so that every block type
/// parses; validation and conversion decide what each type means.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContentBlock {
    /// `text | image | document | tool_use | tool_result | thinking | redacted_thinking | …`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// For `text`.
    pub text: Option<String>,
    /// For `image` and `document` (other shapes, e.g. `search_result`'s string, are dropped).
    #[serde(default, deserialize_with = "lenient")]
    pub source: Option<BlockSource>,
    /// For `document`.
    pub title: Option<String>,
    /// For `tool_use`.
    pub id: Option<String>,
    /// For `tool_use`.
    pub name: Option<String>,
    /// For `tool_use`: the arguments object.
    pub input: Option<Value>,
    /// For `tool_result`.
    pub tool_use_id: Option<String>,
    /// For `tool_result` (and `search_result`): a string or blocks; other shapes are dropped.
    #[serde(default, deserialize_with = "lenient")]
    pub content: Option<ToolResultContent>,
    /// For `tool_result`.
    pub is_error: Option<bool>,
    /// For `thinking`.
    pub thinking: Option<String>,
    /// For `redacted_thinking`.
    pub data: Option<String>,
}

/// Reads `T` when the value has its shape and `None` otherwise (see the module header).
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

/// `source` of an image or document block.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BlockSource {
    /// `base64 | url | text | content | file`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// For `base64` and `text`.
    pub media_type: Option<String>,
    /// For `base64` (the payload) and `text` (the text).
    pub data: Option<String>,
    /// For `url`.
    pub url: Option<String>,
    /// For `content` documents: blocks.
    pub content: Option<ToolResultContent>,
}

/// `tool_result.content` (and `content` document sources): a string or blocks.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ToolResultContent {
    /// Plain text.
    Text(String),
    /// Blocks (text, image, document, …).
    Blocks(Vec<ContentBlock>),
}

/// `thinking`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ThinkingConfig {
    /// `enabled | disabled | adaptive`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// For `enabled`.
    pub budget_tokens: Option<u64>,
}

/// One entry of `tools` (client tools and server tools alike).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ToolDefinition {
    /// The tool name.
    pub name: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Its JSON Schema.
    pub input_schema: Option<Value>,
}

/// `tool_choice`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ToolChoice {
    /// `auto | any | none | tool`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// For `tool`.
    pub name: Option<String>,
    /// Keep at most one call per answer.
    pub disable_parallel_tool_use: Option<bool>,
}
