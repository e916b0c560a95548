//! The background sign-in: a long-running gateway (`taiji-gateway serve`, the desktop app) never
//! fails to start because the Taiji site cannot be reached. It serves at once, and this task
//! signs in behind it:
//!
//! - with credentials: tries now, and on failure again with exponential backoff and jitter
//!   ([`Backoff`]) until it succeeds; whenever a later call cannot connect to the site (the
//!   network went away), it probes the same way until the site answers again;
//! - when the site rejects the password, it stops (no account lock-out from retries) until the
//!   credentials change;
//! - without credentials (or with rejected stored ones) it can watch the credential store cheaply
//!   and pick up credentials another process (`taiji-gateway login`) stored, without a restart.
//!
//! The state is one [`SignInState`] on a watch channel: `/health`, the CLI's status, the desktop's
//! status and the gateway's "not signed in yet" answers all read it.
//!
//! A probe is `user/info`: it logs in when no token is held and otherwise only checks that the
//! site answers with the token it has, so getting the network back never costs an extra login.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Weak};
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Inner;
use super::backoff::Backoff;
use crate::account::{Credentials as AccountCredentials, TokenState};
use crate::credentials::Credentials as StoredCredentials;
use crate::upstream::{ErrorClass, UpstreamError};

/// How often the credential store is read while there is no usable account.
pub const CREDENTIAL_POLL: Duration = Duration::from_secs(3);

/// The wait suggested to clients while the first sign-in is still running.
const SIGNING_IN_RETRY: Duration = Duration::from_secs(2);

/// Where the core stands with signing in to the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SignInState {
    /// The background sign-in is not running (one-shot commands, embedded cores): the core signs
    /// in on first use.
    OnDemand,
    /// No account is configured: sign in first.
    NoAccount,
    /// Signing in (at start, or after the credentials or the site changed).
    SigningIn {
        /// When this started.
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        #[serde(with = "time::serde::rfc3339")]
        since: OffsetDateTime,
    },
    /// The site did not answer (or answered with an error that is not about the credentials);
    /// the next attempt is scheduled.
    Unreachable {
        /// When the site stopped answering.
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        #[serde(with = "time::serde::rfc3339")]
        since: OffsetDateTime,
        /// When the next attempt is due.
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        #[serde(with = "time::serde::rfc3339")]
        next_attempt_at: OffsetDateTime,
        /// Failed attempts so far.
        failures: u32,
        /// The last failure, in words (never a secret).
        reason: String,
    },
    /// Signed in; requests can be served.
    SignedIn {
        /// When the sign-in succeeded.
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        #[serde(with = "time::serde::rfc3339")]
        since: OffsetDateTime,
    },
    /// The site rejected the account or password; nothing is retried until they change.
    WrongPassword {
        /// The site's message.
        message: String,
    },
}

impl SignInState {
    /// Whether chat requests can be sent now (or, on demand, may try to).
    pub fn is_ready(&self) -> bool {
        matches!(self, Self::SignedIn { .. } | Self::OnDemand)
    }

    /// How long a client should wait before retrying, while a retry can help.
    pub fn retry_after(&self, now: OffsetDateTime) -> Option<Duration> {
        match self {
            Self::SigningIn { .. } => Some(SIGNING_IN_RETRY),
            Self::Unreachable { next_attempt_at, .. } => {
                let wait = (*next_attempt_at - now).whole_seconds().max(0);
                // Just after the attempt is due its result is not known yet; a second more.
                Some(Duration::from_secs(u64::try_from(wait).unwrap_or(0) + 1))
            }
            Self::OnDemand | Self::NoAccount | Self::SignedIn { .. } | Self::WrongPassword { .. } => None,
        }
    }

    /// One line for people: `/health`'s summary, the CLI's status, logs.
    pub fn describe(&self, now: OffsetDateTime) -> String {
        match self {
            Self::OnDemand => String::from("signs in on first use"),
            Self::NoAccount => {
                String::from("sign in first: run `taiji-gateway login` (or sign in in the app)")
            }
            Self::SigningIn { .. } => String::from("signing in"),
            Self::Unreachable { since, reason, .. } => {
                let next = self.retry_after(now).unwrap_or_default().as_secs();
                format!(
                    "site unreachable since {} UTC, next try in {next}s ({reason})",
                    clock(*since)
                )
            }
            Self::SignedIn { .. } => String::from("signed in"),
            Self::WrongPassword { message } => format!(
                "wrong password: the Taiji site rejected the account or password ({message}); not \
                 retrying until new credentials are stored with `taiji-gateway login`"
            ),
        }
    }
}

/// `HH:MM:SS` of a UTC time.
fn clock(at: OffsetDateTime) -> String {
    format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second())
}

/// How the background sign-in runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackgroundSignIn {
    /// The retry schedule.
    pub backoff: Backoff,
    /// Whether to read the credential store every [`CREDENTIAL_POLL`] while there is no usable
    /// account (headless `serve`: `taiji-gateway login` in another process). The desktop app
    /// signs in through its own window and leaves this off, so the keychain is not asked again
    /// and again.
    pub watch_credential_store: bool,
}

impl Default for BackgroundSignIn {
    fn default() -> Self {
        Self {
            backoff: Backoff::default(),
            watch_credential_store: true,
        }
    }
}

/// The core's part of the background sign-in: its published state and what the task needs to
/// know about where the credentials came from.
pub(super) struct Control {
    pub(super) state: watch::Sender<SignInState>,
    started: AtomicBool,
    /// The credentials came from this run's environment: the store is not watched then.
    pub(super) transient: AtomicBool,
    /// Credentials to store once they signed in (typed at `serve`'s prompt while the site was
    /// unreachable, so they could not be checked yet).
    pub(super) persist_on_success: Mutex<Option<StoredCredentials>>,
}

impl Control {
    pub(super) fn new() -> Self {
        Self {
            state: watch::Sender::new(SignInState::OnDemand),
            started: AtomicBool::new(false),
            transient: AtomicBool::new(false),
            persist_on_success: Mutex::new(None),
        }
    }

    /// Marks the task as started; false when it already was.
    pub(super) fn start(&self) -> bool {
        !self.started.swap(true, Ordering::SeqCst)
    }
}

/// The background task. Runs until `shutdown` or until the core is dropped.
pub(super) async fn run(inner: Weak<Inner>, options: BackgroundSignIn, shutdown: CancellationToken) {
    let Some(mut task) = Task::new(inner, options) else {
        return;
    };
    task.restart();
    let mut poll = tokio::time::interval(CREDENTIAL_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let next = task.next;
        let polling = task.options.watch_credential_store && task.wants_credentials();
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = sleep_until(next) => {
                task.next = None;
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = task.attempt() => {}
                }
            }
            changed = task.accounts.changed() => {
                if changed.is_err() { return }
                task.accounts.borrow_and_update();
                task.restart();
            }
            changed = task.tokens.changed() => {
                if changed.is_err() { return }
                let token = task.tokens.borrow_and_update().clone();
                task.on_token(token);
            }
            changed = task.connection_failures.changed() => {
                if changed.is_err() { return }
                task.connection_failures.borrow_and_update();
                task.on_connection_failure();
            }
            _ = poll.tick(), if polling => task.poll_store().await,
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

struct Task {
    inner: Weak<Inner>,
    options: BackgroundSignIn,
    accounts: watch::Receiver<Option<String>>,
    tokens: watch::Receiver<TokenState>,
    connection_failures: watch::Receiver<u64>,
    /// Consecutive failed attempts.
    failures: u32,
    /// When the site stopped answering.
    unreachable_since: Option<OffsetDateTime>,
    /// When the next attempt is due.
    next: Option<Instant>,
}

impl Task {
    fn new(inner: Weak<Inner>, options: BackgroundSignIn) -> Option<Self> {
        let core = inner.upgrade()?;
        let mut accounts = core.signed_in_as.subscribe();
        let mut tokens = core.account.subscribe();
        let mut connection_failures = core.account.subscribe_connection_failures();
        accounts.borrow_and_update();
        tokens.borrow_and_update();
        connection_failures.borrow_and_update();
        drop(core);
        Some(Self {
            inner,
            options,
            accounts,
            tokens,
            connection_failures,
            failures: 0,
            unreachable_since: None,
            next: None,
        })
    }

    fn state(&self) -> SignInState {
        self.inner
            .upgrade()
            .map(|core| core.sign_in.state.borrow().clone())
            .unwrap_or(SignInState::OnDemand)
    }

    fn publish(&self, state: SignInState) {
        if let Some(core) = self.inner.upgrade() {
            core.sign_in.state.send_if_modified(|current| {
                let changed = *current != state;
                *current = state;
                changed
            });
        }
    }

    fn has_credentials(&self) -> bool {
        self.accounts.borrow().is_some()
    }

    /// Whether there is no usable account, so credentials stored later are worth picking up.
    fn wants_credentials(&self) -> bool {
        let transient = self
            .inner
            .upgrade()
            .is_some_and(|core| core.sign_in.transient.load(Ordering::SeqCst));
        !transient
            && matches!(
                self.state(),
                SignInState::NoAccount | SignInState::WrongPassword { .. }
            )
    }

    /// Starts over: the credentials changed (or this is the start).
    fn restart(&mut self) {
        self.failures = 0;
        self.unreachable_since = None;
        if !self.has_credentials() {
            self.next = None;
            self.publish(SignInState::NoAccount);
        } else if matches!(*self.tokens.borrow(), TokenState::LoggedIn { .. }) {
            // Signed in by the one who changed the credentials (the app's sign-in form).
            self.signed_in();
        } else {
            self.next = Some(Instant::now());
            self.publish(SignInState::SigningIn {
                since: OffsetDateTime::now_utc(),
            });
        }
    }

    fn signed_in(&mut self) {
        self.failures = 0;
        self.unreachable_since = None;
        self.next = None;
        if !matches!(self.state(), SignInState::SignedIn { .. }) {
            tracing::info!("signed in to the Taiji site");
            self.publish(SignInState::SignedIn {
                since: OffsetDateTime::now_utc(),
            });
        }
        self.persist_pending();
    }

    fn rejected(&mut self, message: String) {
        self.next = None;
        tracing::warn!(
            %message,
            "the Taiji site rejected the account or password; not retrying until new credentials \
             are stored (`taiji-gateway login`)"
        );
        if let Some(core) = self.inner.upgrade()
            && let Ok(mut pending) = core.sign_in.persist_on_success.lock()
        {
            *pending = None;
        }
        self.publish(SignInState::WrongPassword { message });
    }

    /// Schedules the next attempt after one more failure.
    fn unreachable(&mut self, reason: String, at_least: Option<Duration>) {
        self.failures = self.failures.saturating_add(1);
        let delay = self
            .options
            .backoff
            .delay(self.failures)
            .max(at_least.unwrap_or_default());
        let now = OffsetDateTime::now_utc();
        let since = *self.unreachable_since.get_or_insert(now);
        self.next = Some(Instant::now() + delay);
        tracing::warn!(
            failures = self.failures,
            next_try_in = ?delay,
            %reason,
            "the Taiji site is unreachable; will try again"
        );
        self.publish(SignInState::Unreachable {
            since,
            next_attempt_at: now + delay,
            failures: self.failures,
            reason,
        });
    }

    /// One sign-in attempt (or, with a token held, one check that the site answers).
    async fn attempt(&mut self) {
        let Some(account) = self.inner.upgrade().map(|core| core.account.clone()) else {
            return;
        };
        if !self.has_credentials() {
            return;
        }
        match account.user_info().await {
            Ok(_) => self.signed_in(),
            Err(error) if error.class() == ErrorClass::InvalidCredentials => {
                self.rejected(error.upstream_message().unwrap_or_default().to_owned());
            }
            Err(error) => self.unreachable(reason(&error), error.retry_after()),
        }
    }

    /// The account's own login state changed (a lazy re-login, a sign-in from the app, a new site).
    fn on_token(&mut self, token: TokenState) {
        match token {
            TokenState::LoggedIn { .. } => {
                if self.has_credentials() {
                    self.signed_in();
                }
            }
            TokenState::InvalidCredentials { message } => {
                if !matches!(self.state(), SignInState::WrongPassword { .. }) {
                    self.rejected(message);
                }
            }
            TokenState::LoginFailed { class, message } => {
                // A re-login behind a request failed while we thought all was well.
                if class != ErrorClass::InvalidCredentials
                    && matches!(self.state(), SignInState::SignedIn { .. })
                {
                    self.unreachable(message, None);
                }
            }
            TokenState::NeedsLogin => {
                // The token was dropped (another site, a sign-out): sign in again now.
                if self.has_credentials()
                    && matches!(
                        self.state(),
                        SignInState::SignedIn { .. } | SignInState::Unreachable { .. }
                    )
                {
                    self.restart();
                }
            }
            TokenState::LoggingIn => {}
        }
    }

    /// A call could not connect: the network or the site went away. Probe until it is back.
    fn on_connection_failure(&mut self) {
        if matches!(self.state(), SignInState::SignedIn { .. }) {
            self.unreachable(String::from("a request could not connect to the site"), None);
        }
    }

    /// Reads the credential store and adopts credentials that differ from the ones in use.
    async fn poll_store(&mut self) {
        let Some(core) = self.inner.upgrade() else {
            return;
        };
        let store = core.credentials.clone();
        let loaded = match tokio::task::spawn_blocking(move || store.load()).await {
            Ok(Ok(loaded)) => loaded,
            Ok(Err(error)) => {
                tracing::debug!(%error, "could not read the credential store");
                return;
            }
            Err(_) => return,
        };
        let Some(stored) = loaded else { return };
        let candidate = AccountCredentials::new(stored.account.clone(), stored.password.clone());
        if core.account.credentials().as_ref() == Some(&candidate) {
            return;
        }
        tracing::info!(account = %stored.account, "picked up the stored credentials; signing in");
        core.account.set_credentials(candidate).await;
        core.catalog.invalidate();
        // The account channel wakes the loop, which starts over with the new credentials.
        core.signed_in_as.send_replace(Some(stored.account));
    }

    /// Stores credentials that waited for their first successful sign-in.
    fn persist_pending(&self) {
        let Some(core) = self.inner.upgrade() else {
            return;
        };
        let pending = core
            .sign_in
            .persist_on_success
            .lock()
            .ok()
            .and_then(|mut pending| pending.take());
        let Some(pending) = pending else { return };
        if core.account.account_name().as_deref() != Some(pending.account.as_str()) {
            return;
        }
        let store = core.credentials.clone();
        core.tasks.spawn_blocking(move || match store.save(&pending) {
            Ok(()) => tracing::info!(account = %pending.account, "stored the credentials"),
            Err(error) => tracing::warn!(%error, "could not store the credentials"),
        });
    }
}

/// A failure in a few words: the innermost cause of a connection error ("Connection refused"),
/// the error itself otherwise.
fn reason(error: &UpstreamError) -> String {
    let mut current: &dyn std::error::Error = error;
    if matches!(error, UpstreamError::Transport { .. }) {
        while let Some(next) = current.source() {
            current = next;
        }
    }
    current
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(secs).expect("valid timestamp")
    }

    #[test]
    fn unreachable_says_since_when_and_when_next() {
        let state = SignInState::Unreachable {
            since: at(3600 + 61),
            next_attempt_at: at(4000),
            failures: 3,
            reason: String::from("Connection refused (os error 111)"),
        };
        assert_eq!(state.retry_after(at(3992)), Some(Duration::from_secs(9)));
        assert_eq!(
            state.describe(at(3992)),
            "site unreachable since 01:01:01 UTC, next try in 9s (Connection refused (os error 111))"
        );
        // Overdue: the attempt is running; a second more.
        assert_eq!(state.retry_after(at(4010)), Some(Duration::from_secs(1)));
        assert!(!state.is_ready());
    }

    #[test]
    fn only_signed_in_and_on_demand_are_ready() {
        assert!(SignInState::OnDemand.is_ready());
        assert!(SignInState::SignedIn { since: at(0) }.is_ready());
        assert!(!SignInState::NoAccount.is_ready());
        assert!(!SignInState::SigningIn { since: at(0) }.is_ready());
        let wrong = SignInState::WrongPassword {
            message: String::from("账号或密码错误"),
        };
        assert!(!wrong.is_ready());
        assert_eq!(wrong.retry_after(at(0)), None);
        assert!(wrong.describe(at(0)).starts_with("wrong password"));
        assert!(
            SignInState::NoAccount
                .describe(at(0))
                .contains("taiji-gateway login")
        );
    }

    #[test]
    fn serialises_with_a_state_tag() {
        let json = serde_json::to_value(SignInState::SignedIn { since: at(0) }).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"state": "signed_in", "since": "1970-01-01T00:00:00Z"})
        );
        let json = serde_json::to_value(SignInState::NoAccount).expect("serialises");
        assert_eq!(json, serde_json::json!({"state": "no_account"}));
    }
}
