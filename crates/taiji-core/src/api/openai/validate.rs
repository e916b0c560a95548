//! Validation of an OpenAI chat request's options: every check that produces a 400 naming the
//! field (`param`) and why, before anything is sent upstream. The messages themselves are checked
//! while they are converted ([`super::convert`]).

use crate::api::bounds;
use crate::api::error::ApiError;
use crate::api::limits::OutputLimits;
use crate::api::openai::request::ChatCompletionRequest;

/// The roles a message may have; `developer` counts as `system`, `function` as `tool`.
pub const KNOWN_ROLES: [&str; 6] = ["system", "developer", "user", "assistant", "tool", "function"];

/// The request's options after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatOptions {
    /// The requested model id (not yet resolved against the catalog).
    pub model: String,
    /// Whether to stream.
    pub stream: bool,
    /// Whether to send the usage chunk (only meaningful when streaming).
    pub include_usage: bool,
    /// Stop sequences and the output budget to emulate.
    pub limits: OutputLimits,
}

/// Checks the options of `request`.
pub fn validate_options(request: &ChatCompletionRequest) -> Result<ChatOptions, ApiError> {
    let model = match request.model.as_deref().map(str::trim) {
        Some(model) if !model.is_empty() => model.to_owned(),
        _ => {
            return Err(ApiError::invalid_param(
                "model",
                "You must provide a model parameter.",
            ));
        }
    };
    bounds::check_len("model", &model, bounds::MAX_MODEL_CHARS)?;
    bounds::check_value_len("user", request.user.as_ref(), bounds::MAX_USER_CHARS)?;
    bounds::check_metadata(request.metadata.as_ref())?;
    let messages = match &request.messages {
        None => {
            return Err(ApiError::invalid_param(
                "messages",
                "Missing required parameter: 'messages'.",
            ));
        }
        Some(messages) if messages.is_empty() => {
            return Err(ApiError::invalid_param(
                "messages",
                "'messages' must contain at least one message.",
            ));
        }
        Some(messages) => messages,
    };
    for (index, message) in messages.iter().enumerate() {
        match message.role.as_deref() {
            Some(role) if KNOWN_ROLES.contains(&role) => {}
            Some(other) => {
                return Err(ApiError::invalid_param(
                    format!("messages[{index}].role"),
                    format!(
                        "Invalid value '{other}' for messages[{index}].role; expected one of {}.",
                        KNOWN_ROLES.join(", ")
                    ),
                ));
            }
            None => {
                return Err(ApiError::invalid_param(
                    format!("messages[{index}].role"),
                    format!("Missing required parameter: 'messages[{index}].role'."),
                ));
            }
        }
    }
    match request.n {
        Some(0) => return Err(ApiError::invalid_param("n", "n must be at least 1.")),
        Some(n) if n > 1 => {
            return Err(ApiError::invalid_param(
                "n",
                "n > 1 is not supported: Taiji Gateway returns exactly one choice.",
            ));
        }
        _ => {}
    }
    check_range("temperature", request.temperature, 2.0)?;
    check_range("top_p", request.top_p, 1.0)?;
    if let Some(format) = &request.response_format
        && !matches!(format.kind.as_str(), "text" | "json_object" | "json_schema")
    {
        return Err(ApiError::invalid_param(
            "response_format.type",
            format!(
                "Unsupported response_format type '{}'; expected text, json_object or json_schema.",
                format.kind
            ),
        ));
    }
    // `max_completion_tokens` is the current name; the AI SDK still sends `max_tokens`.
    let (limit_param, max_output_tokens) = match (request.max_completion_tokens, request.max_tokens) {
        (Some(max), _) => ("max_completion_tokens", Some(max)),
        (None, max) => ("max_tokens", max),
    };
    if max_output_tokens == Some(0) {
        return Err(ApiError::invalid_param(
            limit_param,
            format!("{limit_param} must be at least 1."),
        ));
    }
    let stop_sequences = request
        .stop
        .as_ref()
        .map(|stop| {
            stop.to_vec()
                .into_iter()
                .filter(|sequence| !sequence.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let stream = request.stream.unwrap_or(false);
    Ok(ChatOptions {
        model,
        stream,
        include_usage: stream
            && request
                .stream_options
                .and_then(|options| options.include_usage)
                .unwrap_or(false),
        limits: OutputLimits {
            stop_sequences,
            max_output_tokens,
        },
    })
}

/// A sampling parameter must lie in `0..=max`. It is otherwise ignored (the upstream has none).
fn check_range(param: &str, value: Option<f64>, max: f64) -> Result<(), ApiError> {
    match value {
        Some(value) if !(0.0..=max).contains(&value) => Err(ApiError::invalid_param(
            param,
            format!("{value} is out of range for {param}: expected a number between 0 and {max}."),
        )),
        _ => Ok(()),
    }
}
