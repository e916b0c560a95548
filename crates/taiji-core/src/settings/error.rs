//! Errors of the settings store. Messages name the field and the reason so the UI and CLI can show
//! them as they are; none of them ever contains a secret (API keys are never echoed back).

use std::fmt;
use std::path::PathBuf;

/// One problem with one field of the settings document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The dotted path of the field, e.g. `listen.host`.
    pub field: String,
    /// Why the value cannot be used, in a full sentence.
    pub reason: String,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Every problem found in a settings document (never empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid settings: {}", join(.problems))]
pub struct ValidationError {
    /// The problems, in field order.
    pub problems: Vec<FieldProblem>,
}

impl ValidationError {
    /// Whether one of the problems concerns `field` (an exact dotted path).
    pub fn mentions(&self, field: &str) -> bool {
        self.problems.iter().any(|problem| problem.field == field)
    }
}

fn join(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why loading or saving settings failed.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The new settings were rejected; nothing was written or published.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The data directory or the settings file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done, e.g. "write".
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The settings could not be turned into JSON (a bug, not user input).
    #[error("cannot serialise the settings: {0}")]
    Serialize(#[source] serde_json::Error),
    /// An API-key operation was refused (unknown name, duplicate name, ...).
    #[error(transparent)]
    ApiKey(#[from] crate::api_keys::ApiKeyError),
}

impl SettingsError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
