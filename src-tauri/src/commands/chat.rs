//! The built-in chat (`CHAT_CONTRACT.md`): thin adapters over `Core::chat()` of the active core
//! (the demo's in demo mode). Answers stream through the `on_event` `Channel`; every change of a
//! conversation (also an answer's end) is announced with the `chat-changed` event so the main
//! window and the chat window stay in step. The global shortcut that opens the chat window is
//! `crate::shortcut`'s.

use std::path::PathBuf;
use std::sync::Arc;

use taiji_core::conversations::{ChatStreamEvent, Conversation, ConversationSummary, ImageAttachment};
use taiji_core::runtime::{ChatService, ChatSink};
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Runtime, State};

use super::log::{create_private, partial_path, put_in_place, storage};
use super::{CommandError, ErrorKind};
use crate::events::{CHAT_CHANGED, ChatChangedEvent};
use crate::shortcut::ShortcutError;
use crate::state::AppState;

fn chat(state: &AppState) -> ChatService {
    state.active_core().chat()
}

/// Tells both windows that `conversation_id` (or the list) changed.
fn changed<R: Runtime>(app: &AppHandle<R>, conversation_id: Option<&str>) {
    let payload = ChatChangedEvent {
        conversation_id: conversation_id.map(str::to_owned),
    };
    if let Err(error) = app.emit(CHAT_CHANGED, payload) {
        tracing::warn!(%error, "could not announce a chat change");
    }
}

/// The sink of one answer: its events go to the channel, and its end is announced.
fn sink<R: Runtime>(
    app: &AppHandle<R>,
    conversation_id: &str,
    channel: Channel<ChatStreamEvent>,
) -> ChatSink {
    let app = app.clone();
    let conversation_id = conversation_id.to_owned();
    Arc::new(move |event: ChatStreamEvent| {
        let ended = matches!(
            event,
            ChatStreamEvent::Started { .. }
                | ChatStreamEvent::Finished { .. }
                | ChatStreamEvent::Stopped { .. }
                | ChatStreamEvent::Failed { .. }
        );
        // A closed window's channel fails; the answer still completes and is stored.
        if let Err(error) = channel.send(event) {
            tracing::debug!(%error, "a chat window stopped listening");
        }
        if ended {
            changed(&app, Some(&conversation_id));
        }
    })
}

/// Conversations, newest updated first; `query` searches titles and message text.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_list_conversations(
    state: State<'_, AppState>,
    query: Option<String>,
) -> Result<Vec<ConversationSummary>, CommandError> {
    Ok(chat(&state).list(query).await?)
}

/// A new empty conversation.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_create_conversation<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    model: Option<String>,
    system_prompt: Option<String>,
) -> Result<Conversation, CommandError> {
    let conversation = chat(&state).create(model, system_prompt).await?;
    changed(&app, Some(&conversation.summary.id));
    Ok(conversation)
}

/// A conversation with its transcript and context estimate.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_get_conversation(
    state: State<'_, AppState>,
    id: String,
) -> Result<Conversation, CommandError> {
    Ok(chat(&state).get(&id).await?)
}

/// Renames a conversation.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_rename_conversation<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    title: String,
) -> Result<ConversationSummary, CommandError> {
    let summary = chat(&state).rename(&id, &title).await?;
    changed(&app, Some(&id));
    Ok(summary)
}

/// Sets the model of the next answers.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_set_conversation_model<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    model: String,
) -> Result<ConversationSummary, CommandError> {
    let summary = chat(&state).set_model(&id, &model).await?;
    changed(&app, Some(&id));
    Ok(summary)
}

/// Sets the system prompt.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_set_system_prompt<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    system_prompt: String,
) -> Result<Conversation, CommandError> {
    let conversation = chat(&state).set_system_prompt(&id, &system_prompt).await?;
    changed(&app, Some(&id));
    Ok(conversation)
}

/// Deletes a conversation (stopping its answer first).
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_delete_conversation<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<(), CommandError> {
    chat(&state).delete(&id).await?;
    changed(&app, Some(&id));
    Ok(())
}

/// Writes the conversation as Markdown to `path`, the file the user chose in the save dialog
/// (beside it first, then renamed into place).
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_export_conversation(
    state: State<'_, AppState>,
    id: String,
    path: PathBuf,
) -> Result<(), CommandError> {
    let markdown = chat(&state).export_markdown(&id).await?;
    // Like the request-log export: private (a conversation is personal), written beside its final
    // name and renamed into place, so a failed export leaves no half file.
    let partial = partial_path(&path)?;
    tokio::task::spawn_blocking(move || {
        let written = create_private(&partial)
            .and_then(|mut file| std::io::Write::write_all(&mut file, markdown.as_bytes()).map(|()| file))
            .map_err(|error| storage(&partial, &error));
        put_in_place(written, &partial, &path)
    })
    .await
    .map_err(CommandError::internal)?
}

/// Sends a user message; answers `null` once the turn started, the answer follows on `on_event`.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_send<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    conversation_id: String,
    content: String,
    images: Vec<ImageAttachment>,
    on_event: Channel<ChatStreamEvent>,
) -> Result<(), CommandError> {
    let sink = sink(&app, &conversation_id, on_event);
    Ok(chat(&state).send(&conversation_id, content, images, sink).await?)
}

/// A new version of the answer `message_id`, the earlier ones kept.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_regenerate<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    conversation_id: String,
    message_id: String,
    on_event: Channel<ChatStreamEvent>,
) -> Result<(), CommandError> {
    let sink = sink(&app, &conversation_id, on_event);
    Ok(chat(&state)
        .regenerate(&conversation_id, &message_id, sink)
        .await?)
}

/// Replaces the user message `message_id`, deletes everything after it and answers again.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_edit_and_resend<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    conversation_id: String,
    message_id: String,
    content: String,
    images: Vec<ImageAttachment>,
    on_event: Channel<ChatStreamEvent>,
) -> Result<(), CommandError> {
    let sink = sink(&app, &conversation_id, on_event);
    Ok(chat(&state)
        .edit_and_resend(&conversation_id, &message_id, content, images, sink)
        .await?)
}

/// Answers again in place of the failed or stopped answer `message_id`.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_retry<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    conversation_id: String,
    message_id: String,
    on_event: Channel<ChatStreamEvent>,
) -> Result<(), CommandError> {
    let sink = sink(&app, &conversation_id, on_event);
    Ok(chat(&state).retry(&conversation_id, &message_id, sink).await?)
}

/// Stops the running answer at once (it ends with a `stopped` event).
#[tauri::command(rename_all = "snake_case")]
pub fn chat_stop(state: State<'_, AppState>, conversation_id: String) {
    chat(&state).stop(&conversation_id);
}

/// Shows another version of a position.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_select_version<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    conversation_id: String,
    message_id: String,
    version: u32,
) -> Result<Conversation, CommandError> {
    let conversation = chat(&state)
        .select_version(&conversation_id, &message_id, version)
        .await?;
    changed(&app, Some(&conversation_id));
    Ok(conversation)
}

/// Deletes one version of a message.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_delete_message<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    conversation_id: String,
    message_id: String,
) -> Result<Conversation, CommandError> {
    let conversation = chat(&state).delete_message(&conversation_id, &message_id).await?;
    changed(&app, Some(&conversation_id));
    Ok(conversation)
}

/// Summarises the conversation into a new one (its system prompt), same model.
#[tauri::command(rename_all = "snake_case")]
pub async fn chat_summarize_into_new<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    conversation_id: String,
) -> Result<Conversation, CommandError> {
    let conversation = chat(&state).summarize_into_new(&conversation_id).await?;
    changed(&app, Some(&conversation.summary.id));
    Ok(conversation)
}

/// The global shortcut that opens the chat window, if one is set.
#[tauri::command(rename_all = "snake_case")]
pub fn get_chat_shortcut(state: State<'_, AppState>) -> Option<String> {
    crate::shortcut::load(state.data_dir())
}

/// Sets (or with `null` clears) the global shortcut; refused with kind `invalid` when it cannot
/// be registered (malformed, or taken by another app).
#[tauri::command(rename_all = "snake_case")]
pub fn set_chat_shortcut<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    shortcut: Option<String>,
) -> Result<(), CommandError> {
    crate::shortcut::set(&app, state.data_dir(), shortcut.as_deref()).map_err(|error| {
        let kind = match error {
            ShortcutError::Invalid { .. } => ErrorKind::Invalid,
            ShortcutError::Storage(_) => ErrorKind::Storage,
        };
        CommandError::new(kind, error.to_string())
    })
}
