//! Tool calling, emulated. The upstream web chat has no tools: it takes one text and streams text
//! back. This module is the only place that knows how the gateway bridges that gap:
//!
//! - **The convention.** Declared tools are described in the prompt ([`prompt`], one template),
//!   and the model is asked to call them by answering with one JSON object,
//!   `{"tool_calls":[{"name":"…","arguments":{…}}]}`, and nothing after it. Several entries are
//!   parallel calls. This is the convention with live evidence on the real site (a validated call
//!   and a two-turn agent loop, `taiji-protocol.md` §9); see ARCHITECTURE.md for the choice.
//! - **The parser.** [`parser::CallParser`] reads the answer as it streams: text streams on at
//!   once, and only what may be the start of a call (`{` + `"tool_calls"`, optionally inside a
//!   Markdown fence) is held back until it is decided. `<think>` reasoning is split off before
//!   (by the dispatcher), so it never reaches the parser.
//! - **The shaper.** [`ToolCallShaper`] turns a captured call into native output
//!   ([`crate::api::output::OutputEvent::ToolCall`]) after checking the tool name and the
//!   arguments against the tool's JSON Schema. A malformed, unknown or invalid call is passed on
//!   as the model's text, as it was. Text after a call is dropped (the model cannot know the
//!   result yet), and the answer then ends with [`crate::api::output::StopReason::ToolUse`].
//! - **`tool_choice`** is honoured through the prompt only: `auto`; `none` (tools not described,
//!   nothing parsed); required/any and a named tool (the prompt says a call is required). The
//!   gateway never sends a second upstream message to force a call: a model that ignores the
//!   instruction is answered with its text. `parallel_tool_calls: false` /
//!   `disable_parallel_tool_use` keep only the first call.
//! - **History.** Earlier assistant calls are rendered back in the convention's own form, and tool
//!   results as labelled text naming the tool ([`prompt::calls_text`], [`prompt::result_text`]),
//!   so multi-step agent loops see their past the way they should write it.

pub mod parser;
pub mod prompt;
mod shaper;

pub use shaper::ToolCallShaper;

use serde_json::Value;

/// One tool the client declared, in neutral form.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    /// The name the model must call it by.
    pub name: String,
    /// What it does (may be long; the prompt trims it).
    pub description: String,
    /// The JSON Schema of its arguments, when the client gave one.
    pub schema: Option<Value>,
}

impl ToolSpec {
    /// A tool as a request declares it, or `None` when its name is missing or blank: the model
    /// could never call it.
    pub fn declared(
        name: Option<&str>,
        description: Option<&String>,
        schema: Option<&Value>,
    ) -> Option<Self> {
        let name = name.filter(|name| !name.trim().is_empty())?;
        Some(Self {
            name: name.to_owned(),
            description: description.cloned().unwrap_or_default(),
            schema: schema.cloned(),
        })
    }
}

/// What the client allows or demands, in neutral form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ToolChoice {
    /// The model decides.
    #[default]
    Auto,
    /// No calls: tools are not described and nothing is parsed.
    None,
    /// At least one call (OpenAI `required`, Anthropic `any`).
    Required,
    /// A call of exactly this tool.
    Named(String),
}

/// The tools of one request and how they may be used.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToolConfig {
    /// The declared tools, in the client's order.
    pub tools: Vec<ToolSpec>,
    /// `tool_choice`.
    pub choice: ToolChoice,
    /// Whether several calls in one answer are allowed (otherwise only the first is kept).
    pub parallel: bool,
}

impl ToolConfig {
    /// Whether the answer must be parsed for calls.
    pub fn parses_calls(&self) -> bool {
        !self.tools.is_empty() && self.choice != ToolChoice::None
    }

    /// The instructions for the system part of the prompt, if any tools were declared.
    pub fn instructions(&self) -> Option<String> {
        prompt::instructions(self)
    }

    /// A shaper for one answer, or `None` when calls are not parsed.
    pub fn shaper(&self) -> Option<ToolCallShaper> {
        self.parses_calls().then(|| ToolCallShaper::new(self.clone()))
    }
}

/// One earlier call in the history, as the API layers hand it to [`prompt::calls_text`].
#[derive(Debug, Clone, PartialEq)]
pub struct PastCall {
    /// The tool's name.
    pub name: String,
    /// The arguments (an object; JSON text that does not parse is kept as a string).
    pub arguments: Value,
}

impl PastCall {
    /// A past call from arguments given as JSON text (OpenAI's form).
    pub fn from_json_text(name: impl Into<String>, arguments: &str) -> Self {
        let arguments = if arguments.trim().is_empty() {
            Value::Object(serde_json::Map::new())
        } else {
            serde_json::from_str(arguments).unwrap_or_else(|_| Value::String(arguments.to_owned()))
        };
        Self {
            name: name.into(),
            arguments,
        }
    }
}
