//! The built-in chat's path to the model ([`ChatService`], from [`Core::chat`]): it builds the
//! neutral transcript from the selected versions of a conversation and its system prompt, lets the
//! prompt module flatten it exactly as for the HTTP APIs, checks images against the model, and
//! sends the one upstream message through the core's one dispatcher (source `chat`, endpoint
//! `chat`), so the chat shares the concurrency limit, pacing, session lifecycle and request log.
//!
//! Each answer runs in a task of its own that streams reasoning and text to the caller's sink and
//! saves the growing answer every [`SAVE_EVERY`] and at the end, so closing the app loses nothing.
//! Stop cancels it at once (dropping the dispatcher's stream stops the upstream and deletes its
//! session); [`Core::shutdown`] stops running answers first, keeping their text as stopped. A
//! conversation has at most one answer (or summary) in flight, and a turn is sent once and never
//! resent, so one click never spends points twice.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use futures::{FutureExt, StreamExt};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{Core, CoreError};
use crate::chat::{ChatEvent, ChatRequest, RequestSource};
use crate::conversations::{
    CONTEXT_LONG_TOKENS, ChatMessage, ChatStreamEvent, ChatUsage, Conversation, ConversationError,
    ConversationStore, ConversationSummary, ImageAttachment, MessageEnd, MessageStatus, NewUserMessage,
    TurnError, estimate, transcript,
};
use crate::dispatch::DispatchError;
use crate::model::{FileLimits, ModelInfo};
use crate::prompt::{Part, PromptError, Role, Transcript, Turn};
use crate::upstream::ErrorClass;

/// How often a streaming answer's text is saved while it grows.
pub const SAVE_EVERY: Duration = Duration::from_millis(250);

/// The request-log endpoint (and `RequestSource::api`) of the built-in chat.
pub const CHAT_ENDPOINT: &str = "chat";

/// What "summarize into new" asks the model.
const SUMMARY_REQUEST: &str = "请用简洁的要点总结以上对话的内容，保留所有关键事实、结论、数据和尚未解决的问题，\
以便在新的对话中继续。只输出摘要本身。";

/// The new conversation's system prompt starts with this, then the summary.
const SUMMARY_PREFIX: &str = "以下是之前一段对话的摘要，请在此基础上继续：";

/// Where each answer's events go (the shell forwards them to a Tauri `Channel`). Called from the
/// answer's task; must not block.
pub type ChatSink = Arc<dyn Fn(ChatStreamEvent) + Send + Sync>;

/// Why a chat operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The store refused or failed (unknown conversation or message, SQLite).
    #[error(transparent)]
    Store(#[from] ConversationError),
    /// The core failed (not signed in, catalog, unknown model, prompt).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The conversation already has an answer streaming.
    #[error("this conversation already has an answer streaming; stop it first")]
    Busy,
    /// The conversation has no model yet.
    #[error("choose a model for this conversation first")]
    NoModel,
    /// Nothing to send.
    #[error("the message is empty")]
    Empty,
    /// Images for a model without image input.
    #[error("model `{model}` does not accept images; choose a model with image input")]
    ModelRefusedImages {
        /// The model's label.
        model: String,
    },
    /// More images than one message may carry.
    #[error("too many images: at most {max} per message")]
    TooManyImages {
        /// The limit.
        max: usize,
    },
    /// An image over the size limit.
    #[error("image `{name}` is larger than {max_mb} MB")]
    ImageTooLarge {
        /// The file name.
        name: String,
        /// The limit in whole megabytes.
        max_mb: usize,
    },
    /// An image that is not a base64 `data:image/…` URL.
    #[error("image `{name}` is not a valid image data URL")]
    BadImage {
        /// The file name.
        name: String,
    },
    /// The model's answer failed (summaries, which have no message to store the failure in).
    #[error("{}", .0.message)]
    Turn(TurnError),
}

impl ChatError {
    /// The kind the UI branches on (`CHAT_CONTRACT.md`), in snake_case.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Store(ConversationError::NotFound(_)) => "conversation_not_found",
            Self::Store(ConversationError::MessageNotFound(_)) => "not_found",
            Self::Store(ConversationError::Invalid(_)) => "invalid",
            Self::Store(_) => "storage",
            Self::Core(CoreError::Prompt(error)) => match error {
                PromptError::ImagesNotSupported { .. } => "model_refused_images",
                PromptError::TooManyImages { .. } => "too_many_images",
                PromptError::ImageTooLarge { .. } => "image_too_large",
                _ => "invalid",
            },
            Self::Core(CoreError::NotSignedIn) => "not_signed_in",
            Self::Core(CoreError::Upstream(error)) => class_kind(error.class()),
            Self::Core(CoreError::Resolve(_)) => "not_found",
            Self::Core(_) => "internal",
            Self::Busy => "busy",
            Self::NoModel | Self::Empty | Self::BadImage { .. } => "invalid",
            Self::ModelRefusedImages { .. } => "model_refused_images",
            Self::TooManyImages { .. } => "too_many_images",
            Self::ImageTooLarge { .. } => "image_too_large",
            Self::Turn(error) => match error.kind.as_str() {
                "quota" => "quota",
                "login_expired" => "login_expired",
                "network" => "network",
                "not_signed_in" => "not_signed_in",
                "upstream" => "upstream",
                _ => "internal",
            },
        }
    }
}

type Result<T, E = ChatError> = std::result::Result<T, E>;

/// The chat's own state inside the core: the store and the answers in flight.
pub(super) struct ChatState {
    store: ConversationStore,
    /// The conversations with an answer (or summary) in flight, with the token that stops it.
    running: Mutex<HashMap<String, (u64, CancellationToken)>>,
    /// Numbers reservations, so an ending answer never releases a later one.
    next_ticket: AtomicU64,
    /// Cancelled at shutdown; every answer's token is a child.
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl ChatState {
    pub(super) fn new(store: ConversationStore) -> Self {
        Self {
            store,
            running: Mutex::new(HashMap::new()),
            next_ticket: AtomicU64::new(0),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
        }
    }

    /// Stops every running answer (their text kept as stopped) and waits up to `grace` for them to
    /// be stored.
    pub(super) async fn shutdown(&self, grace: Duration) {
        self.shutdown.cancel();
        self.tasks.close();
        let _ = tokio::time::timeout(grace, self.tasks.wait()).await;
    }

    /// Marks `conversation_id` busy; `None` when it already is (or the core is stopping).
    fn reserve(&self, conversation_id: &str) -> Option<Reservation<'_>> {
        let mut running = self.running.lock().ok()?;
        if running.contains_key(conversation_id) || self.shutdown.is_cancelled() {
            return None;
        }
        let token = self.shutdown.child_token();
        let ticket = self.next_ticket.fetch_add(1, Ordering::Relaxed);
        running.insert(conversation_id.to_owned(), (ticket, token.clone()));
        Some(Reservation {
            state: self,
            conversation_id: conversation_id.to_owned(),
            ticket,
            token,
            handed_over: false,
        })
    }

    /// Ends the reservation `ticket` of `conversation_id` (and no later one).
    fn release(&self, conversation_id: &str, ticket: u64) {
        if let Ok(mut running) = self.running.lock()
            && running
                .get(conversation_id)
                .is_some_and(|(held, _)| *held == ticket)
        {
            running.remove(conversation_id);
        }
    }
}

/// A conversation marked busy until the answer's task ends (or the command fails before it
/// starts one).
struct Reservation<'a> {
    state: &'a ChatState,
    conversation_id: String,
    ticket: u64,
    token: CancellationToken,
    handed_over: bool,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.handed_over {
            self.state.release(&self.conversation_id, self.ticket);
        }
    }
}

/// The built-in chat of one core. Cheap to create; get it with [`Core::chat`].
#[derive(Clone)]
pub struct ChatService {
    core: Core,
}

impl Core {
    /// The built-in chat: conversations and answers through the one dispatcher.
    pub fn chat(&self) -> ChatService {
        ChatService { core: self.clone() }
    }

    /// The conversation store of the built-in chat.
    pub fn conversations(&self) -> &ConversationStore {
        &self.inner.chat.store
    }
}

impl ChatService {
    fn state(&self) -> &ChatState {
        &self.core.inner.chat
    }

    fn store(&self) -> &ConversationStore {
        &self.state().store
    }

    /// The conversations, newest updated first; `query` searches titles and text.
    pub async fn list(&self, query: Option<String>) -> Result<Vec<ConversationSummary>> {
        Ok(self.store().list(query).await?)
    }

    /// A new empty conversation.
    pub async fn create(&self, model: Option<String>, system_prompt: Option<String>) -> Result<Conversation> {
        let created = self.store().create(model, system_prompt).await?;
        self.get(&created.summary.id).await
    }

    /// A conversation with its context estimate.
    pub async fn get(&self, id: &str) -> Result<Conversation> {
        let mut conversation = self.store().load(id).await?;
        let transcript = transcript(&conversation.system_prompt, &conversation.messages);
        let tokens = self.core.token_estimator().clone();
        let context = tokio::task::spawn_blocking(move || estimate(&tokens, &transcript))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        conversation.context_tokens = context;
        conversation.context_long = context >= CONTEXT_LONG_TOKENS;
        Ok(conversation)
    }

    /// Renames a conversation.
    pub async fn rename(&self, id: &str, title: &str) -> Result<ConversationSummary> {
        Ok(self.store().rename(id, title).await?)
    }

    /// Sets the model of the next answers.
    pub async fn set_model(&self, id: &str, model: &str) -> Result<ConversationSummary> {
        Ok(self.store().set_model(id, model).await?)
    }

    /// Sets the system prompt.
    pub async fn set_system_prompt(&self, id: &str, system_prompt: &str) -> Result<Conversation> {
        self.store().set_system_prompt(id, system_prompt).await?;
        self.get(id).await
    }

    /// Deletes a conversation, stopping its answer first.
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.stop(id);
        Ok(self.store().delete(id).await?)
    }

    /// The conversation as Markdown.
    pub async fn export_markdown(&self, id: &str) -> Result<String> {
        Ok(self.store().export_markdown(id).await?)
    }

    /// Shows another version of a position.
    pub async fn select_version(
        &self,
        conversation_id: &str,
        message_id: &str,
        version: u32,
    ) -> Result<Conversation> {
        self.store()
            .select_version(conversation_id, message_id, version)
            .await?;
        self.get(conversation_id).await
    }

    /// Deletes one version of a message; refused while that conversation streams.
    pub async fn delete_message(&self, conversation_id: &str, message_id: &str) -> Result<Conversation> {
        let _busy = self.state().reserve(conversation_id).ok_or(ChatError::Busy)?;
        self.store().delete_message(conversation_id, message_id).await?;
        self.get(conversation_id).await
    }

    /// Whether `conversation_id` has an answer in flight.
    pub fn is_running(&self, conversation_id: &str) -> bool {
        self.state()
            .running
            .lock()
            .is_ok_and(|running| running.contains_key(conversation_id))
    }

    /// Stops the conversation's answer at once; it ends with a `stopped` event, its text kept.
    /// `false` when nothing was running.
    pub fn stop(&self, conversation_id: &str) -> bool {
        let token = self
            .state()
            .running
            .lock()
            .ok()
            .and_then(|running| running.get(conversation_id).map(|(_, token)| token.clone()));
        token.map(|token| token.cancel()).is_some()
    }

    /// Sends a user message and streams the answer to `sink`. Returns once the turn is stored and
    /// `started` was sent; everything that can be refused (busy, no model, images) is refused
    /// before anything is stored or sent.
    pub async fn send(
        &self,
        conversation_id: &str,
        content: String,
        images: Vec<ImageAttachment>,
        sink: ChatSink,
    ) -> Result<()> {
        let reservation = self.state().reserve(conversation_id).ok_or(ChatError::Busy)?;
        let (request, model) = self
            .request_with(conversation_id, None, &content, &images)
            .await?;
        let (user, answer) = self
            .store()
            .append_turn(conversation_id, NewUserMessage { content, images }, &model)
            .await?;
        self.start(reservation, request, Some(user), answer, sink);
        Ok(())
    }

    /// A new answer at the position of the answer `message_id`, the earlier versions kept.
    pub async fn regenerate(&self, conversation_id: &str, message_id: &str, sink: ChatSink) -> Result<()> {
        let reservation = self.state().reserve(conversation_id).ok_or(ChatError::Busy)?;
        let (request, model) = self.request_before(conversation_id, message_id).await?;
        let answer = self
            .store()
            .add_version(conversation_id, message_id, &model)
            .await?;
        self.start(reservation, request, None, answer, sink);
        Ok(())
    }

    /// A new answer in place of the failed or stopped answer `message_id`.
    pub async fn retry(&self, conversation_id: &str, message_id: &str, sink: ChatSink) -> Result<()> {
        let reservation = self.state().reserve(conversation_id).ok_or(ChatError::Busy)?;
        let old = self.store().message(conversation_id, message_id).await?;
        if !matches!(old.status, MessageStatus::Failed | MessageStatus::Stopped) {
            return Err(ConversationError::Invalid(
                "only a failed or stopped answer can be retried".to_owned(),
            )
            .into());
        }
        let (request, model) = self.request_before(conversation_id, message_id).await?;
        let answer = self
            .store()
            .reset_for_retry(conversation_id, message_id, &model)
            .await?;
        self.start(reservation, request, None, answer, sink);
        Ok(())
    }

    /// Replaces the user message `message_id`, deletes everything after it and answers again.
    pub async fn edit_and_resend(
        &self,
        conversation_id: &str,
        message_id: &str,
        content: String,
        images: Vec<ImageAttachment>,
        sink: ChatSink,
    ) -> Result<()> {
        let reservation = self.state().reserve(conversation_id).ok_or(ChatError::Busy)?;
        let edited = self.store().message(conversation_id, message_id).await?;
        let (request, model) = self
            .request_with(conversation_id, Some(edited.position), &content, &images)
            .await?;
        let (user, answer) = self
            .store()
            .edit_user(
                conversation_id,
                message_id,
                NewUserMessage { content, images },
                &model,
            )
            .await?;
        self.start(reservation, request, Some(user), answer, sink);
        Ok(())
    }

    /// Asks the conversation's model for a summary (through the dispatcher, source `chat`) and
    /// starts a new conversation with it as the system prompt, same model. The summary is not
    /// streamed; the command waits for it.
    pub async fn summarize_into_new(&self, conversation_id: &str) -> Result<Conversation> {
        let reservation = self.state().reserve(conversation_id).ok_or(ChatError::Busy)?;
        let conversation = self.store().load(conversation_id).await?;
        let model = self.model_of(&conversation).await?;
        let mut transcript = transcript(&conversation.system_prompt, &conversation.messages);
        if transcript.turns.is_empty() {
            return Err(ChatError::Empty);
        }
        transcript.turns.push(Turn::text(Role::User, SUMMARY_REQUEST));
        let request = self.request(&transcript, &model).await?;
        let mut stream = self.core.dispatch(request);
        let mut summary = String::new();
        loop {
            tokio::select! {
                biased;
                () = reservation.token.cancelled() => {
                    return Err(ChatError::Turn(TurnError {
                        kind: "stopped".to_owned(),
                        message: "the summary was stopped".to_owned(),
                    }));
                }
                item = stream.next() => match item {
                    Some(Ok(ChatEvent::TextDelta(delta))) => summary.push_str(&delta),
                    Some(Ok(ChatEvent::Finished { .. })) => break,
                    Some(Ok(_)) => {}
                    Some(Err(error)) => return Err(ChatError::Turn(turn_error(&error))),
                    None => return Err(ChatError::Turn(internal("the summary ended without an answer"))),
                },
            }
        }
        drop(reservation);
        let system_prompt = format!("{SUMMARY_PREFIX}\n\n{}", summary.trim());
        let created = self
            .store()
            .create(conversation.summary.model.clone(), Some(system_prompt))
            .await?;
        if !conversation.summary.title.is_empty() {
            self.store()
                .rename(&created.summary.id, &conversation.summary.title)
                .await?;
        }
        self.get(&created.summary.id).await
    }

    /// The request answering a new user message (`content`, `images`) after the turns before
    /// position `before` (all turns without it), and the model id. Refuses an empty message and
    /// images the model cannot take before anything is stored or sent.
    async fn request_with(
        &self,
        conversation_id: &str,
        before: Option<u32>,
        content: &str,
        images: &[ImageAttachment],
    ) -> Result<(ChatRequest, String)> {
        if content.trim().is_empty() && images.is_empty() {
            return Err(ChatError::Empty);
        }
        let conversation = self.store().load(conversation_id).await?;
        let model = self.model_of(&conversation).await?;
        self.check_images(images, &model).await?;
        let earlier: Vec<ChatMessage> = conversation
            .messages
            .into_iter()
            .filter(|message| before.is_none_or(|position| message.position < position))
            .collect();
        let mut transcript = transcript(&conversation.system_prompt, &earlier);
        transcript.turns.push(user_turn(content, images));
        let request = self.request(&transcript, &model).await?;
        Ok((request, model.id))
    }

    /// The request answering the turns before the message `message_id`, and the model id.
    async fn request_before(&self, conversation_id: &str, message_id: &str) -> Result<(ChatRequest, String)> {
        let conversation = self.store().load(conversation_id).await?;
        let target = self.store().message(conversation_id, message_id).await?;
        if target.role != crate::conversations::MessageRole::Assistant {
            return Err(ConversationError::Invalid("only an answer can be answered again".to_owned()).into());
        }
        let model = self.model_of(&conversation).await?;
        let before: Vec<ChatMessage> = conversation
            .messages
            .into_iter()
            .filter(|message| message.position < target.position)
            .collect();
        let transcript = transcript(&conversation.system_prompt, &before);
        let request = self.request(&transcript, &model).await?;
        Ok((request, model.id))
    }

    async fn model_of(&self, conversation: &Conversation) -> Result<ModelInfo> {
        let id = conversation.summary.model.as_deref().ok_or(ChatError::NoModel)?;
        Ok(self.core.resolve_model(id).await?)
    }

    /// The protocol's image limits, checked before anything is stored: image input only for
    /// vision models, at most `max_count` images of `max_bytes` each (decoded).
    async fn check_images(&self, images: &[ImageAttachment], model: &ModelInfo) -> Result<()> {
        if images.is_empty() {
            return Ok(());
        }
        let limits = self.core.catalog().await?.file_limits;
        check_images(images, model, limits)
    }

    async fn request(&self, transcript: &Transcript, model: &ModelInfo) -> Result<ChatRequest> {
        let built = self.core.build_prompt(transcript, model).await?;
        let mut request = ChatRequest::new(
            model.clone(),
            built.text,
            built.files,
            RequestSource {
                api: CHAT_ENDPOINT.to_owned(),
                key_name: None,
                user_agent: None,
            },
        );
        request.endpoint = CHAT_ENDPOINT.to_owned();
        Ok(request)
    }

    fn start(
        &self,
        mut reservation: Reservation<'_>,
        request: ChatRequest,
        user: Option<ChatMessage>,
        answer: ChatMessage,
        sink: ChatSink,
    ) {
        sink(ChatStreamEvent::Started {
            user_message: user,
            assistant_message: answer.clone(),
        });
        reservation.handed_over = true;
        let running = Running {
            token: reservation.token.clone(),
            ticket: reservation.ticket,
        };
        let core = self.core.clone();
        self.state().tasks.spawn(async move {
            let (conversation_id, answer_id) = (answer.conversation_id.clone(), answer.id.clone());
            let ticket = running.ticket;
            let run = AssertUnwindSafe(run_answer(core.clone(), request, answer, sink, running));
            if run.catch_unwind().await.is_err() {
                // The unwinding dropped the dispatcher's stream, which stops the upstream and
                // deletes its session; what is left is the stored answer, stopped with the text
                // saved so far (as after a crash), and the conversation, free for the next turn.
                tracing::error!(conversation_id, "a chat answer's task panicked");
                if let Err(error) = core.conversations().interrupt(&answer_id).await {
                    tracing::warn!(%error, "could not stop the answer of a panicked task");
                }
            }
            core.inner.chat.release(&conversation_id, ticket);
        });
    }
}

fn user_turn(content: &str, images: &[ImageAttachment]) -> Turn {
    let mut parts = vec![Part::Text(content.to_owned())];
    parts.extend(
        images
            .iter()
            .map(|image| Part::Image(crate::prompt::ImageSource::DataUrl(image.data_url.clone()))),
    );
    Turn {
        role: Role::User,
        parts,
    }
}

fn check_images(images: &[ImageAttachment], model: &ModelInfo, limits: FileLimits) -> Result<()> {
    if !model.multimodal {
        return Err(ChatError::ModelRefusedImages {
            model: model.label.clone(),
        });
    }
    if images.len() > limits.max_count {
        return Err(ChatError::TooManyImages {
            max: limits.max_count,
        });
    }
    for image in images {
        let bad = || ChatError::BadImage {
            name: image.name.clone(),
        };
        let (header, payload) = image.data_url.split_once(',').ok_or_else(bad)?;
        if !header.starts_with("data:image/") || !header.ends_with(";base64") {
            return Err(bad());
        }
        // The decoded size, from the length alone, so an oversized image is refused without
        // decoding it.
        let padding = payload.bytes().rev().take_while(|&b| b == b'=').count();
        let decoded = (payload.len() / 4 * 3).saturating_sub(padding);
        if decoded > limits.max_bytes {
            return Err(ChatError::ImageTooLarge {
                name: image.name.clone(),
                max_mb: limits.max_bytes.div_ceil(1024 * 1024),
            });
        }
        base64::engine::general_purpose::STANDARD
            .decode(payload)
            .map_err(|_| bad())?;
    }
    Ok(())
}

/// How an answer's stream ended.
enum Ending {
    Complete,
    Stopped,
    Failed(TurnError),
}

/// What an answer's task holds of its reservation (the task that runs [`run_answer`] releases it
/// when the answer ends, also by a panic).
struct Running {
    token: CancellationToken,
    ticket: u64,
}

/// One answer: dispatch, stream to the sink, save as it grows, store the ending.
async fn run_answer(core: Core, request: ChatRequest, answer: ChatMessage, sink: ChatSink, running: Running) {
    let token = running.token;
    let store = core.conversations().clone();
    let conversation_id = answer.conversation_id.clone();
    let mut stream = core.dispatch(request);
    let mut content = String::new();
    let mut reasoning = String::new();
    let mut usage: Option<ChatUsage> = None;
    let mut model_label = None;
    let mut last_save = Instant::now();
    let mut unsaved = false;
    let ending = loop {
        let item = tokio::select! {
            biased;
            () = token.cancelled() => break Ending::Stopped,
            item = stream.next() => item,
        };
        match item {
            Some(Ok(ChatEvent::TextDelta(delta))) => {
                content.push_str(&delta);
                unsaved = true;
                sink(ChatStreamEvent::Text { delta });
            }
            Some(Ok(ChatEvent::ReasoningDelta(delta))) => {
                reasoning.push_str(&delta);
                unsaved = true;
                sink(ChatStreamEvent::Reasoning { delta });
            }
            Some(Ok(ChatEvent::Usage(reported))) => {
                let reported = ChatUsage::from(reported);
                usage = Some(reported);
                sink(ChatStreamEvent::Usage(reported));
            }
            Some(Ok(ChatEvent::Finished { model_label: label })) => {
                model_label = label;
                break Ending::Complete;
            }
            Some(Err(DispatchError::ShuttingDown)) => break Ending::Stopped,
            Some(Err(error)) => break Ending::Failed(turn_error(&error)),
            None => break Ending::Failed(internal("the answer ended without an outcome")),
        }
        if unsaved && last_save.elapsed() >= SAVE_EVERY {
            if let Err(error) = store
                .save_progress(&answer.id, content.clone(), reasoning.clone())
                .await
            {
                tracing::warn!(%error, "could not save a streaming answer");
            }
            last_save = Instant::now();
            unsaved = false;
        }
    };
    // Dropping the stream before storing the ending stops the upstream at once on Stop.
    drop(stream);
    let (status, error) = match ending {
        Ending::Complete => (MessageStatus::Complete, None),
        Ending::Stopped => (MessageStatus::Stopped, None),
        Ending::Failed(error) => (MessageStatus::Failed, Some(error)),
    };
    let end = MessageEnd {
        status,
        content,
        reasoning,
        usage,
        model_label,
        error,
    };
    let stored = store.finish(&conversation_id, &answer.id, end.clone()).await;
    let message = match stored {
        Ok(message) => message,
        Err(error) => {
            tracing::warn!(%error, "could not store the end of an answer");
            ChatMessage {
                content: end.content,
                reasoning: end.reasoning,
                status: end.status,
                error: end.error,
                usage: end.usage,
                model_label: end.model_label.or(answer.model_label.clone()),
                ..answer
            }
        }
    };
    sink(match message.status {
        MessageStatus::Complete => ChatStreamEvent::Finished { message },
        MessageStatus::Failed => ChatStreamEvent::Failed { message },
        MessageStatus::Stopped | MessageStatus::Streaming => ChatStreamEvent::Stopped { message },
    });
}

fn internal(message: &str) -> TurnError {
    TurnError {
        kind: "internal".to_owned(),
        message: message.to_owned(),
    }
}

fn class_kind(class: ErrorClass) -> &'static str {
    match class {
        ErrorClass::QuotaExhausted => "quota",
        ErrorClass::LoginExpired | ErrorClass::InvalidCredentials => "login_expired",
        ErrorClass::Transport => "network",
        ErrorClass::InputTooLong
        | ErrorClass::UnknownSession
        | ErrorClass::RateLimited
        | ErrorClass::Upstream
        | ErrorClass::Malformed => "upstream",
    }
}

/// A failed answer's `{kind, message}`: the upstream's own message (Chinese as it is) when there
/// is one.
fn turn_error(error: &DispatchError) -> TurnError {
    match error {
        DispatchError::Upstream(upstream) => TurnError {
            kind: class_kind(upstream.class()).to_owned(),
            message: upstream
                .upstream_message()
                .map_or_else(|| upstream.to_string(), str::to_owned),
        },
        DispatchError::ShuttingDown => TurnError {
            kind: "stopped".to_owned(),
            message: error.to_string(),
        },
        DispatchError::Internal(_) => internal(&error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(multimodal: bool) -> ModelInfo {
        ModelInfo {
            id: "m".to_owned(),
            label: "M".to_owned(),
            group: String::new(),
            price_points: None,
            price_text: String::new(),
            multimodal,
            thinking: false,
            image_generation: false,
            note: String::new(),
            reasoning_efforts: Vec::new(),
        }
    }

    fn image(bytes: usize) -> ImageAttachment {
        let data = base64::engine::general_purpose::STANDARD.encode(vec![0_u8; bytes]);
        ImageAttachment {
            name: "a.png".to_owned(),
            mime: "image/png".to_owned(),
            data_url: format!("data:image/png;base64,{data}"),
        }
    }

    #[test]
    fn images_are_checked_against_the_model_and_the_limits() {
        let limits = FileLimits::default();
        assert!(check_images(&[image(10)], &model(true), limits).is_ok());
        assert_eq!(
            check_images(&[image(10)], &model(false), limits)
                .unwrap_err()
                .kind(),
            "model_refused_images"
        );
        let six = vec![image(10); 6];
        assert_eq!(
            check_images(&six, &model(true), limits).unwrap_err().kind(),
            "too_many_images"
        );
        let large = image(5 * 1024 * 1024 + 1);
        assert_eq!(
            check_images(&[large], &model(true), limits).unwrap_err().kind(),
            "image_too_large"
        );
        let exact = image(5 * 1024 * 1024);
        assert!(check_images(&[exact], &model(true), limits).is_ok());
        let mut bad = image(10);
        bad.data_url = "data:text/plain;base64,aGk=".to_owned();
        assert_eq!(
            check_images(&[bad], &model(true), limits).unwrap_err().kind(),
            "invalid"
        );
    }
}
