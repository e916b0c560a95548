//! The built-in chat's conversations, kept locally in SQLite (`conversations.sqlite3` in the data
//! directory, 0600, WAL, versioned migrations in [`schema`]): conversations with a model and a
//! system prompt, messages at positions with versions (regenerating keeps the earlier answers, one
//! version is selected per position), images stored with their user message, usage and points per
//! answer, and each answer's status (complete, streaming, stopped, failed).
//!
//! Opening the store turns every answer still marked streaming (the app was killed mid-answer)
//! into stopped, its partial text kept. Search matches titles and message text with `LIKE`, which
//! works for any script (Chinese has no word boundaries for a word index to use).
//!
//! All operations run on one connection behind a mutex, off the async runtime; each is one
//! transaction, so concurrent writers (two windows, a streaming answer) never interleave
//! half-done changes. Sending turns through the dispatcher is `runtime::chat`'s job; this module
//! knows nothing of the upstream.

mod error;
mod export;
mod schema;
mod store;
mod transcript;
mod types;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

pub use error::ConversationError;
pub use export::to_markdown;
pub use schema::{DATABASE_FILE_NAME, SCHEMA_VERSION};
pub use store::{MessageEnd, NewUserMessage, TITLE_CHARS};
pub use transcript::{CONTEXT_LONG_TOKENS, estimate, transcript};
pub use types::{
    ChatMessage, ChatStreamEvent, ChatUsage, Conversation, ConversationSummary, ImageAttachment, MessageRole,
    MessageStatus, TurnError,
};

type Result<T, E = ConversationError> = std::result::Result<T, E>;

/// The conversation store. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct ConversationStore {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for ConversationStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConversationStore").finish_non_exhaustive()
    }
}

impl ConversationStore {
    /// Opens (or creates and migrates) the store in `dir` and stops answers a previous run left
    /// streaming. Blocking; call it at startup.
    pub fn open(dir: &Path) -> Result<Self> {
        crate::fs::create_private_dir(dir).map_err(|source| ConversationError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let conn = schema::open(&dir.join(DATABASE_FILE_NAME))?;
        let stopped = store::stop_interrupted(&conn)?;
        if stopped > 0 {
            tracing::info!(
                stopped,
                "answers interrupted by the last exit were marked stopped"
            );
        }
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| {
                ConversationError::Internal("the conversation store lock was poisoned".to_owned())
            })?;
            work(&mut conn)
        })
        .await
        .map_err(|e| ConversationError::Internal(e.to_string()))?
    }

    /// The conversations, newest updated first; with a query, those whose title or text contains it
    /// (with a snippet of the matching text).
    pub async fn list(&self, query: Option<String>) -> Result<Vec<ConversationSummary>> {
        self.run(move |conn| store::list(conn, query.as_deref())).await
    }

    /// A new empty conversation.
    pub async fn create(&self, model: Option<String>, system_prompt: Option<String>) -> Result<Conversation> {
        self.run(move |conn| {
            let id = store::create(conn, model.as_deref(), system_prompt.as_deref())?;
            store::load(conn, &id)
        })
        .await
    }

    /// A conversation with its selected messages. The context estimate is left at zero
    /// (`runtime::chat` fills it in with the core's token estimator).
    pub async fn load(&self, id: &str) -> Result<Conversation> {
        let id = id.to_owned();
        self.run(move |conn| store::load(conn, &id)).await
    }

    /// The conversation's list entry.
    pub async fn summary(&self, id: &str) -> Result<ConversationSummary> {
        let id = id.to_owned();
        self.run(move |conn| store::summary(conn, &id)).await
    }

    /// One message (any version).
    pub async fn message(&self, conversation_id: &str, message_id: &str) -> Result<ChatMessage> {
        let (conversation_id, message_id) = (conversation_id.to_owned(), message_id.to_owned());
        self.run(move |conn| store::message(conn, &conversation_id, &message_id))
            .await
    }

    /// Renames a conversation.
    pub async fn rename(&self, id: &str, title: &str) -> Result<ConversationSummary> {
        let (id, title) = (id.to_owned(), title.to_owned());
        self.run(move |conn| {
            store::rename(conn, &id, &title)?;
            store::summary(conn, &id)
        })
        .await
    }

    /// Sets the model the next answers come from.
    pub async fn set_model(&self, id: &str, model: &str) -> Result<ConversationSummary> {
        let (id, model) = (id.to_owned(), model.to_owned());
        self.run(move |conn| {
            store::set_model(conn, &id, &model)?;
            store::summary(conn, &id)
        })
        .await
    }

    /// Sets the system prompt.
    pub async fn set_system_prompt(&self, id: &str, system_prompt: &str) -> Result<Conversation> {
        let (id, system_prompt) = (id.to_owned(), system_prompt.to_owned());
        self.run(move |conn| {
            store::set_system_prompt(conn, &id, &system_prompt)?;
            store::load(conn, &id)
        })
        .await
    }

    /// Deletes a conversation with its messages and images.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let id = id.to_owned();
        self.run(move |conn| store::delete(conn, &id)).await
    }

    /// The conversation as Markdown.
    pub async fn export_markdown(&self, id: &str) -> Result<String> {
        Ok(to_markdown(&self.load(id).await?))
    }

    /// Stores a user message and a streaming answer after it: `(user, answer)`.
    pub async fn append_turn(
        &self,
        conversation_id: &str,
        user: NewUserMessage,
        model: &str,
    ) -> Result<(ChatMessage, ChatMessage)> {
        let (conversation_id, model) = (conversation_id.to_owned(), model.to_owned());
        self.run(move |conn| {
            let (user_id, answer_id) = store::append_turn(conn, &conversation_id, &user, &model)?;
            Ok((
                store::message(conn, &conversation_id, &user_id)?,
                store::message(conn, &conversation_id, &answer_id)?,
            ))
        })
        .await
    }

    /// A new streaming version at the position of the answer `message_id` (the earlier versions
    /// stay).
    pub async fn add_version(
        &self,
        conversation_id: &str,
        message_id: &str,
        model: &str,
    ) -> Result<ChatMessage> {
        let (conversation_id, message_id, model) = (
            conversation_id.to_owned(),
            message_id.to_owned(),
            model.to_owned(),
        );
        self.run(move |conn| {
            let id = store::add_version(conn, &conversation_id, &message_id, &model)?;
            store::message(conn, &conversation_id, &id)
        })
        .await
    }

    /// Clears a failed or stopped answer for a new attempt in its place.
    pub async fn reset_for_retry(
        &self,
        conversation_id: &str,
        message_id: &str,
        model: &str,
    ) -> Result<ChatMessage> {
        let (conversation_id, message_id, model) = (
            conversation_id.to_owned(),
            message_id.to_owned(),
            model.to_owned(),
        );
        self.run(move |conn| {
            store::reset_for_retry(conn, &conversation_id, &message_id, &model)?;
            store::message(conn, &conversation_id, &message_id)
        })
        .await
    }

    /// Replaces a user message, deletes everything after it and adds a streaming answer:
    /// `(user, answer)`.
    pub async fn edit_user(
        &self,
        conversation_id: &str,
        message_id: &str,
        user: NewUserMessage,
        model: &str,
    ) -> Result<(ChatMessage, ChatMessage)> {
        let (conversation_id, message_id, model) = (
            conversation_id.to_owned(),
            message_id.to_owned(),
            model.to_owned(),
        );
        self.run(move |conn| {
            let answer_id = store::edit_user(conn, &conversation_id, &message_id, &user, &model)?;
            Ok((
                store::message(conn, &conversation_id, &message_id)?,
                store::message(conn, &conversation_id, &answer_id)?,
            ))
        })
        .await
    }

    /// Saves a streaming answer's text so far.
    pub async fn save_progress(&self, message_id: &str, content: String, reasoning: String) -> Result<()> {
        let message_id = message_id.to_owned();
        self.run(move |conn| store::save_progress(conn, &message_id, &content, &reasoning))
            .await
    }

    /// Marks a streaming answer stopped, its saved text kept (an answer whose task died).
    pub async fn interrupt(&self, message_id: &str) -> Result<()> {
        let message_id = message_id.to_owned();
        self.run(move |conn| store::interrupt(conn, &message_id)).await
    }

    /// Stores how an answer ended and returns it.
    pub async fn finish(
        &self,
        conversation_id: &str,
        message_id: &str,
        end: MessageEnd,
    ) -> Result<ChatMessage> {
        let (conversation_id, message_id) = (conversation_id.to_owned(), message_id.to_owned());
        self.run(move |conn| {
            store::finish(conn, &conversation_id, &message_id, &end)?;
            store::message(conn, &conversation_id, &message_id)
        })
        .await
    }

    /// Shows `version` of the position of `message_id`.
    pub async fn select_version(&self, conversation_id: &str, message_id: &str, version: u32) -> Result<()> {
        let (conversation_id, message_id) = (conversation_id.to_owned(), message_id.to_owned());
        self.run(move |conn| store::select_version(conn, &conversation_id, &message_id, version))
            .await
    }

    /// Deletes one version of a message (a position without versions disappears).
    pub async fn delete_message(&self, conversation_id: &str, message_id: &str) -> Result<()> {
        let (conversation_id, message_id) = (conversation_id.to_owned(), message_id.to_owned());
        self.run(move |conn| store::delete_message(conn, &conversation_id, &message_id))
            .await
    }
}
