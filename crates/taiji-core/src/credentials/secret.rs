//! [`SecretString`]: a stored secret (password, token, API key) whose `Debug` is redacted and which
//! has no `Display`, so it cannot slip into a log line or an error message by accident. Unlike the
//! upstream client's in-memory secret it serialises transparently, because the stores in this crate
//! have to write it to the keychain, the credentials file or the settings document.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A secret string. Call [`SecretString::expose`] only where the value is really needed.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_serde_is_transparent() {
        let secret = SecretString::new("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        let json = serde_json::to_string(&secret).expect("serialises");
        assert_eq!(json, "\"hunter2-very-secret\"");
        let back: SecretString = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, secret);
    }
}
