//! [`Secret`]: a string that must never be printed (passwords, tokens). Its `Debug` is redacted and
//! it has no `Display`, so a secret cannot slip into a log line or an error message by accident;
//! code that really needs the value calls [`Secret::expose`] at the one place it is sent.

use std::fmt;
use std::sync::Arc;

/// A redacted string. Cheap to clone (shared, immutable).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Arc::from(value.into()))
    }

    /// The secret value itself. Call this only where the value is put on the wire.
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
        f.write_str("Secret(<redacted>)")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        let printed = format!("{secret:?} {:?}", Some(secret.clone()));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }
}
