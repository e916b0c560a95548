//! The two user-facing policies of the request log: how much history is kept
//! ([`RetentionPolicy`]) and whether prompt/reply previews are stored at all ([`PreviewPolicy`]).
//! Both are part of the settings document and can change while the log is open.

use serde::{Deserialize, Serialize};

/// Limits on the history; the oldest entries go first when any limit is exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct RetentionPolicy {
    /// Entries older than this many days are deleted.
    pub max_age_days: u32,
    /// At most this many entries are kept.
    pub max_rows: u64,
    /// The database may use at most this many mebibytes.
    pub max_mb: u64,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            max_age_days: 30,
            max_rows: 100_000,
            max_mb: 200,
        }
    }
}

/// Whether previews of prompts and replies are stored, and their size cap. Off by default: a
/// prompt can contain anything the user would not want on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct PreviewPolicy {
    /// Whether previews are stored.
    pub enabled: bool,
    /// The most bytes (UTF-8) kept of each preview.
    pub max_bytes: usize,
}

impl Default for PreviewPolicy {
    fn default() -> Self {
        Self {
            enabled: false,
            max_bytes: 2048,
        }
    }
}

impl PreviewPolicy {
    /// What may be stored of `text` under this policy: nothing when previews are off, otherwise at
    /// most `max_bytes`, cut at a character boundary.
    pub fn apply(&self, text: Option<String>) -> Option<String> {
        let mut text = text.filter(|_| self.enabled)?;
        if text.len() > self.max_bytes {
            let mut end = self.max_bytes;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
        }
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_dropped_when_disabled_and_cut_on_a_char_boundary() {
        let off = PreviewPolicy::default();
        assert_eq!(off.apply(Some("hello".to_owned())), None);
        let on = PreviewPolicy {
            enabled: true,
            max_bytes: 4,
        };
        assert_eq!(on.apply(Some("hello".to_owned())).as_deref(), Some("hell"));
        // "太" is three bytes; four bytes hold one of them and a cut would split the second.
        assert_eq!(on.apply(Some("太极".to_owned())).as_deref(), Some("太"));
        assert_eq!(on.apply(None), None);
    }
}
