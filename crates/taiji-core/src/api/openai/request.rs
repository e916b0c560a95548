//! The OpenAI Chat Completions request, as lenient serde types: every field a client may send in
//! any of the shapes seen in the wild (client-conformance §1.6), optional where a missing value
//! deserves a clear 400 rather than a serde message, and unknown fields ignored. Checking the
//! values is [`super::validate`]'s job.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

/// `POST /v1/chat/completions` body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChatCompletionRequest {
    /// The requested model id.
    pub model: Option<String>,
    /// The conversation.
    pub messages: Option<Vec<ChatMessage>>,
    /// Whether to stream (decided from the body only, never from `Accept`).
    pub stream: Option<bool>,
    /// Stream options; only `include_usage` matters.
    pub stream_options: Option<StreamOptions>,
    /// Legacy output limit (what the AI SDK sends).
    pub max_tokens: Option<u64>,
    /// Current output limit; preferred over `max_tokens` when both are present.
    pub max_completion_tokens: Option<u64>,
    /// Stop sequences.
    pub stop: Option<StopField>,
    /// Number of choices; only 1 is supported.
    pub n: Option<u64>,
    /// Sampling temperature, 0–2 (range-checked, otherwise not forwarded: the upstream has none).
    pub temperature: Option<f64>,
    /// Nucleus sampling, 0–1 (range-checked, otherwise not forwarded).
    pub top_p: Option<f64>,
    /// Tool definitions.
    pub tools: Option<Vec<ToolDefinition>>,
    /// `"auto" | "none" | "required" | {"type":"function","function":{"name"}} | {"type":"allowed_tools",…}`.
    pub tool_choice: Option<Value>,
    /// Whether several tool calls may come in one answer (default true).
    pub parallel_tool_calls: Option<bool>,
    /// Legacy function definitions.
    pub functions: Option<Vec<FunctionDefinition>>,
    /// Legacy `"auto" | "none" | {"name"}`.
    pub function_call: Option<Value>,
    /// `{type: text | json_object | json_schema, json_schema?}`.
    pub response_format: Option<ResponseFormat>,
    /// `minimal | low | medium | high | …`: forwarded as `reasoningEffort` when the model declares the
    /// level (3.x), otherwise ignored; any other JSON value is ignored too.
    pub reasoning_effort: Option<Value>,
    /// The end user's id; only its length is checked (the upstream has no such field).
    pub user: Option<Value>,
    /// Key-value pairs; only their sizes are checked.
    pub metadata: Option<Value>,
}

/// `stream_options`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct StreamOptions {
    /// Send a usage chunk (`choices: []`) before `[DONE]`.
    pub include_usage: Option<bool>,
}

/// `stop`: one string or a list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum StopField {
    /// A single stop sequence.
    One(String),
    /// Several stop sequences.
    Many(Vec<String>),
}

impl StopField {
    /// The sequences as a list.
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Self::One(sequence) => vec![sequence.clone()],
            Self::Many(sequences) => sequences.clone(),
        }
    }
}

/// One message. `role` is optional here so a missing role gets a 400 naming the field.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChatMessage {
    /// `system | developer | user | assistant | tool | function`.
    pub role: Option<String>,
    /// A string, an array of parts, or null (assistant with tool calls).
    pub content: Option<MessageContent>,
    /// Participant name (ignored except for legacy `function` results).
    pub name: Option<String>,
    /// Assistant tool calls in the history.
    pub tool_calls: Option<Vec<ToolCall>>,
    /// Legacy assistant function call in the history.
    pub function_call: Option<FunctionCall>,
    /// The call a `tool` message answers.
    pub tool_call_id: Option<String>,
    /// Reasoning the AI SDK echoes back on assistant messages; accepted and not replayed.
    pub reasoning_content: Option<IgnoredAny>,
}

/// Message content: a plain string or an array of parts.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum MessageContent {
    /// Plain text.
    Text(String),
    /// Typed parts.
    Parts(Vec<ContentPart>),
}

/// One content part. Every payload field is optional so that unknown or unsupported part types
/// parse, and validation can name them in a 400.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContentPart {
    /// `text | image_url | input_audio | file | refusal | …`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// For `text`.
    pub text: Option<String>,
    /// For `image_url`.
    pub image_url: Option<ImageUrl>,
    /// For `file`.
    pub file: Option<FilePart>,
    /// For `refusal` (assistant history).
    pub refusal: Option<String>,
}

/// `image_url`: normally `{url, detail?}`; some clients send the URL string itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ImageUrl {
    /// `{"url": "...", "detail": "auto|low|high"}`.
    Object {
        /// An `https://` URL or a `data:image/...;base64,` URL.
        url: String,
        /// Accepted and ignored.
        detail: Option<IgnoredAny>,
    },
    /// The URL alone.
    Url(String),
}

impl ImageUrl {
    /// The URL.
    pub fn url(&self) -> &str {
        match self {
            Self::Object { url, .. } | Self::Url(url) => url,
        }
    }
}

/// `file`: `{filename?, file_data?: "data:...;base64,...", file_id?}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FilePart {
    /// The file name.
    pub filename: Option<String>,
    /// A `data:` URL.
    pub file_data: Option<String>,
    /// An uploaded file id (never resolvable here).
    pub file_id: Option<String>,
}

/// One tool call in assistant history.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ToolCall {
    /// The call id.
    pub id: Option<String>,
    /// The function called.
    pub function: Option<FunctionCall>,
}

/// A function call: name and JSON-text arguments.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FunctionCall {
    /// The function name.
    pub name: Option<String>,
    /// The arguments as JSON text (some clients send an object; both are accepted).
    pub arguments: Option<Value>,
}

impl FunctionCall {
    /// The arguments as JSON text.
    pub fn arguments_text(&self) -> String {
        match &self.arguments {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => String::from("{}"),
        }
    }
}

/// One entry of `tools`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ToolDefinition {
    /// `function` (or `custom` in new SDKs).
    #[serde(rename = "type", default)]
    pub kind: String,
    /// For `function` tools.
    pub function: Option<FunctionDefinition>,
    /// For `custom` tools.
    pub custom: Option<FunctionDefinition>,
}

impl ToolDefinition {
    /// The tool's name, whatever its type.
    pub fn name(&self) -> Option<&str> {
        self.function
            .as_ref()
            .or(self.custom.as_ref())
            .and_then(|definition| definition.name.as_deref())
    }
}

/// A function definition.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FunctionDefinition {
    /// The function name.
    pub name: Option<String>,
    /// What it does.
    pub description: Option<String>,
    /// The JSON Schema of its arguments.
    pub parameters: Option<Value>,
}

/// `response_format`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResponseFormat {
    /// `text | json_object | json_schema`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// For `json_schema`: `{name, schema, strict}`.
    pub json_schema: Option<JsonSchemaFormat>,
}

/// `response_format.json_schema`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JsonSchemaFormat {
    /// The schema's name.
    pub name: Option<String>,
    /// The JSON Schema.
    pub schema: Option<Value>,
}
