//! The payloads of the built-in chat, exactly as the shell hands them to the UI (snake_case fields,
//! RFC 3339 timestamps). `CHAT_CONTRACT.md` is their specification.

use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MessageRole {
    /// The person chatting.
    User,
    /// The model.
    Assistant,
}

impl MessageRole {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }

    pub(super) fn parse(text: &str) -> Self {
        if text == "user" {
            Self::User
        } else {
            Self::Assistant
        }
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Written in full (user messages always are).
    Complete,
    /// An answer still arriving.
    Streaming,
    /// An answer ended early (Stop, the app closed); its partial text is kept.
    Stopped,
    /// An answer that failed; see [`ChatMessage::error`].
    Failed,
}

impl MessageStatus {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::Streaming => "streaming",
            Self::Stopped => "stopped",
            Self::Failed => "failed",
        }
    }

    pub(super) fn parse(text: &str) -> Self {
        match text {
            "complete" => Self::Complete,
            "streaming" => Self::Streaming,
            "failed" => Self::Failed,
            _ => Self::Stopped,
        }
    }
}

/// Tokens and points of one answer, from the upstream's final record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChatUsage {
    /// Input tokens billed.
    pub prompt_tokens: u64,
    /// Output tokens.
    pub completion_tokens: u64,
    /// Both.
    pub total_tokens: u64,
    /// Points charged.
    pub points: i64,
}

impl From<crate::chat::Usage> for ChatUsage {
    fn from(usage: crate::chat::Usage) -> Self {
        Self {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage.total_tokens,
            points: usage.points,
        }
    }
}

/// An image sent with a user message, kept with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImageAttachment {
    /// The file name the user attached.
    pub name: String,
    /// Its MIME type, e.g. `image/png`.
    pub mime: String,
    /// `data:<mime>;base64,...`.
    pub data_url: String,
}

/// Why an answer failed, for the UI: a kind to branch on and the message as the upstream gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TurnError {
    /// `quota`, `login_expired`, `network`, `not_signed_in`, `upstream`, `internal`, ...
    pub kind: String,
    /// A sentence (upstream Chinese messages as they are).
    pub message: String,
}

/// A conversation in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConversationSummary {
    /// Its id.
    pub id: String,
    /// Its title ('' until the first message).
    pub title: String,
    /// The catalog model id it talks to.
    pub model: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
    /// Messages shown (selected versions).
    pub message_count: u64,
    /// Points of every answer ever received in it (all versions).
    pub total_points: i64,
    /// Tokens of every answer ever received in it (all versions).
    pub total_tokens: u64,
    /// For search results: an excerpt around the match.
    pub snippet: Option<String>,
}

/// One message (one version of one position).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChatMessage {
    /// Its id.
    pub id: String,
    /// Its conversation.
    pub conversation_id: String,
    /// Its place in the transcript; all versions of a turn share it.
    pub position: u32,
    /// 0-based; regenerating adds a version at the same position.
    pub version: u32,
    /// How many versions its position has.
    pub version_count: u32,
    /// Who wrote it.
    pub role: MessageRole,
    /// The text (answers without `<think>`).
    pub content: String,
    /// The text inside `<think>`, '' if none.
    pub reasoning: String,
    /// User messages only.
    pub images: Vec<ImageAttachment>,
    /// Answers: the catalog model id used.
    pub model: Option<String>,
    /// Answers: the label the upstream's final record reported.
    pub model_label: Option<String>,
    /// Where it stands.
    pub status: MessageStatus,
    /// Set when `status` is failed.
    pub error: Option<TurnError>,
    /// Answers, when known.
    pub usage: Option<ChatUsage>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// A conversation with its transcript (the selected version of each position).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Conversation {
    /// As in the list.
    pub summary: ConversationSummary,
    /// The system prompt ('' for none).
    pub system_prompt: String,
    /// The selected version of each position, by position.
    pub messages: Vec<ChatMessage>,
    /// Estimated tokens of the transcript the next turn would send.
    pub context_tokens: u64,
    /// Whether it is long enough to offer "start a new chat with a summary".
    pub context_long: bool,
}

/// What the UI receives while an answer is produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
// Each event is built once and handed straight to the sink; boxing the messages would only add an
// allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum ChatStreamEvent {
    /// The turn is stored; `user_message` is `None` on regenerate and retry.
    Started {
        /// The user message just stored.
        user_message: Option<ChatMessage>,
        /// The answer being written (status streaming).
        assistant_message: ChatMessage,
    },
    /// More reasoning text.
    Reasoning {
        /// The new text.
        delta: String,
    },
    /// More answer text.
    Text {
        /// The new text.
        delta: String,
    },
    /// The usage of the answer (just before `Finished`).
    Usage(ChatUsage),
    /// The answer is complete and stored.
    Finished {
        /// The stored answer.
        message: ChatMessage,
    },
    /// The answer was stopped; its partial text is stored.
    Stopped {
        /// The stored answer.
        message: ChatMessage,
    },
    /// The answer failed; `message.error` says why.
    Failed {
        /// The stored answer.
        message: ChatMessage,
    },
}
