//! Upper bounds on the short strings a client names things with (model, user, metadata). They are
//! echoed in error messages and stored in the request log, so an unbounded value (a 4 MB model
//! name) would be copied into every answer and row. Values over a bound get a 400 that quotes only
//! their start.

use serde_json::Value;

use crate::api::error::ApiError;

/// The longest model name accepted. Catalog ids are far shorter; aliases are user-chosen names.
pub const MAX_MODEL_CHARS: usize = 256;
/// The longest end-user identifier accepted (OpenAI `user`, Anthropic `metadata.user_id`).
pub const MAX_USER_CHARS: usize = 256;
/// The longest metadata key (OpenAI's own limit).
pub const MAX_METADATA_KEY_CHARS: usize = 64;
/// The longest metadata value (OpenAI's own limit).
pub const MAX_METADATA_VALUE_CHARS: usize = 512;
/// The most metadata pairs (OpenAI's own limit).
pub const MAX_METADATA_PAIRS: usize = 16;
/// How much of an over-long value an error message quotes.
const QUOTED_CHARS: usize = 40;

/// Cutting an over-long value for a message is the crate's one text cut.
pub use crate::text::truncate;

/// A 400 for `param` when `value` has more than `max` characters.
pub fn check_len(param: &str, value: &str, max: usize) -> Result<(), ApiError> {
    let count = value.chars().take(max + 1).count();
    if count <= max {
        return Ok(());
    }
    Err(ApiError::invalid_param(
        param,
        format!(
            "`{param}` is too long (more than {max} characters): `{}`.",
            truncate(value, QUOTED_CHARS)
        ),
    ))
}

/// Checks a string-valued identifier that clients may also send as another JSON type (which is
/// then ignored, as before).
pub fn check_value_len(param: &str, value: Option<&Value>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(Value::String(text)) => check_len(param, text, max),
        _ => Ok(()),
    }
}

/// Checks OpenAI-style `metadata`: at most 16 pairs of short keys and values.
pub fn check_metadata(value: Option<&Value>) -> Result<(), ApiError> {
    let Some(Value::Object(pairs)) = value else {
        return Ok(());
    };
    if pairs.len() > MAX_METADATA_PAIRS {
        return Err(ApiError::invalid_param(
            "metadata",
            format!("`metadata` has more than {MAX_METADATA_PAIRS} pairs."),
        ));
    }
    for (key, value) in pairs {
        check_len("metadata", key, MAX_METADATA_KEY_CHARS)?;
        check_value_len("metadata", Some(value), MAX_METADATA_VALUE_CHARS)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_refused_and_quoted_short() {
        assert!(check_len("model", &"m".repeat(256), MAX_MODEL_CHARS).is_ok());
        let error = check_len("model", &"m".repeat(4_000_000), MAX_MODEL_CHARS).unwrap_err();
        assert!(error.message().len() < 200, "{}", error.message());
        assert!(error.message().contains("more than 256 characters"));
    }
}
