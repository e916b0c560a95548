//! Conversion of an OpenAI chat request's messages into the neutral [`Transcript`], with a 400
//! naming the part (`messages[i].content[j]`) for anything the upstream cannot take.
//!
//! - `system` and `developer` messages become system prompts (text only);
//! - `user` content keeps text and images (`image_url` with an `http(s)` or `data:` URL, and
//!   `file` parts that carry an image `data:` URL); audio and documents are refused;
//! - `assistant` history keeps its text (and refusals); tool calls become labelled text, echoed
//!   `reasoning_content` is not replayed;
//! - `tool` and legacy `function` results become tool turns of labelled text (see `api::tools`);
//! - declared tools and a JSON `response_format` add a short instruction to the system part.

use crate::api::error::ApiError;
use crate::api::openai::request::{
    ChatCompletionRequest, ChatMessage, ContentPart, MessageContent, ResponseFormat,
};
use crate::api::tools::{tool_call_text, tool_result_text, tools_unavailable_note};
use crate::prompt::{ImageSource, Part, Role, Transcript, Turn};

/// The transcript of `request`. Expects [`super::validate_options`] to have passed (roles known,
/// messages present); an unknown role is still refused here rather than skipped.
pub fn to_transcript(request: &ChatCompletionRequest) -> Result<Transcript, ApiError> {
    let mut transcript = Transcript::default();
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
            "tool" | "function" => push_turn(&mut transcript, Role::Tool, tool_parts(index, message, role)?),
            other => {
                return Err(ApiError::invalid_param(
                    format!("messages[{index}].role"),
                    format!("Invalid value '{other}' for messages[{index}].role."),
                ));
            }
        }
    }
    let tool_names: Vec<String> = request
        .tools
        .iter()
        .flatten()
        .filter_map(|tool| tool.name().map(str::to_owned))
        .chain(
            request
                .functions
                .iter()
                .flatten()
                .filter_map(|function| function.name.clone()),
        )
        .collect();
    if request.tools.as_ref().is_some_and(|tools| !tools.is_empty())
        || request
            .functions
            .as_ref()
            .is_some_and(|functions| !functions.is_empty())
    {
        transcript.system.push(tools_unavailable_note(&tool_names));
    }
    if let Some(instruction) = request.response_format.as_ref().and_then(json_instruction) {
        transcript.system.push(instruction);
    }
    Ok(transcript)
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
    for call in message.tool_calls.iter().flatten() {
        if let Some(function) = &call.function {
            let name = function.name.as_deref().unwrap_or("unknown");
            lines.push(tool_call_text(
                call.id.as_deref(),
                name,
                &function.arguments_text(),
            ));
        }
    }
    if let Some(function) = &message.function_call {
        let name = function.name.as_deref().unwrap_or("unknown");
        lines.push(tool_call_text(None, name, &function.arguments_text()));
    }
    lines.retain(|line| !line.trim().is_empty());
    if lines.is_empty() {
        Vec::new()
    } else {
        vec![Part::Text(lines.join("\n"))]
    }
}

fn tool_parts(index: usize, message: &ChatMessage, role: &str) -> Result<Vec<Part>, ApiError> {
    // A legacy `function` result names the function instead of a call id.
    let id = if role == "function" {
        message.name.as_deref()
    } else {
        message.tool_call_id.as_deref()
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
    let mut parts = vec![Part::Text(tool_result_text(id, false, &texts.join("\n")))];
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
