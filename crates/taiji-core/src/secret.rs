//! [`Secret`]: the one type for strings that must never be printed — passwords, tokens, API keys.
//! Its `Debug` is redacted and it has no `Display`, so a secret cannot slip into a log line or an
//! error message by accident; code that really needs the value calls [`Secret::expose`] at the one
//! place it is sent or stored. It serialises transparently, because the credential store, the
//! keychain and the settings document have to write it.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A redacted string. Cheap to clone (shared, immutable).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Arc::from(value.into()))
    }

    /// The secret value itself. Call this only where the value is put on the wire or stored.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        let printed = format!("{secret:?} {:?}", Some(secret.clone()));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }

    #[test]
    fn serde_is_transparent() {
        let secret = Secret::new("hunter2-very-secret");
        let json = serde_json::to_string(&secret).expect("serialises");
        assert_eq!(json, "\"hunter2-very-secret\"");
        let back: Secret = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, secret);
    }
}
