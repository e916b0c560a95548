//! The store's SQL: every operation as a plain function on one connection, each a single
//! transaction, so [`super::ConversationStore`] only has to run them off the async runtime.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::ConversationError;
use super::types::{
    ChatMessage, ChatUsage, Conversation, ConversationSummary, ImageAttachment, MessageRole, MessageStatus,
    TurnError,
};

type Result<T, E = ConversationError> = std::result::Result<T, E>;

/// The longest automatic title, in characters.
pub const TITLE_CHARS: usize = 40;
/// The characters of context shown on each side of a search match.
const SNIPPET_CONTEXT: usize = 30;

/// A user message to store.
#[derive(Debug, Clone, Default)]
pub struct NewUserMessage {
    /// Its text.
    pub content: String,
    /// Its images.
    pub images: Vec<ImageAttachment>,
}

/// How an answer ended, for [`finish`].
#[derive(Debug, Clone)]
pub struct MessageEnd {
    /// Complete, stopped or failed.
    pub status: MessageStatus,
    /// The full answer text.
    pub content: String,
    /// The full reasoning text.
    pub reasoning: String,
    /// The usage, when the upstream reported it.
    pub usage: Option<ChatUsage>,
    /// The label the final record reported.
    pub model_label: Option<String>,
    /// Why it failed.
    pub error: Option<TurnError>,
}

pub(super) fn now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// At open: answers left streaming by a process that died mid-answer are stopped, text kept.
pub(super) fn stop_interrupted(conn: &Connection) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE messages SET status = 'stopped' WHERE status = 'streaming'",
        [],
    )?)
}

/// The answer `message_id`, if still streaming, is stopped, text kept (its task died).
pub(super) fn interrupt(conn: &Connection, message_id: &str) -> Result<()> {
    conn.execute(
        "UPDATE messages SET status = 'stopped' WHERE id = ?1 AND status = 'streaming'",
        [message_id],
    )?;
    Ok(())
}

const SUMMARY_SELECT: &str = "SELECT c.id, c.title, c.model, c.created_at_ms, c.updated_at_ms,
        (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.selected = 1),
        (SELECT COALESCE(SUM(m.points), 0) FROM messages m WHERE m.conversation_id = c.id),
        (SELECT COALESCE(SUM(m.total_tokens), 0) FROM messages m WHERE m.conversation_id = c.id)
    FROM conversations c";

fn summary_row(row: &Row<'_>) -> rusqlite::Result<ConversationSummary> {
    Ok(ConversationSummary {
        id: row.get(0)?,
        title: row.get(1)?,
        model: row.get(2)?,
        created_at: rfc3339(row.get(3)?),
        updated_at: rfc3339(row.get(4)?),
        message_count: row.get::<_, i64>(5)?.max(0) as u64,
        total_points: row.get(6)?,
        total_tokens: row.get::<_, i64>(7)?.max(0) as u64,
        snippet: None,
    })
}

/// The conversations, newest updated first; with `query`, those whose title or any message text
/// contains it (case-insensitive for ASCII; any script, Chinese included, matches as written).
pub(super) fn list(conn: &Connection, query: Option<&str>) -> Result<Vec<ConversationSummary>> {
    let query = query.map(str::trim).filter(|q| !q.is_empty());
    let Some(query) = query else {
        let mut statement = conn.prepare(&format!("{SUMMARY_SELECT} ORDER BY c.updated_at_ms DESC, c.id"))?;
        let rows = statement.query_map([], summary_row)?;
        return Ok(rows.collect::<rusqlite::Result<_>>()?);
    };
    let pattern = format!("%{}%", escape_like(query));
    let mut statement = conn.prepare(&format!(
        "{SUMMARY_SELECT}
         WHERE c.title LIKE ?1 ESCAPE '\\'
            OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id
                       AND m.content LIKE ?1 ESCAPE '\\')
         ORDER BY c.updated_at_ms DESC, c.id"
    ))?;
    let mut found: Vec<ConversationSummary> = statement
        .query_map([&pattern], summary_row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut text = conn.prepare(
        "SELECT content FROM messages WHERE conversation_id = ?1 AND content LIKE ?2 ESCAPE '\\'
         ORDER BY position, version LIMIT 1",
    )?;
    for summary in &mut found {
        let content: Option<String> = text
            .query_row(params![summary.id, pattern], |row| row.get(0))
            .optional()?;
        summary.snippet = content.and_then(|content| snippet(&content, query));
    }
    Ok(found)
}

fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped
}

/// An excerpt of `content` around the first match of `query` (ASCII case-insensitive, as
/// SQLite's `LIKE`).
fn snippet(content: &str, query: &str) -> Option<String> {
    let lower = content.to_ascii_lowercase();
    let at = lower.find(&query.to_ascii_lowercase())?;
    let before: Vec<char> = content[..at].chars().rev().take(SNIPPET_CONTEXT).collect();
    let start = at - before.iter().map(|c| c.len_utf8()).sum::<usize>();
    let match_end = at + query.len();
    let after_len: usize = content[match_end..]
        .chars()
        .take(SNIPPET_CONTEXT)
        .map(char::len_utf8)
        .sum();
    let end = match_end + after_len;
    let mut excerpt = String::new();
    if start > 0 {
        excerpt.push('…');
    }
    excerpt.push_str(&content[start..end].replace('\n', " "));
    if end < content.len() {
        excerpt.push('…');
    }
    Some(excerpt)
}

pub(super) fn summary(conn: &Connection, id: &str) -> Result<ConversationSummary> {
    conn.query_row(&format!("{SUMMARY_SELECT} WHERE c.id = ?1"), [id], summary_row)
        .optional()?
        .ok_or_else(|| ConversationError::NotFound(id.to_owned()))
}

pub(super) fn create(conn: &Connection, model: Option<&str>, system_prompt: Option<&str>) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    conn.execute(
        "INSERT INTO conversations (id, title, model, system_prompt, created_at_ms, updated_at_ms)
         VALUES (?1, '', ?2, ?3, ?4, ?4)",
        params![id, model, system_prompt.unwrap_or(""), now],
    )?;
    Ok(id)
}

/// A conversation with its selected messages; the context estimate is left at zero for the caller.
pub(super) fn load(conn: &Connection, id: &str) -> Result<Conversation> {
    let summary = summary(conn, id)?;
    let system_prompt: String = conn.query_row(
        "SELECT system_prompt FROM conversations WHERE id = ?1",
        [id],
        |row| row.get(0),
    )?;
    let messages = selected_messages(conn, id)?;
    Ok(Conversation {
        summary,
        system_prompt,
        messages,
        context_tokens: 0,
        context_long: false,
    })
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.conversation_id, m.position, m.version,
        (SELECT COUNT(*) FROM messages v WHERE v.conversation_id = m.conversation_id AND v.position = m.position),
        m.role, m.content, m.reasoning, m.model, m.model_label, m.status, m.error_kind, m.error_message,
        m.prompt_tokens, m.completion_tokens, m.total_tokens, m.points, m.created_at_ms
    FROM messages m";

fn message_row(row: &Row<'_>) -> rusqlite::Result<ChatMessage> {
    let error_kind: Option<String> = row.get(11)?;
    let error_message: Option<String> = row.get(12)?;
    let prompt_tokens: Option<i64> = row.get(13)?;
    let usage = match prompt_tokens {
        Some(prompt_tokens) => Some(ChatUsage {
            prompt_tokens: prompt_tokens.max(0) as u64,
            completion_tokens: row.get::<_, Option<i64>>(14)?.unwrap_or(0).max(0) as u64,
            total_tokens: row.get::<_, Option<i64>>(15)?.unwrap_or(0).max(0) as u64,
            points: row.get::<_, Option<i64>>(16)?.unwrap_or(0),
        }),
        None => None,
    };
    Ok(ChatMessage {
        id: row.get(0)?,
        conversation_id: row.get(1)?,
        position: row.get(2)?,
        version: row.get(3)?,
        version_count: row.get(4)?,
        role: MessageRole::parse(&row.get::<_, String>(5)?),
        content: row.get(6)?,
        reasoning: row.get(7)?,
        images: Vec::new(),
        model: row.get(8)?,
        model_label: row.get(9)?,
        status: MessageStatus::parse(&row.get::<_, String>(10)?),
        error: error_kind.map(|kind| TurnError {
            kind,
            message: error_message.unwrap_or_default(),
        }),
        usage,
        created_at: rfc3339(row.get(17)?),
    })
}

fn with_images(conn: &Connection, mut message: ChatMessage) -> Result<ChatMessage> {
    let mut statement = conn
        .prepare_cached("SELECT name, mime, data_url FROM images WHERE message_id = ?1 ORDER BY ordinal")?;
    message.images = statement
        .query_map([&message.id], |row| {
            Ok(ImageAttachment {
                name: row.get(0)?,
                mime: row.get(1)?,
                data_url: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(message)
}

pub(super) fn selected_messages(conn: &Connection, conversation_id: &str) -> Result<Vec<ChatMessage>> {
    let mut statement = conn.prepare(&format!(
        "{MESSAGE_SELECT} WHERE m.conversation_id = ?1 AND m.selected = 1 ORDER BY m.position"
    ))?;
    let rows: Vec<ChatMessage> = statement
        .query_map([conversation_id], message_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|message| with_images(conn, message))
        .collect()
}

/// One message of a conversation (any version).
pub(super) fn message(conn: &Connection, conversation_id: &str, id: &str) -> Result<ChatMessage> {
    let message = conn
        .query_row(
            &format!("{MESSAGE_SELECT} WHERE m.id = ?1 AND m.conversation_id = ?2"),
            [id, conversation_id],
            message_row,
        )
        .optional()?
        .ok_or_else(|| ConversationError::MessageNotFound(id.to_owned()))?;
    with_images(conn, message)
}

/// The message `id`, which must be of `role`; `refusal` says what may not be done otherwise.
fn message_with_role(
    conn: &Connection,
    conversation_id: &str,
    id: &str,
    role: MessageRole,
    refusal: &str,
) -> Result<ChatMessage> {
    let found = message(conn, conversation_id, id)?;
    if found.role != role {
        return Err(ConversationError::Invalid(refusal.to_owned()));
    }
    Ok(found)
}

fn exists(conn: &Connection, id: &str) -> Result<()> {
    let found: Option<i64> = conn
        .query_row("SELECT 1 FROM conversations WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .optional()?;
    found
        .map(drop)
        .ok_or_else(|| ConversationError::NotFound(id.to_owned()))
}

fn touch(conn: &Connection, id: &str) -> Result<()> {
    conn.execute(
        "UPDATE conversations SET updated_at_ms = ?2 WHERE id = ?1",
        params![id, now_ms()],
    )?;
    Ok(())
}

pub(super) fn rename(conn: &Connection, id: &str, title: &str) -> Result<()> {
    change_conversation(
        conn,
        id,
        "UPDATE conversations SET title = ?2, updated_at_ms = ?3 WHERE id = ?1",
        params![id, title.trim(), now_ms()],
    )
}

pub(super) fn set_model(conn: &Connection, id: &str, model: &str) -> Result<()> {
    change_conversation(
        conn,
        id,
        "UPDATE conversations SET model = ?2 WHERE id = ?1",
        params![id, model],
    )
}

pub(super) fn set_system_prompt(conn: &Connection, id: &str, system_prompt: &str) -> Result<()> {
    change_conversation(
        conn,
        id,
        "UPDATE conversations SET system_prompt = ?2 WHERE id = ?1",
        params![id, system_prompt],
    )
}

pub(super) fn delete(conn: &Connection, id: &str) -> Result<()> {
    change_conversation(conn, id, "DELETE FROM conversations WHERE id = ?1", [id])
}

/// Runs `sql`, a change of the conversation `id`; `NotFound` when there is no such conversation.
fn change_conversation(conn: &Connection, id: &str, sql: &str, params: impl rusqlite::Params) -> Result<()> {
    if conn.execute(sql, params)? == 0 {
        return Err(ConversationError::NotFound(id.to_owned()));
    }
    Ok(())
}

fn next_position(tx: &Transaction<'_>, conversation_id: &str) -> Result<u32> {
    Ok(tx.query_row(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM messages WHERE conversation_id = ?1",
        [conversation_id],
        |row| row.get(0),
    )?)
}

fn insert_message(
    tx: &Transaction<'_>,
    conversation_id: &str,
    (position, version): (u32, u32),
    role: MessageRole,
    content: &str,
    model: Option<&str>,
    status: MessageStatus,
) -> Result<String> {
    let id = new_id();
    tx.execute(
        "UPDATE messages SET selected = 0 WHERE conversation_id = ?1 AND position = ?2",
        params![conversation_id, position],
    )?;
    tx.execute(
        "INSERT INTO messages (id, conversation_id, position, version, selected, role, content, model,
                               status, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            conversation_id,
            position,
            version,
            role.as_str(),
            content,
            model,
            status.as_str(),
            now_ms()
        ],
    )?;
    Ok(id)
}

fn insert_images(tx: &Transaction<'_>, message_id: &str, images: &[ImageAttachment]) -> Result<()> {
    tx.execute("DELETE FROM images WHERE message_id = ?1", [message_id])?;
    for (ordinal, image) in images.iter().enumerate() {
        tx.execute(
            "INSERT INTO images (message_id, ordinal, name, mime, data_url) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![message_id, ordinal as i64, image.name, image.mime, image.data_url],
        )?;
    }
    Ok(())
}

/// Gives an untitled conversation its title from the first user message.
fn title_from(tx: &Transaction<'_>, conversation_id: &str, content: &str) -> Result<()> {
    let title: String = content
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(TITLE_CHARS)
        .collect();
    tx.execute(
        "UPDATE conversations SET title = ?2 WHERE id = ?1 AND title = ''",
        params![conversation_id, title],
    )?;
    Ok(())
}

/// Appends a user message and a streaming answer to it; returns their ids.
pub(super) fn append_turn(
    conn: &mut Connection,
    conversation_id: &str,
    user: &NewUserMessage,
    model: &str,
) -> Result<(String, String)> {
    let tx = conn.transaction()?;
    exists(&tx, conversation_id)?;
    let position = next_position(&tx, conversation_id)?;
    let user_id = insert_message(
        &tx,
        conversation_id,
        (position, 0),
        MessageRole::User,
        &user.content,
        None,
        MessageStatus::Complete,
    )?;
    insert_images(&tx, &user_id, &user.images)?;
    let answer_id = insert_message(
        &tx,
        conversation_id,
        (position + 1, 0),
        MessageRole::Assistant,
        "",
        Some(model),
        MessageStatus::Streaming,
    )?;
    title_from(&tx, conversation_id, &user.content)?;
    touch(&tx, conversation_id)?;
    tx.commit()?;
    Ok((user_id, answer_id))
}

/// A new streaming version at the position of the answer `message_id`; returns its id.
pub(super) fn add_version(
    conn: &mut Connection,
    conversation_id: &str,
    message_id: &str,
    model: &str,
) -> Result<String> {
    let tx = conn.transaction()?;
    let old = message_with_role(
        &tx,
        conversation_id,
        message_id,
        MessageRole::Assistant,
        "only an answer can be regenerated",
    )?;
    let version: u32 = tx.query_row(
        "SELECT MAX(version) + 1 FROM messages WHERE conversation_id = ?1 AND position = ?2",
        params![conversation_id, old.position],
        |row| row.get(0),
    )?;
    let id = insert_message(
        &tx,
        conversation_id,
        (old.position, version),
        MessageRole::Assistant,
        "",
        Some(model),
        MessageStatus::Streaming,
    )?;
    touch(&tx, conversation_id)?;
    tx.commit()?;
    Ok(id)
}

/// Clears the failed or stopped answer `message_id` for a new attempt in its place.
pub(super) fn reset_for_retry(
    conn: &mut Connection,
    conversation_id: &str,
    message_id: &str,
    model: &str,
) -> Result<()> {
    let tx = conn.transaction()?;
    const REFUSAL: &str = "only a failed or stopped answer can be retried";
    let old = message_with_role(&tx, conversation_id, message_id, MessageRole::Assistant, REFUSAL)?;
    if !matches!(old.status, MessageStatus::Failed | MessageStatus::Stopped) {
        return Err(ConversationError::Invalid(REFUSAL.to_owned()));
    }
    tx.execute(
        "UPDATE messages SET content = '', reasoning = '', model = ?2, model_label = NULL, status = 'streaming',
                error_kind = NULL, error_message = NULL, prompt_tokens = NULL, completion_tokens = NULL,
                total_tokens = NULL, points = NULL, created_at_ms = ?3
         WHERE id = ?1",
        params![message_id, model, now_ms()],
    )?;
    tx.execute(
        "UPDATE messages SET selected = (id = ?3) WHERE conversation_id = ?1 AND position = ?2",
        params![conversation_id, old.position, message_id],
    )?;
    touch(&tx, conversation_id)?;
    tx.commit()?;
    Ok(())
}

/// Replaces the user message `message_id`, deletes everything after it and appends a streaming
/// answer; returns the answer's id.
pub(super) fn edit_user(
    conn: &mut Connection,
    conversation_id: &str,
    message_id: &str,
    user: &NewUserMessage,
    model: &str,
) -> Result<String> {
    let tx = conn.transaction()?;
    let old = message_with_role(
        &tx,
        conversation_id,
        message_id,
        MessageRole::User,
        "only a user message can be edited",
    )?;
    tx.execute(
        "DELETE FROM messages WHERE conversation_id = ?1 AND position > ?2",
        params![conversation_id, old.position],
    )?;
    tx.execute(
        "UPDATE messages SET content = ?2 WHERE id = ?1",
        params![message_id, user.content],
    )?;
    insert_images(&tx, message_id, &user.images)?;
    let answer_id = insert_message(
        &tx,
        conversation_id,
        (old.position + 1, 0),
        MessageRole::Assistant,
        "",
        Some(model),
        MessageStatus::Streaming,
    )?;
    touch(&tx, conversation_id)?;
    tx.commit()?;
    Ok(answer_id)
}

/// Saves the answer's text so far.
pub(super) fn save_progress(
    conn: &Connection,
    message_id: &str,
    content: &str,
    reasoning: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE messages SET content = ?2, reasoning = ?3 WHERE id = ?1 AND status = 'streaming'",
        params![message_id, content, reasoning],
    )?;
    Ok(())
}

/// Stores how the answer ended.
pub(super) fn finish(
    conn: &mut Connection,
    conversation_id: &str,
    message_id: &str,
    end: &MessageEnd,
) -> Result<()> {
    let tx = conn.transaction()?;
    let usage = end.usage;
    tx.execute(
        "UPDATE messages SET content = ?2, reasoning = ?3, status = ?4, model_label = COALESCE(?5, model_label),
                error_kind = ?6, error_message = ?7, prompt_tokens = ?8, completion_tokens = ?9,
                total_tokens = ?10, points = ?11
         WHERE id = ?1",
        params![
            message_id,
            end.content,
            end.reasoning,
            end.status.as_str(),
            end.model_label,
            end.error.as_ref().map(|e| e.kind.as_str()),
            end.error.as_ref().map(|e| e.message.as_str()),
            usage.map(|u| u.prompt_tokens as i64),
            usage.map(|u| u.completion_tokens as i64),
            usage.map(|u| u.total_tokens as i64),
            usage.map(|u| u.points),
        ],
    )?;
    touch(&tx, conversation_id)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn select_version(
    conn: &mut Connection,
    conversation_id: &str,
    message_id: &str,
    version: u32,
) -> Result<()> {
    let tx = conn.transaction()?;
    let anchor = message(&tx, conversation_id, message_id)?;
    let target: Option<String> = tx
        .query_row(
            "SELECT id FROM messages WHERE conversation_id = ?1 AND position = ?2 AND version = ?3",
            params![conversation_id, anchor.position, version],
            |row| row.get(0),
        )
        .optional()?;
    let target = target
        .ok_or_else(|| ConversationError::MessageNotFound(format!("{message_id} version {version}")))?;
    tx.execute(
        "UPDATE messages SET selected = (id = ?3) WHERE conversation_id = ?1 AND position = ?2",
        params![conversation_id, anchor.position, target],
    )?;
    tx.commit()?;
    Ok(())
}

/// Deletes one version; the rest of its position are renumbered, and a position left empty
/// disappears (later positions move up).
pub(super) fn delete_message(conn: &mut Connection, conversation_id: &str, message_id: &str) -> Result<()> {
    let tx = conn.transaction()?;
    let old = message(&tx, conversation_id, message_id)?;
    tx.execute("DELETE FROM messages WHERE id = ?1", [message_id])?;
    let left: i64 = tx.query_row(
        "SELECT COUNT(*) FROM messages WHERE conversation_id = ?1 AND position = ?2",
        params![conversation_id, old.position],
        |row| row.get(0),
    )?;
    if left == 0 {
        tx.execute(
            "UPDATE messages SET position = position - 1 WHERE conversation_id = ?1 AND position > ?2",
            params![conversation_id, old.position],
        )?;
    } else {
        tx.execute(
            "UPDATE messages SET version = version - 1
             WHERE conversation_id = ?1 AND position = ?2 AND version > ?3",
            params![conversation_id, old.position, old.version],
        )?;
        let selected: i64 = tx.query_row(
            "SELECT COUNT(*) FROM messages WHERE conversation_id = ?1 AND position = ?2 AND selected = 1",
            params![conversation_id, old.position],
            |row| row.get(0),
        )?;
        if selected == 0 {
            tx.execute(
                "UPDATE messages SET selected = 1 WHERE conversation_id = ?1 AND position = ?2
                 AND version = (SELECT MAX(version) FROM messages WHERE conversation_id = ?1 AND position = ?2)",
                params![conversation_id, old.position],
            )?;
        }
    }
    touch(&tx, conversation_id)?;
    tx.commit()?;
    Ok(())
}
