//! [`Dispatcher`]: the single path every chat request takes to the upstream.
//!
//! Each request runs in its own task, detached from the caller, so that what must happen after
//! the client has gone (deleting the session, writing the request log) still happens. The caller
//! holds a [`ChatStream`]; dropping it is how a client disconnect reaches the task, which then drops
//! the upstream stream at once (the model stops and the user stops paying). Per request:
//!
//! 1. admission (FIFO, runtime-adjustable limit); a client that leaves while queued never reaches
//!    the upstream;
//! 2. pacing (token bucket) before each upstream call that costs: session creation, completions;
//! 3. a fresh session → completions → session deletion, the deletion guaranteed by a guard that
//!    also fires on cancellation and panic; a session whose creation finishes after its client
//!    left is deleted too;
//! 4. retries: login expiry is handled by [`Account::call`]; rate-limit, WAF and transport errors
//!    are retried with bounded backoff only while the completions request cannot have reached the
//!    model ([`UpstreamError::may_have_reached_model`]); a sent completions request is never resent;
//! 5. `<think>` splitting into reasoning and text, usage from the final record, events and the
//!    request log.

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::{FutureExt, Stream, StreamExt};
use time::OffsetDateTime;
use tokio::sync::{Notify, broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::admission::{Admission, AdmissionGauges};
use super::error::DispatchError;
use super::events::{DispatchEvent, DispatchEventKind, EventObserver};
use super::pacing::{Pacer, PacingConfig};
use super::reaper::SessionReaper;
use super::session_guard::SessionGuard;
use super::think::{Pieces, ThinkSplitter};
use crate::account::Account;
use crate::chat::{ChatEvent, ChatRequest, Usage};
use crate::request_log::{EntryPatch, EntryStatus, NewEntry, RequestLog};
use crate::upstream::{CompletionRequest, CompletionStream, ErrorClass, Frame, SessionInfo, UpstreamError};

/// How many events a slow broadcast subscriber may fall behind before it misses some.
const EVENT_CAPACITY: usize = 1024;
/// How many chat events may wait for a slow client before the request stops reading upstream.
const CLIENT_BUFFER: usize = 64;
/// The most reply text kept for the request log's (opt-in) preview.
const REPLY_PREVIEW_CHARS: usize = 4096;

/// The dispatcher's tunables. Concurrency and pacing can also change at runtime.
#[derive(Debug, Clone)]
pub struct DispatcherConfig {
    /// How many requests may talk to the upstream at once.
    pub concurrency: usize,
    /// The token bucket for upstream calls.
    pub pacing: PacingConfig,
    /// How many times a call that failed before reaching the model (rate limit, WAF, transport) is
    /// tried in all.
    pub pre_send_attempts: u32,
    /// The first backoff between such attempts; it doubles each time.
    pub retry_backoff: Duration,
    /// The longest single wait between attempts, `Retry-After` included.
    pub max_retry_wait: Duration,
    /// How long one session deletion may take before it is left to the retry loop.
    pub delete_timeout: Duration,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            concurrency: 3,
            pacing: PacingConfig::default(),
            pre_send_attempts: 3,
            retry_backoff: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(10),
            delete_timeout: Duration::from_secs(15),
        }
    }
}

/// The one dispatcher of an account. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    account: Account,
    admission: Admission,
    pacer: Pacer,
    reaper: SessionReaper,
    log: RequestLog,
    events: broadcast::Sender<DispatchEvent>,
    observer: Option<EventObserver>,
    retry: RetryPolicy,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

#[derive(Debug, Clone, Copy)]
struct RetryPolicy {
    attempts: u32,
    backoff: Duration,
    max_wait: Duration,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("gauges", &*self.inner.admission.subscribe().borrow())
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// A dispatcher for `account`, recording requests and pending deletions in `log`. Starts the
    /// deletion retry loop, so it must be called inside a Tokio runtime.
    pub fn new(account: Account, log: RequestLog, config: DispatcherConfig) -> Self {
        Self::observed(account, log, config, None)
    }

    /// Like [`Dispatcher::new`], with `observer` called for every event as it happens.
    pub fn observed(
        account: Account,
        log: RequestLog,
        config: DispatcherConfig,
        observer: Option<EventObserver>,
    ) -> Self {
        let reaper = SessionReaper::new(account.clone(), log.clone(), config.delete_timeout);
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        let inner = Arc::new(Inner {
            admission: Admission::new(config.concurrency),
            pacer: Pacer::new(config.pacing),
            reaper: reaper.clone(),
            account,
            log,
            events,
            observer,
            retry: RetryPolicy {
                attempts: config.pre_send_attempts.max(1),
                backoff: config.retry_backoff,
                max_wait: config.max_retry_wait,
            },
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
        });
        inner
            .tasks
            .spawn(reaper.run_retry_loop(inner.shutdown.child_token()));
        Self { inner }
    }

    /// Sends `request` upstream and returns its events. The work runs in its own task; dropping the
    /// returned stream cancels it (a queued request leaves the queue, a running one stops the
    /// upstream stream) while cleanup still completes.
    pub fn dispatch(&self, request: ChatRequest) -> ChatStream {
        let (tx, rx) = mpsc::channel(CLIENT_BUFFER);
        let id = request.id.clone();
        let shared = Arc::new(Shared::default());
        let client = Client {
            tx,
            shared: Arc::clone(&shared),
        };
        let inner = Arc::clone(&self.inner);
        self.inner.tasks.spawn(async move {
            let request_id = request.id.clone();
            let started = Instant::now();
            let run = AssertUnwindSafe(Arc::clone(&inner).run(request, client, started));
            if run.catch_unwind().await.is_err() {
                // The session guard has already scheduled the deletion while unwinding.
                tracing::error!(request_id, "a dispatched request panicked");
                let error = DispatchError::Internal("the request's task panicked".to_owned());
                inner.record_failure(&request_id, &error, started).await;
            }
        });
        ChatStream { id, rx, shared }
    }

    /// Dispatcher events for the UI and tray.
    pub fn subscribe(&self) -> broadcast::Receiver<DispatchEvent> {
        self.inner.events.subscribe()
    }

    /// Live gauges: in flight, queued, limit.
    pub fn gauges(&self) -> watch::Receiver<AdmissionGauges> {
        self.inner.admission.subscribe()
    }

    /// Changes the concurrency limit; takes effect at once, without a restart.
    pub fn set_concurrency(&self, limit: usize) {
        self.inner.admission.set_limit(limit);
    }

    /// Changes the pacing; takes effect at once.
    pub fn set_pacing(&self, pacing: PacingConfig) {
        self.inner.pacer.set_config(pacing);
    }

    /// The account requests are sent with.
    pub fn account(&self) -> &Account {
        &self.inner.account
    }

    /// The request log requests are recorded in.
    pub fn request_log(&self) -> &RequestLog {
        &self.inner.log
    }

    /// Stops accepting work, ends running requests (their upstream streams are dropped and their
    /// sessions deleted) and waits up to `grace` for all of that to finish.
    pub async fn shutdown(&self, grace: Duration) {
        self.inner.admission.close();
        self.inner.shutdown.cancel();
        self.inner.tasks.close();
        if tokio::time::timeout(grace, self.inner.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(?grace, "some requests were still finishing at shutdown");
        }
    }
}

/// How a request ended, from the task's point of view.
enum Outcome {
    Finished(Usage),
    Failed(DispatchError),
    Cancelled,
}

/// What the client side of a request looks like to the task: the events channel, whose closing
/// means the client went away.
struct Client {
    tx: mpsc::Sender<Result<ChatEvent, DispatchError>>,
    shared: Arc<Shared>,
}

/// What the two ends of a request share besides the events channel.
#[derive(Debug, Default)]
struct Shared {
    /// Set by [`ChatStream::finish_early`]: the client stopped reading on purpose, with this usage.
    ended_early: OnceLock<Option<Usage>>,
    /// Notified once the upstream has accepted the message ([`ChatStream::opening`]).
    accepted: Notify,
}

impl Client {
    /// Sends an event; `false` when the client has gone.
    async fn send(&self, event: ChatEvent) -> bool {
        self.tx.send(Ok(event)).await.is_ok()
    }

    async fn gone(&self) {
        self.tx.closed().await;
    }
}

impl Inner {
    async fn run(self: Arc<Self>, request: ChatRequest, client: Client, started: Instant) {
        // A request that can run at once is recorded as running straight away: one write for the
        // log's writer instead of a queued entry updated a moment later (under many concurrent
        // requests the writer's work is on the cores the requests need). A client already gone
        // or a shutdown under way takes the waiting path, which answers them first.
        let admitted = if client.tx.is_closed() || self.shutdown.is_cancelled() {
            None
        } else {
            self.admission.try_acquire()
        };
        let waited_ms = millis(started.elapsed());
        self.begin_log(&request, admitted.is_some().then_some(waited_ms));
        self.emit(
            &request.id,
            DispatchEventKind::Queued {
                model: request.model.id.clone(),
                source: request.source.clone(),
                endpoint: request.endpoint.clone(),
            },
        );

        let (permit, queue_wait_ms) = match admitted {
            Some(permit) => (permit, waited_ms),
            None => {
                let permit = tokio::select! {
                    biased;
                    () = client.gone() => return self.record_gone(&request.id, &client, None, started).await,
                    () = self.shutdown.cancelled() => {
                        return self.fail(&client, &request.id, DispatchError::ShuttingDown, started).await;
                    }
                    permit = self.admission.acquire() => match permit {
                        Ok(permit) => permit,
                        Err(_) => return self.fail(&client, &request.id, DispatchError::ShuttingDown, started).await,
                    },
                };
                let queue_wait_ms = millis(started.elapsed());
                // Queued for the log's writer, not awaited: the upstream call does not wait for a
                // disk write.
                self.log
                    .update_in_background(&request.id, EntryPatch::streaming(queue_wait_ms));
                (permit, queue_wait_ms)
            }
        };
        self.emit(&request.id, DispatchEventKind::Started { queue_wait_ms });

        let mut guard = SessionGuard::new(self.reaper.clone(), self.tasks.clone());
        let mut reply = ReplyState::default();
        let outcome = self
            .converse(&request, &client, &mut guard, &mut reply, started)
            .await;
        drop(permit);

        match outcome {
            Outcome::Finished(usage) => {
                // The client has its answer; deleting the session is our business, not its wait.
                guard.delete_now().await;
                self.record_done(&request.id, Some(usage), Some(&reply), started)
                    .await;
            }
            Outcome::Failed(error) => {
                let _ = client.tx.send(Err(error.clone())).await;
                guard.delete_now().await;
                self.record_failure(&request.id, &error, started).await;
            }
            Outcome::Cancelled => {
                guard.delete_now().await;
                self.record_gone(&request.id, &client, Some(&reply), started)
                    .await;
            }
        }
    }

    /// Session creation, completions and streaming. Everything that may leave a session behind
    /// registers it with `guard` first.
    async fn converse(
        &self,
        request: &ChatRequest,
        client: &Client,
        guard: &mut SessionGuard,
        reply: &mut ReplyState,
        started: Instant,
    ) -> Outcome {
        let session = match self.create_session(&request.model.id, client, guard).await {
            Ok(Some(session)) => session,
            Ok(None) => return Outcome::Cancelled,
            Err(error) => return Outcome::Failed(error),
        };
        let message = CompletionRequest {
            session_id: session.id,
            model: Some(request.model.id.clone()),
            text: request.text.clone(),
            files: request.files.clone(),
            reasoning_effort: supported_effort(request),
        };
        let stream = match self.open_completions(&message, client).await {
            Ok(Some(stream)) => stream,
            Ok(None) => return Outcome::Cancelled,
            Err(error) => return Outcome::Failed(error),
        };
        client.shared.accepted.notify_one();
        self.relay(request, stream, client, reply, started).await
    }

    /// Creates the session, retrying failures that happen before anything could be billed.
    /// `Ok(None)` means the client left; a session created after that is deleted.
    async fn create_session(
        &self,
        model: &str,
        client: &Client,
        guard: &mut SessionGuard,
    ) -> Result<Option<SessionInfo>, DispatchError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            if !self.paced(client).await? {
                return Ok(None);
            }
            // If the client leaves mid-call the upstream may still create the session: the call
            // then moves to a task of its own that deletes whatever it creates. Until then it runs
            // here, which spares the path to the first token a task hand-over each way.
            let account = self.account.clone();
            let model_id = model.to_owned();
            let mut creation = Box::pin(async move { account.create_session(&model_id).await });
            let result = tokio::select! {
                biased;
                result = &mut creation => result,
                () = client.gone() => {
                    guard.adopt_late(creation);
                    return Ok(None);
                }
            };
            let error = match result {
                Ok(session) => {
                    guard.hold(session.id);
                    return Ok(Some(session));
                }
                Err(error) => error,
            };
            if !self
                .back_off(error, attempt, client, "creating the session")
                .await?
            {
                return Ok(None);
            }
        }
    }

    /// Sends the completions request. Resent only while it cannot have reached the model.
    async fn open_completions(
        &self,
        message: &CompletionRequest,
        client: &Client,
    ) -> Result<Option<CompletionStream>, DispatchError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            if !self.paced(client).await? {
                return Ok(None);
            }
            let result = tokio::select! {
                biased;
                // Dropping the call aborts the HTTP request; if it reached the model, closing the
                // connection is what stops the generation.
                () = client.gone() => return Ok(None),
                () = self.shutdown.cancelled() => return Err(DispatchError::ShuttingDown),
                result = self.account.completions(message) => result,
            };
            let error = match result {
                Ok(stream) => return Ok(Some(stream)),
                Err(error) => error,
            };
            if !self
                .back_off(error, attempt, client, "sending the completions request")
                .await?
            {
                return Ok(None);
            }
        }
    }

    /// Relays frames to the client until `[DONE]`, an error, or the client leaving.
    async fn relay(
        &self,
        request: &ChatRequest,
        mut stream: CompletionStream,
        client: &Client,
        reply: &mut ReplyState,
        started: Instant,
    ) -> Outcome {
        let mut splitter = ThinkSplitter::new();
        let mut usage = None;
        let mut model_label = None;
        // Made once, not per frame: each of these futures registers a waiter (a lock) when first
        // polled and removes it when dropped.
        let gone = client.gone();
        let shutdown = self.shutdown.cancelled();
        tokio::pin!(gone, shutdown);
        loop {
            let item = tokio::select! {
                biased;
                () = &mut gone => return Outcome::Cancelled,
                () = &mut shutdown => return Outcome::Failed(DispatchError::ShuttingDown),
                item = stream.next() => item,
            };
            match item {
                Some(Ok(Frame::Text(delta))) => {
                    let pieces = splitter.push_owned(delta);
                    if !self.forward(request, pieces, client, reply, started).await {
                        return Outcome::Cancelled;
                    }
                }
                Some(Ok(Frame::Final(record))) => {
                    usage = Some(record.usage());
                    model_label = record.model_label;
                }
                Some(Err(error)) => return Outcome::Failed(error.into()),
                None => break,
            }
        }
        // The stream is finished; release the connection before the last client writes.
        drop(stream);
        let pieces = splitter.finish();
        if !self.forward(request, pieces, client, reply, started).await {
            return Outcome::Cancelled;
        }
        let usage = usage.unwrap_or_default();
        if !client.send(ChatEvent::Usage(usage)).await
            || !client.send(ChatEvent::Finished { model_label }).await
        {
            return Outcome::Cancelled;
        }
        Outcome::Finished(usage)
    }

    /// Sends the split pieces of one frame to the client. `false` when the client has gone.
    async fn forward(
        &self,
        request: &ChatRequest,
        pieces: Pieces,
        client: &Client,
        reply: &mut ReplyState,
        started: Instant,
    ) -> bool {
        if pieces.is_empty() {
            return true;
        }
        if reply.first_token_ms.is_none() {
            let after_ms = millis(started.elapsed());
            reply.first_token_ms = Some(after_ms);
            self.emit(&request.id, DispatchEventKind::FirstToken { after_ms });
        }
        if let Some(reasoning) = pieces.reasoning
            && !client.send(ChatEvent::ReasoningDelta(reasoning)).await
        {
            return false;
        }
        if let Some(text) = pieces.text {
            reply.keep(&text);
            if !client.send(ChatEvent::TextDelta(text)).await {
                return false;
            }
        }
        true
    }

    /// Waits for the pacer before an upstream call. `Ok(false)` when the client left meanwhile.
    async fn paced(&self, client: &Client) -> Result<bool, DispatchError> {
        tokio::select! {
            biased;
            () = client.gone() => Ok(false),
            () = self.shutdown.cancelled() => Err(DispatchError::ShuttingDown),
            () = self.pacer.acquire() => Ok(true),
        }
    }

    /// After a failed attempt at `what`: waits before the next attempt and returns `Ok(true)`, or
    /// `Ok(false)` when the client left while waiting, or the error when it must not be retried.
    async fn back_off(
        &self,
        error: UpstreamError,
        attempt: u32,
        client: &Client,
        what: &str,
    ) -> Result<bool, DispatchError> {
        let Some(wait) = self.retry_wait(&error, attempt) else {
            return Err(error.into());
        };
        tracing::info!(%error, ?wait, attempt, "{what} failed before anything was billed; retrying");
        Ok(self.pause(wait, client).await)
    }

    /// How long to wait before another attempt after `error`, or `None` when it must not be retried.
    fn retry_wait(&self, error: &UpstreamError, attempt: u32) -> Option<Duration> {
        let retryable = matches!(error.class(), ErrorClass::RateLimited | ErrorClass::Transport);
        if !retryable || error.may_have_reached_model() || attempt >= self.retry.attempts {
            return None;
        }
        let backoff = self.retry.backoff.saturating_mul(1 << (attempt - 1).min(16));
        Some(error.retry_after().unwrap_or(backoff).min(self.retry.max_wait))
    }

    /// Sleeps `wait` unless the client leaves first (`false`) or the gateway stops.
    async fn pause(&self, wait: Duration, client: &Client) -> bool {
        tokio::select! {
            biased;
            () = client.gone() => false,
            () = self.shutdown.cancelled() => false,
            () = tokio::time::sleep(wait) => true,
        }
    }

    async fn fail(&self, client: &Client, id: &str, error: DispatchError, started: Instant) {
        let _ = client.tx.send(Err(error.clone())).await;
        self.record_failure(id, &error, started).await;
    }

    fn emit(&self, request_id: &str, kind: DispatchEventKind) {
        let event = DispatchEvent {
            request_id: request_id.to_owned(),
            kind,
        };
        if let Some(observer) = &self.observer {
            observer(&event);
        }
        // No subscriber is fine: nobody is watching.
        let _ = self.events.send(event);
    }

    /// Queues the request's entry for the log's writer without waiting for it (the first thing on
    /// every request's path to the upstream); the writer applies later changes after it. A request
    /// admitted at once, after `admitted_ms`, is recorded as running already.
    fn begin_log(&self, request: &ChatRequest, admitted_ms: Option<u64>) {
        let mut entry = NewEntry::new(
            request.source.clone(),
            request.endpoint.clone(),
            request.model.id.clone(),
            request.stream,
        );
        if let Some(waited) = admitted_ms {
            entry.status = EntryStatus::Streaming;
            entry.queue_wait_ms = Some(waited);
        }
        entry.id = Some(request.id.clone());
        entry.started_at = OffsetDateTime::now_utc();
        entry.prompt_preview = Some(request.text.clone());
        self.log.begin_in_background(entry);
    }

    /// Records how the request ended (see [`RequestLog::settle`] for why it is not hurried).
    async fn update_log(&self, id: &str, patch: EntryPatch) {
        if let Err(error) = self.log.settle(id, patch).await {
            tracing::error!(request_id = id, %error, "could not update the request log");
        }
    }

    async fn record_done(
        &self,
        id: &str,
        usage: Option<Usage>,
        reply: Option<&ReplyState>,
        started: Instant,
    ) {
        let duration_ms = millis(started.elapsed());
        self.emit(
            id,
            DispatchEventKind::Finished {
                usage: usage.unwrap_or_default(),
                duration_ms,
            },
        );
        let mut patch = EntryPatch::done(200, duration_ms, usage);
        if let Some(reply) = reply {
            patch.first_token_ms = reply.first_token_ms;
            patch.reply_preview = Some(reply.preview.clone());
        }
        self.update_log(id, patch).await;
    }

    /// The client went away: an answer it ended on purpose ([`ChatStream::finish_early`]) is
    /// recorded as done, anything else as cancelled.
    async fn record_gone(&self, id: &str, client: &Client, reply: Option<&ReplyState>, started: Instant) {
        match client.shared.ended_early.get() {
            Some(usage) => self.record_done(id, *usage, reply, started).await,
            None => self.record_cancelled(id, started).await,
        }
    }

    async fn record_failure(&self, id: &str, error: &DispatchError, started: Instant) {
        let duration_ms = millis(started.elapsed());
        let message = error.to_string();
        self.emit(
            id,
            DispatchEventKind::Failed {
                class: error.failure_class().to_string(),
                message: message.clone(),
                duration_ms,
            },
        );
        self.update_log(
            id,
            EntryPatch::failed(None, error.failure_class(), message, duration_ms),
        )
        .await;
    }

    async fn record_cancelled(&self, id: &str, started: Instant) {
        let duration_ms = millis(started.elapsed());
        self.emit(id, DispatchEventKind::Cancelled { duration_ms });
        self.update_log(id, EntryPatch::cancelled(duration_ms)).await;
    }
}

/// What the request log keeps of a reply: when it started and a capped preview (stored only when
/// the user enabled previews; the log applies that policy).
#[derive(Default)]
struct ReplyState {
    first_token_ms: Option<u64>,
    preview: String,
    preview_chars: usize,
}

impl ReplyState {
    fn keep(&mut self, text: &str) {
        if self.preview_chars >= REPLY_PREVIEW_CHARS {
            return;
        }
        for ch in text.chars().take(REPLY_PREVIEW_CHARS - self.preview_chars) {
            self.preview.push(ch);
            self.preview_chars += 1;
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The events of one dispatched request: deltas, then `Usage` and `Finished`; or an error as the
/// last item. Dropping it cancels the request.
#[derive(Debug)]
pub struct ChatStream {
    id: String,
    rx: mpsc::Receiver<Result<ChatEvent, DispatchError>>,
    shared: Arc<Shared>,
}

/// How a request's stream begins ([`ChatStream::opening`]).
#[derive(Debug)]
pub enum Opening {
    /// An event came first (a failure before the upstream answered, or the first delta).
    Event(Result<ChatEvent, DispatchError>),
    /// The upstream accepted the message and is generating; no event yet.
    Accepted,
    /// The stream ended without any event.
    Ended,
}

impl ChatStream {
    /// The request's id (also its request-log entry id).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The next event if one is ready now, without waiting; `None` when none is (or the stream
    /// has ended, which the next poll tells). Lets a relay write every event that is ready in one
    /// write instead of one write (a syscall and a TCP segment) per frame.
    pub fn try_next(&mut self) -> Option<Result<ChatEvent, DispatchError>> {
        self.rx.try_recv().ok()
    }

    /// Waits for the first event or for the upstream to accept the message, whichever comes
    /// first. From the upstream's acceptance on, failures arrive as in-stream error frames (the
    /// site rejects a message before generating with an envelope instead of a stream, which the
    /// dispatcher reports as an event), so a streaming relay can send its response head then:
    /// a client that has the head when the first token comes reads the token at once, instead of
    /// parsing the head and the token together at that moment.
    pub async fn opening(&mut self) -> Opening {
        tokio::select! {
            biased;
            item = self.rx.recv() => match item {
                Some(item) => Opening::Event(item),
                None => Opening::Ended,
            },
            () = self.shared.accepted.notified() => Opening::Accepted,
        }
    }

    /// Ends the request on purpose before the upstream finished (a stop sequence or an output
    /// limit was reached). Like dropping the stream it stops the upstream at once and deletes the
    /// session, but the request is recorded as done, with `usage` (the caller's estimate, since the
    /// upstream's final record never comes), instead of cancelled.
    pub fn finish_early(self, usage: Option<Usage>) {
        // Set before the receiver is dropped, so the request's task sees it once it notices.
        let _ = self.shared.ended_early.set(usage);
    }
}

impl Stream for ChatStream {
    type Item = Result<ChatEvent, DispatchError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

/// The requested reasoning level when the model declares it (case-insensitively, sent in the catalog's
/// spelling); `None` otherwise, so an unsupported level is left out instead of failing the request.
fn supported_effort(request: &ChatRequest) -> Option<String> {
    let wanted = request.reasoning_effort.as_deref()?.trim();
    request
        .model
        .reasoning_efforts
        .iter()
        .find(|level| level.eq_ignore_ascii_case(wanted))
        .cloned()
}
