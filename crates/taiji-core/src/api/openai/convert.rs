//! Conversion of an OpenAI chat request's messages into the neutral [`Transcript`], with a 400
//! naming the part (`messages[i].content[j]`) for anything the upstream cannot take.
//!
//! - `system` and `developer` messages become system prompts (text only);
//! - `user` content keeps text and images (`image_url` with an `http(s)` or `data:` URL, and
//!   `file` parts that carry an image `data:` URL); audio and documents are refused;
//! - `assistant` history keeps its text (and refusals); its tool calls are written in the tool
//!   convention's own form, echoed `reasoning_content` is not replayed;
//! - `tool` and legacy `function` results become tool turns of labelled text naming the tool
//!   (see `api::tools`);
//! - declared tools (see [`tool_config`]) and a JSON `response_format` add instructions to the
//!   system part.

use std::collections::HashMap;

use serde_json::Value;

use crate::api::error::ApiError;
use crate::api::openai::request::{
    ChatCompletionRequest, ChatMessage, ContentPart, MessageContent, ResponseFormat,
};
use crate::api::tools::prompt::{calls_text, result_text};
use crate::api::tools::{PastCall, ToolChoice, ToolConfig, ToolSpec};
use crate::prompt::{ImageSource, Part, Role, Transcript, Turn};

/// The transcript of `request`. Expects [`super::validate_options`] to have passed (roles known,
/// messages present); an unknown role is still refused here rather than skipped.
pub fn to_transcript(request: &ChatCompletionRequest) -> Result<Transcript, ApiError> {
    let mut transcript = Transcript::default();
    let names = call_names(request);
    for (index, message) in request.messages.iter().flatten().enumerate() {
        let role = message.role.as_deref().unwrap_or_default();
        match role {
            "system" | "developer" => {
                let text = system_text(index, message)?;
                if !text.trim().is_empty() {
                    transcript.system.push(text);
                }
            }
            "user" => push_turn(&mut transcript, Role::User, user_parts(index, message)?),
            "assistant" => push_turn(&mut transcript, Role::Assistant, assistant_parts(message)),
            "tool" | "function" => push_turn(
                &mut transcript,
                Role::Tool,
                tool_parts(index, message, role, &names)?,
            ),
            other => {
                return Err(ApiError::invalid_param(
                    format!("messages[{index}].role"),
                    format!("Invalid value '{other}' for messages[{index}].role."),
                ));
            }
        }
    }
    if let Some(instructions) = tool_config(request).instructions() {
        transcript.system.push(instructions);
    }
    if let Some(instruction) = request.response_format.as_ref().and_then(json_instruction) {
        transcript.system.push(instruction);
    }
    Ok(transcript)
}

/// The request's tools in neutral form: `function` tools and legacy `functions` (custom tools
/// take free text, not JSON arguments, and are left out), `tool_choice` (or legacy
/// `function_call`), and `parallel_tool_calls`.
pub fn tool_config(request: &ChatCompletionRequest) -> ToolConfig {
    let mut tools: Vec<ToolSpec> = request
        .tools
        .iter()
        .flatten()
        .filter_map(|tool| tool.function.as_ref())
        .chain(request.functions.iter().flatten())
        .filter_map(|function| {
            ToolSpec::declared(
                function.name.as_deref(),
                function.description.as_ref(),
                function.parameters.as_ref(),
            )
        })
        .collect();
    let choice = match request.tool_choice.as_ref().or(request.function_call.as_ref()) {
        Some(Value::String(mode)) => match mode.as_str() {
            "none" => ToolChoice::None,
            "required" => ToolChoice::Required,
            _ => ToolChoice::Auto,
        },
        Some(Value::Object(object)) => match object.get("type").and_then(Value::as_str) {
            Some("allowed_tools") => {
                let allowed = object.get("allowed_tools");
                let names: Vec<&str> = allowed
                    .and_then(|allowed| allowed.get("tools"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(named_tool)
                    .collect();
                if !names.is_empty() {
                    tools.retain(|tool| names.contains(&tool.name.as_str()));
                }
                match allowed
                    .and_then(|allowed| allowed.get("mode"))
                    .and_then(Value::as_str)
                {
                    Some("required") => ToolChoice::Required,
                    _ => ToolChoice::Auto,
                }
            }
            _ => named_tool(&Value::Object(object.clone()))
                .map_or(ToolChoice::Auto, |name| ToolChoice::Named(name.to_owned())),
        },
        _ => ToolChoice::Auto,
    };
    ToolConfig {
        tools,
        choice,
        parallel: request.parallel_tool_calls.unwrap_or(true),
    }
}

/// The name in `{"type":"function","function":{"name"}}`, `{"type":"custom","custom":{"name"}}`
/// or legacy `{"name"}`.
fn named_tool(choice: &Value) -> Option<&str> {
    choice
        .get("function")
        .or_else(|| choice.get("custom"))
        .unwrap_or(choice)
        .get("name")
        .and_then(Value::as_str)
}

/// Tool names by call id, from the assistant turns, so results can name their tool.
fn call_names(request: &ChatCompletionRequest) -> HashMap<String, String> {
    request
        .messages
        .iter()
        .flatten()
        .flat_map(|message| message.tool_calls.iter().flatten())
        .filter_map(|call| {
            let name = call.function.as_ref()?.name.clone()?;
            Some((call.id.clone()?, name))
        })
        .collect()
}

/// Adds a turn unless it has nothing in it.
fn push_turn(transcript: &mut Transcript, role: Role, parts: Vec<Part>) {
    if !parts.is_empty() {
        transcript.turns.push(Turn { role, parts });
    }
}

/// The parts of a message's content, or none for `null`.
fn parts_of(message: &ChatMessage) -> &[ContentPart] {
    match &message.content {
        Some(MessageContent::Parts(parts)) => parts,
        _ => &[],
    }
}

fn system_text(index: usize, message: &ChatMessage) -> Result<String, ApiError> {
    if let Some(MessageContent::Text(text)) = &message.content {
        return Ok(text.clone());
    }
    let mut texts = Vec::new();
    for (part_index, part) in parts_of(message).iter().enumerate() {
        match (part.kind.as_str(), &part.text) {
            ("text", Some(text)) => texts.push(text.as_str()),
            _ => {
                return Err(ApiError::invalid_param(
                    format!("messages[{index}].content[{part_index}]"),
                    format!(
                        "System and developer messages may only contain text parts, not '{}'.",
                        part.kind
                    ),
                ));
            }
        }
    }
    Ok(texts.join("\n"))
}

fn user_parts(index: usize, message: &ChatMessage) -> Result<Vec<Part>, ApiError> {
    if let Some(MessageContent::Text(text)) = &message.content {
        return Ok(non_empty_text(text));
    }
    let mut parts = Vec::new();
    for (part_index, part) in parts_of(message).iter().enumerate() {
        parts.push(content_part(
            &format!("messages[{index}].content[{part_index}]"),
            part,
        )?);
    }
    Ok(parts)
}

/// One user (or tool) content part.
fn content_part(param: &str, part: &ContentPart) -> Result<Part, ApiError> {
    match part.kind.as_str() {
        "text" => Ok(Part::Text(part.text.clone().unwrap_or_default())),
        "image_url" => {
            let url = part
                .image_url
                .as_ref()
                .map(|image| image.url().trim())
                .unwrap_or_default();
            image_from_url(url).ok_or_else(|| {
                ApiError::invalid_param(
                    format!("{param}.image_url.url"),
                    "Expected an http(s) URL or a data:image/… URL.",
                )
            })
        }
        "file" => {
            let data = part
                .file
                .as_ref()
                .and_then(|file| file.file_data.as_deref())
                .unwrap_or_default();
            if data.starts_with("data:image/") {
                Ok(Part::Image(ImageSource::DataUrl(data.to_owned())))
            } else {
                Err(ApiError::invalid_param(
                    param,
                    "File parts (PDFs and other documents) are not supported: Taiji AI accepts text and \
                     images only. Send the document's text as a text part.",
                ))
            }
        }
        "input_audio" => Err(ApiError::invalid_param(
            param,
            "Audio input (input_audio) is not supported: Taiji AI accepts text and images only.",
        )),
        other => Err(ApiError::invalid_param(
            param,
            format!("Unsupported content part type '{other}': Taiji AI accepts text and images only."),
        )),
    }
}

/// An image part for an `http(s)` or `data:image/` URL.
fn image_from_url(url: &str) -> Option<Part> {
    let lower = url.get(..11).unwrap_or(url).to_ascii_lowercase();
    if lower.starts_with("data:image/") {
        Some(Part::Image(ImageSource::DataUrl(url.to_owned())))
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        Some(Part::Image(ImageSource::Url(url.to_owned())))
    } else {
        None
    }
}

fn assistant_parts(message: &ChatMessage) -> Vec<Part> {
    let mut lines: Vec<String> = Vec::new();
    match &message.content {
        Some(MessageContent::Text(text)) => lines.push(text.clone()),
        Some(MessageContent::Parts(parts)) => {
            // Only text and refusals exist in assistant content; anything else is ignored.
            lines.extend(
                parts
                    .iter()
                    .filter_map(|part| part.text.clone().or_else(|| part.refusal.clone())),
            );
        }
        None => {}
    }
    let calls: Vec<PastCall> = message
        .tool_calls
        .iter()
        .flatten()
        .filter_map(|call| call.function.as_ref())
        .chain(message.function_call.as_ref())
        .map(|function| {
            let name = function.name.as_deref().unwrap_or("unknown");
            PastCall::from_json_text(name, &function.arguments_text())
        })
        .collect();
    if !calls.is_empty() {
        lines.push(calls_text(&calls));
    }
    lines.retain(|line| !line.trim().is_empty());
    if lines.is_empty() {
        Vec::new()
    } else {
        vec![Part::Text(lines.join("\n"))]
    }
}

fn tool_parts(
    index: usize,
    message: &ChatMessage,
    role: &str,
    names: &HashMap<String, String>,
) -> Result<Vec<Part>, ApiError> {
    // A legacy `function` result names the function instead of a call id.
    let (name, id) = if role == "function" {
        (message.name.as_deref(), None)
    } else {
        let id = message.tool_call_id.as_deref();
        let name = id.and_then(|id| names.get(id)).map(String::as_str);
        (name, id)
    };
    let mut texts = Vec::new();
    let mut images = Vec::new();
    match &message.content {
        Some(MessageContent::Text(text)) => texts.push(text.clone()),
        Some(MessageContent::Parts(parts)) => {
            for (part_index, part) in parts.iter().enumerate() {
                match content_part(&format!("messages[{index}].content[{part_index}]"), part)? {
                    Part::Text(text) => texts.push(text),
                    image @ Part::Image(_) => images.push(image),
                }
            }
        }
        None => {}
    }
    let mut parts = vec![Part::Text(result_text(name, id, false, &texts.join("\n")))];
    parts.extend(images);
    Ok(parts)
}

fn non_empty_text(text: &str) -> Vec<Part> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![Part::Text(text.to_owned())]
    }
}

/// The instruction for a JSON `response_format`; the upstream cannot enforce it, so the model is
/// asked to comply (best effort, documented in the module header).
fn json_instruction(format: &ResponseFormat) -> Option<String> {
    match format.kind.as_str() {
        "json_object" => Some(String::from(
            "Reply with one valid JSON object and nothing else: no prose, no code fences.",
        )),
        "json_schema" => {
            let mut instruction = String::from(
                "Reply with one valid JSON value and nothing else (no prose, no code fences) that \
                 conforms to this JSON Schema",
            );
            let schema = format.json_schema.as_ref();
            if let Some(name) = schema.and_then(|schema| schema.name.as_deref()) {
                instruction.push_str(&format!(" (\"{name}\")"));
            }
            instruction.push_str(": ");
            instruction.push_str(
                &schema
                    .and_then(|schema| schema.schema.as_ref())
                    .map_or_else(|| String::from("{}"), serde_json::Value::to_string),
            );
            Some(instruction)
        }
        _ => None,
    }
}
