//! The shape of one request-log entry: what is known when a request begins ([`NewEntry`]), what a
//! later event adds ([`EntryPatch`]) and the stored whole ([`LogEntry`]). No field ever holds a
//! credential or an API key: the source names the key, it never carries it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::FailureClass;
use crate::chat::{RequestSource, Usage};
use crate::text::truncate;

/// The life cycle of a request: `Queued` → `Streaming` → `Done` | `Failed` | `Cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Waiting for a concurrency slot.
    Queued,
    /// Sent upstream; the reply is being produced.
    Streaming,
    /// Finished normally.
    Done,
    /// Ended with an error (see the error class and message).
    Failed,
    /// The client went away or the request was cancelled.
    Cancelled,
}

impl EntryStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [Self; 5] = [
        Self::Queued,
        Self::Streaming,
        Self::Done,
        Self::Failed,
        Self::Cancelled,
    ];

    /// The stored (and exported) name, e.g. `done`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Streaming => "streaming",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }

    /// Whether the request has ended.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::Cancelled)
    }
}

/// What is known when a request arrives.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// An id to use (e.g. the dispatcher's request id, for correlation); a UUID v4 when `None`.
    pub id: Option<String>,
    /// When the request arrived.
    pub started_at: OffsetDateTime,
    /// Who sent it (surface, key name, user agent).
    pub source: RequestSource,
    /// The endpoint path, e.g. `/v1/chat/completions`.
    pub endpoint: String,
    /// The model as requested (an update may replace it with the resolved id).
    pub model: String,
    /// Whether the client asked for a stream.
    pub stream: bool,
    /// Usually [`EntryStatus::Queued`]; [`EntryStatus::Streaming`] for a request admitted at once.
    pub status: EntryStatus,
    /// How long the request waited for admission, when it is known already.
    pub queue_wait_ms: Option<u64>,
    /// The prompt preview; stored only when previews are enabled, and cut to the size cap.
    pub prompt_preview: Option<String>,
}

impl NewEntry {
    /// A queued entry that starts now.
    pub fn new(
        source: RequestSource,
        endpoint: impl Into<String>,
        model: impl Into<String>,
        stream: bool,
    ) -> Self {
        Self {
            id: None,
            started_at: OffsetDateTime::now_utc(),
            source,
            endpoint: truncate(&endpoint.into(), MAX_ENDPOINT_CHARS),
            model: truncate(&model.into(), MAX_MODEL_CHARS),
            stream,
            status: EntryStatus::Queued,
            queue_wait_ms: None,
            prompt_preview: None,
        }
    }
}

/// The longest requested model name kept; the API layer refuses longer ones, but the log must not
/// depend on that to stay small.
const MAX_MODEL_CHARS: usize = 256;
/// The longest endpoint kept (unknown paths come from anyone).
const MAX_ENDPOINT_CHARS: usize = 200;
/// The longest error message kept.
const MAX_MESSAGE_CHARS: usize = 1024;

/// A change to an entry; `None` fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntryPatch {
    /// The new status.
    pub status: Option<EntryStatus>,
    /// The resolved model id.
    pub model: Option<String>,
    /// The HTTP status the client received.
    pub http_status: Option<u16>,
    /// A short machine-readable error class, e.g. `quota_exhausted`.
    pub error_class: Option<String>,
    /// A human-readable error message (never containing a secret).
    pub error_message: Option<String>,
    /// Time spent waiting for a concurrency slot.
    pub queue_wait_ms: Option<u64>,
    /// Time from arrival to the first token.
    pub first_token_ms: Option<u64>,
    /// Time from arrival to the end.
    pub duration_ms: Option<u64>,
    /// Tokens and points from the upstream's final record.
    pub usage: Option<Usage>,
    /// The prompt preview (subject to the preview policy).
    pub prompt_preview: Option<String>,
    /// The reply preview (subject to the preview policy).
    pub reply_preview: Option<String>,
}

impl EntryPatch {
    /// The request got a slot and went upstream after waiting `queue_wait_ms`.
    pub fn streaming(queue_wait_ms: u64) -> Self {
        Self {
            status: Some(EntryStatus::Streaming),
            queue_wait_ms: Some(queue_wait_ms),
            ..Self::default()
        }
    }

    /// The request finished normally.
    pub fn done(http_status: u16, duration_ms: u64, usage: Option<Usage>) -> Self {
        Self {
            status: Some(EntryStatus::Done),
            http_status: Some(http_status),
            duration_ms: Some(duration_ms),
            usage,
            ..Self::default()
        }
    }

    /// The request failed.
    pub fn failed(
        http_status: Option<u16>,
        error_class: FailureClass,
        error_message: impl Into<String>,
        duration_ms: u64,
    ) -> Self {
        Self {
            status: Some(EntryStatus::Failed),
            http_status,
            error_class: Some(error_class.name().into_owned()),
            error_message: Some(truncate(&error_message.into(), MAX_MESSAGE_CHARS)),
            duration_ms: Some(duration_ms),
            ..Self::default()
        }
    }

    /// The client went away.
    pub fn cancelled(duration_ms: u64) -> Self {
        Self {
            status: Some(EntryStatus::Cancelled),
            duration_ms: Some(duration_ms),
            ..Self::default()
        }
    }
}

/// One stored request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LogEntry {
    /// The entry's id.
    pub id: String,
    /// When the request arrived (RFC 3339 in JSON).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// Who sent it.
    pub source: RequestSource,
    /// The endpoint path.
    pub endpoint: String,
    /// The model (resolved id once known).
    pub model: String,
    /// Whether the client asked for a stream.
    pub stream: bool,
    /// Where the request is in its life cycle.
    pub status: EntryStatus,
    /// The HTTP status the client received.
    pub http_status: Option<u16>,
    /// A short machine-readable error class.
    pub error_class: Option<String>,
    /// A human-readable error message.
    pub error_message: Option<String>,
    /// Time spent waiting for a concurrency slot.
    pub queue_wait_ms: Option<u64>,
    /// Time from arrival to the first token.
    pub first_token_ms: Option<u64>,
    /// Time from arrival to the end.
    pub duration_ms: Option<u64>,
    /// Input tokens billed.
    pub prompt_tokens: Option<u64>,
    /// Output tokens.
    pub completion_tokens: Option<u64>,
    /// Total tokens.
    pub total_tokens: Option<u64>,
    /// Points deducted.
    pub points: Option<i64>,
    /// The prompt preview, when previews were enabled.
    pub prompt_preview: Option<String>,
    /// The reply preview, when previews were enabled.
    pub reply_preview: Option<String>,
}
