//! Validation of an Anthropic Messages request's options: every check that produces a 400 naming
//! the field and why, before anything is sent upstream. Anthropic has no `param` field, so the
//! field path (`messages.2.role`, Anthropic's own style) is prefixed to the message. The content
//! blocks are checked while they are converted ([`super::convert`]).

use crate::api::anthropic::request::MessagesRequest;
use crate::api::bounds;
use crate::api::error::ApiError;
use crate::api::limits::OutputLimits;

/// The request's options after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagesOptions {
    /// The requested model id (not yet resolved against the catalog).
    pub model: String,
    /// Whether to stream.
    pub stream: bool,
    /// Stop sequences and the output budget to emulate.
    pub limits: OutputLimits,
}

/// Checks the options of a Messages request.
pub fn validate_options(request: &MessagesRequest) -> Result<MessagesOptions, ApiError> {
    let model = validate_common(request)?;
    if request.max_tokens == Some(0) {
        return Err(ApiError::invalid_param(
            "max_tokens",
            "max_tokens must be at least 1.",
        ));
    }
    check_range("temperature", request.temperature)?;
    check_range("top_p", request.top_p)?;
    let stop_sequences = request
        .stop_sequences
        .iter()
        .flatten()
        .filter(|sequence| !sequence.is_empty())
        .cloned()
        .collect();
    Ok(MessagesOptions {
        model,
        stream: request.stream.unwrap_or(false),
        limits: OutputLimits {
            stop_sequences,
            max_output_tokens: request.max_tokens,
        },
    })
}

/// The checks shared with `count_tokens`: a model and at least one message with a known role
/// (`user`, `assistant`, or `system` between turns).
/// Returns the model id.
pub fn validate_common(request: &MessagesRequest) -> Result<String, ApiError> {
    let model = match request.model.as_deref().map(str::trim) {
        Some(model) if !model.is_empty() => model.to_owned(),
        _ => return Err(ApiError::invalid_param("model", "Field required.")),
    };
    bounds::check_len("model", &model, bounds::MAX_MODEL_CHARS)?;
    let user_id = request
        .metadata
        .as_ref()
        .and_then(|metadata| metadata.user_id.as_ref());
    // Claude Code's `user_id` is a JSON string of several ids, well under this.
    bounds::check_value_len("metadata.user_id", user_id, 4 * bounds::MAX_USER_CHARS)?;
    let messages = match &request.messages {
        None => return Err(ApiError::invalid_param("messages", "Field required.")),
        Some(messages) if messages.is_empty() => {
            return Err(ApiError::invalid_param(
                "messages",
                "At least one message is required.",
            ));
        }
        Some(messages) => messages,
    };
    for (index, message) in messages.iter().enumerate() {
        match message.role.as_deref() {
            // `system` between turns is Anthropic's mid-conversation system beta (Claude Code).
            Some("user" | "assistant" | "system") => {}
            Some(other) => {
                return Err(ApiError::invalid_param(
                    format!("messages.{index}.role"),
                    format!(
                        "Unexpected role '{}'; expected 'user', 'assistant' or 'system'.",
                        bounds::truncate(other, 40)
                    ),
                ));
            }
            None => {
                return Err(ApiError::invalid_param(
                    format!("messages.{index}.role"),
                    "Field required.",
                ));
            }
        }
    }
    Ok(model)
}

/// Anthropic's sampling parameters lie in `0..=1`; otherwise ignored (the upstream has none).
fn check_range(param: &str, value: Option<f64>) -> Result<(), ApiError> {
    match value {
        Some(value) if !(0.0..=1.0).contains(&value) => Err(ApiError::invalid_param(
            param,
            format!("{value} is out of range: expected a number between 0 and 1."),
        )),
        _ => Ok(()),
    }
}
