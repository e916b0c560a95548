//! Conversion of an Anthropic Messages request into the neutral [`Transcript`], with a 400 naming
//! the block (`messages.i.content.j`) for anything the upstream cannot take.
//!
//! - `system` (a string or text blocks, `cache_control` ignored) becomes the system prompt, less
//!   Claude Code's `x-anthropic-billing-header:` line, which is accounting metadata for
//!   Anthropic's servers and only noise to the model;
//! - a `system` message between turns (the mid-conversation system beta) becomes a labelled
//!   system turn at its place, keeping its text blocks;
//! - `text` blocks stay text; `image` blocks (base64 or url) become images; text documents (plain
//!   text or content sources) become text under their title; PDF, URL and file documents are
//!   refused (the upstream takes text and images only);
//! - `tool_use` blocks are written in the tool convention's own form in the assistant turn (one
//!   object for consecutive calls); `tool_result` blocks become tool turns of labelled text naming
//!   the tool (with their images), in order with the rest (see `api::tools`);
//! - `thinking` and `redacted_thinking` blocks, which Claude Code echoes back, are not replayed;
//!   other block types contribute their `text` if they have one and are skipped otherwise;
//! - declared tools (see [`tool_config`]) add the tool instructions to the system part.

use std::collections::HashMap;

use crate::api::anthropic::request::{
    BlockSource, ContentBlock, MessageContent, MessagesRequest, SystemPrompt, ToolResultContent,
};
use crate::api::error::ApiError;
use crate::api::tools::prompt::{calls_text, result_text};
use crate::api::tools::{PastCall, ToolChoice, ToolConfig, ToolSpec};
use crate::prompt::{ImageSource, Part, Role, Transcript, Turn};

/// The transcript of `request`. Expects [`super::validate::validate_common`] to have passed.
pub fn to_transcript(request: &MessagesRequest) -> Result<Transcript, ApiError> {
    let mut transcript = Transcript::default();
    match &request.system {
        Some(SystemPrompt::Text(text)) if !text.trim().is_empty() => transcript.system.push(text.clone()),
        Some(SystemPrompt::Blocks(blocks)) => {
            let text = blocks
                .iter()
                .filter_map(|block| block.text.as_deref())
                .filter(|text| !is_billing_header(text))
                .collect::<Vec<_>>()
                .join("\n");
            if !text.trim().is_empty() {
                transcript.system.push(text);
            }
        }
        _ => {}
    }
    let names = call_names(request);
    for (index, message) in request.messages.iter().flatten().enumerate() {
        let role = match message.role.as_deref() {
            Some("user") => Role::User,
            Some("assistant") => Role::Assistant,
            Some("system") => {
                push_system_turn(&mut transcript, message.content.as_ref());
                continue;
            }
            other => {
                return Err(ApiError::invalid_param(
                    format!("messages.{index}.role"),
                    format!("Unexpected role {other:?}; expected 'user' or 'assistant'."),
                ));
            }
        };
        let mut builder = TurnBuilder {
            transcript: &mut transcript,
            names: &names,
            role,
            parts: Vec::new(),
            calls: Vec::new(),
        };
        match &message.content {
            Some(MessageContent::Text(text)) => builder.push(role, Part::Text(text.clone())),
            Some(MessageContent::Blocks(blocks)) => {
                for (block_index, block) in blocks.iter().enumerate() {
                    convert_block(
                        &format!("messages.{index}.content.{block_index}"),
                        role,
                        block,
                        &mut builder,
                    )?;
                }
            }
            None => {}
        }
        builder.flush();
    }
    if let Some(instructions) = tool_config(request).instructions() {
        transcript.system.push(instructions);
    }
    Ok(transcript)
}

/// Whether a system block is Claude Code's billing header (`x-anthropic-billing-header:
/// cc_version=…; cc_entrypoint=…;`): one line that Anthropic's servers read and strip.
fn is_billing_header(text: &str) -> bool {
    let text = text.trim();
    text.starts_with("x-anthropic-billing-header:") && !text.contains('\n')
}

/// A mid-conversation system message as a system turn of its text (only text is meaningful in
/// a system message; other blocks are skipped).
fn push_system_turn(transcript: &mut Transcript, content: Option<&MessageContent>) {
    let text = match content {
        Some(MessageContent::Text(text)) => text.clone(),
        Some(MessageContent::Blocks(blocks)) => blocks
            .iter()
            .filter_map(|block| block.text.as_deref())
            .collect::<Vec<_>>()
            .join("\n"),
        None => String::new(),
    };
    if !text.trim().is_empty() {
        transcript.turns.push(Turn::text(Role::System, text));
    }
}

/// The request's tools in neutral form: every tool with a name (its `input_schema` checks the
/// arguments), `tool_choice` and `disable_parallel_tool_use`.
pub fn tool_config(request: &MessagesRequest) -> ToolConfig {
    let tools = request
        .tools
        .iter()
        .flatten()
        .filter_map(|tool| {
            ToolSpec::declared(
                tool.name.as_deref(),
                tool.description.as_ref(),
                tool.input_schema.as_ref(),
            )
        })
        .collect();
    let choice = request.tool_choice.as_ref();
    ToolConfig {
        tools,
        choice: match choice.map(|choice| (choice.kind.as_str(), choice.name.as_deref())) {
            Some(("none", _)) => ToolChoice::None,
            Some(("any", _)) => ToolChoice::Required,
            Some(("tool", Some(name))) => ToolChoice::Named(name.to_owned()),
            _ => ToolChoice::Auto,
        },
        parallel: !choice
            .and_then(|choice| choice.disable_parallel_tool_use)
            .unwrap_or(false),
    }
}

/// Tool names by `tool_use` id, so results can name their tool.
fn call_names(request: &MessagesRequest) -> HashMap<String, String> {
    request
        .messages
        .iter()
        .flatten()
        .filter_map(|message| match &message.content {
            Some(MessageContent::Blocks(blocks)) => Some(blocks),
            _ => None,
        })
        .flatten()
        .filter(|block| block.kind == "tool_use")
        .filter_map(|block| Some((block.id.clone()?, block.name.clone()?)))
        .collect()
}

/// Collects the parts of one message into turns: a role change (tool results inside a user
/// message) closes the current turn and starts another, keeping the order. Consecutive tool calls
/// are written as one call object.
struct TurnBuilder<'a> {
    transcript: &'a mut Transcript,
    names: &'a HashMap<String, String>,
    role: Role,
    parts: Vec<Part>,
    calls: Vec<PastCall>,
}

impl TurnBuilder<'_> {
    fn push_call(&mut self, role: Role, call: PastCall) {
        if role != self.role {
            self.flush();
            self.role = role;
        }
        self.calls.push(call);
    }

    fn flush_calls(&mut self) {
        if !self.calls.is_empty() {
            let text = calls_text(&std::mem::take(&mut self.calls));
            self.parts.push(Part::Text(text));
        }
    }

    fn push(&mut self, role: Role, part: Part) {
        if matches!(&part, Part::Text(text) if text.is_empty()) {
            return;
        }
        self.flush_calls();
        if role != self.role {
            self.flush();
            self.role = role;
        }
        self.parts.push(part);
    }

    fn flush(&mut self) {
        self.flush_calls();
        if !self.parts.is_empty() {
            let parts = std::mem::take(&mut self.parts);
            self.transcript.turns.push(Turn {
                role: self.role,
                parts,
            });
        }
    }
}

fn convert_block(
    param: &str,
    role: Role,
    block: &ContentBlock,
    builder: &mut TurnBuilder<'_>,
) -> Result<(), ApiError> {
    match block.kind.as_str() {
        "text" => builder.push(role, Part::Text(block.text.clone().unwrap_or_default())),
        // Images in assistant history cannot be replayed as the model's own; they are dropped.
        "image" if role == Role::Assistant => {}
        "image" => builder.push(role, image(param, block.source.as_ref())?),
        "document" => builder.push(role, Part::Text(document_text(param, block)?)),
        "tool_use" => {
            let name = block.name.as_deref().unwrap_or("unknown");
            let arguments = block
                .input
                .clone()
                .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
            builder.push_call(
                role,
                PastCall {
                    name: name.to_owned(),
                    arguments,
                },
            );
        }
        "tool_result" => {
            let (text, images) = match &block.content {
                Some(content) => nested_content(&format!("{param}.content"), content)?,
                None => (String::new(), Vec::new()),
            };
            let is_error = block.is_error.unwrap_or(false);
            let id = block.tool_use_id.as_deref();
            let name = id.and_then(|id| builder.names.get(id)).map(String::as_str);
            builder.push(Role::Tool, Part::Text(result_text(name, id, is_error, &text)));
            for image in images {
                builder.push(Role::Tool, image);
            }
        }
        "thinking" | "redacted_thinking" => {}
        _ => {
            if let Some(text) = &block.text {
                builder.push(role, Part::Text(text.clone()));
            }
        }
    }
    Ok(())
}

/// An image block's source as an image part.
fn image(param: &str, source: Option<&BlockSource>) -> Result<Part, ApiError> {
    let source =
        source.ok_or_else(|| ApiError::invalid_param(format!("{param}.source"), "Field required."))?;
    match source.kind.as_str() {
        "base64" => {
            let media_type = source.media_type.as_deref().unwrap_or_default();
            if !media_type.starts_with("image/") {
                return Err(ApiError::invalid_param(
                    format!("{param}.source.media_type"),
                    "Expected an image media type such as image/png or image/jpeg.",
                ));
            }
            let data = source.data.as_deref().unwrap_or_default();
            Ok(Part::Image(ImageSource::DataUrl(format!(
                "data:{media_type};base64,{data}"
            ))))
        }
        "url" => match source.url.as_deref() {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                Ok(Part::Image(ImageSource::Url(url.to_owned())))
            }
            _ => Err(ApiError::invalid_param(
                format!("{param}.source.url"),
                "Expected an http(s) URL.",
            )),
        },
        other => Err(ApiError::invalid_param(
            format!("{param}.source.type"),
            format!("Image source type '{other}' is not supported; send base64 data or a URL."),
        )),
    }
}

/// A text document as labelled text; other documents are refused.
fn document_text(param: &str, block: &ContentBlock) -> Result<String, ApiError> {
    let source = block.source.as_ref();
    let body = match source.map(|source| source.kind.as_str()) {
        Some("text") => source.and_then(|source| source.data.clone()).unwrap_or_default(),
        Some("content") => match source.and_then(|source| source.content.as_ref()) {
            Some(content) => nested_content(&format!("{param}.source.content"), content)?.0,
            None => String::new(),
        },
        _ => {
            return Err(ApiError::invalid_param(
                param,
                "PDF and other binary documents are not supported: Taiji AI accepts text and images \
                 only. Send the document's text instead.",
            ));
        }
    };
    Ok(match block.title.as_deref() {
        Some(title) if !title.is_empty() => format!("[document: {title}]\n{body}"),
        _ => body,
    })
}

/// The text and images inside a tool result or a content document.
fn nested_content(param: &str, content: &ToolResultContent) -> Result<(String, Vec<Part>), ApiError> {
    match content {
        ToolResultContent::Text(text) => Ok((text.clone(), Vec::new())),
        ToolResultContent::Blocks(blocks) => {
            let mut texts = Vec::new();
            let mut images = Vec::new();
            for (index, block) in blocks.iter().enumerate() {
                let block_param = format!("{param}.{index}");
                match block.kind.as_str() {
                    "image" => images.push(image(&block_param, block.source.as_ref())?),
                    "document" => texts.push(document_text(&block_param, block)?),
                    _ => texts.extend(block.text.clone()),
                }
            }
            Ok((texts.join("\n"), images))
        }
    }
}
