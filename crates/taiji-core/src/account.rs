//! [`Account`]: one Taiji account's credentials and login lifecycle over its [`UpstreamClient`].
//!
//! - The token's `exp` is decoded and the account logs in again shortly before it runs out
//!   ([`RefreshPolicy`]).
//! - When a call fails because the login expired, exactly one re-login happens however many calls
//!   failed at once (single flight: a tokio mutex plus a token generation, so a caller holding an
//!   outdated token just picks up the new one), and the call is retried once — but only when the
//!   failure happened before a completions request could reach the model.
//! - A rejected password is remembered: no further login is attempted until the credentials
//!   change, so the site is never hammered with a wrong password.
//! - The state is observable ([`Account::token_state`], [`Account::subscribe`]) for the UI/tray,
//!   and so is every call that failed because the site could not be reached at all
//!   ([`Account::subscribe_connection_failures`]), which the background sign-in watches to notice
//!   that the network went away.

use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::{Mutex, watch};

use crate::model::Catalog;
use crate::upstream::{
    CheckInCalendar, CheckInReward, CompletionRequest, CompletionStream, ErrorClass, InvalidConfig,
    LoginToken, PointsBalance, Secret, SessionInfo, UpstreamClient, UpstreamConfig, UpstreamError, UserInfo,
};

/// The account name (phone or e-mail) and password. `Debug` redacts the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Phone number or e-mail address.
    pub account: String,
    /// The password.
    pub password: Secret,
}

impl Credentials {
    /// Bundles an account name and a password.
    pub fn new(account: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self {
            account: account.into(),
            password: password.into(),
        }
    }
}

/// The login failure of an account nobody has signed in to yet.
const NO_ACCOUNT: &str = "no Taiji AI account is configured";

/// When to log in again before the token expires: once less than
/// `min(max_margin, lifetime × lifetime_fraction)` is left. With the observed 15-day tokens that is
/// 10 minutes before expiry; short-lived tokens get proportionally shorter margins, so they are
/// not refreshed on every call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RefreshPolicy {
    /// The largest margin before `exp`.
    pub max_margin: Duration,
    /// The margin as a fraction of the token's lifetime (`exp - iat`).
    pub lifetime_fraction: f64,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            max_margin: Duration::from_secs(10 * 60),
            lifetime_fraction: 0.1,
        }
    }
}

impl RefreshPolicy {
    /// Whether `token` should be replaced at `now`. Tokens without `exp` never are (only a
    /// server-side expiry error replaces them).
    pub fn refresh_due(&self, token: &LoginToken, now: OffsetDateTime) -> bool {
        let Some(expires) = token.expires_at else {
            return false;
        };
        let max_margin = i64::try_from(self.max_margin.as_secs()).unwrap_or(i64::MAX);
        let margin = match token.issued_at.map(|issued| (expires - issued).whole_seconds()) {
            Some(lifetime) if lifetime > 0 => {
                max_margin.min((lifetime as f64 * self.lifetime_fraction.clamp(0.0, 1.0)) as i64)
            }
            _ => max_margin,
        };
        now.unix_timestamp() >= expires.unix_timestamp().saturating_sub(margin)
    }
}

/// The login state, for the UI and the tray.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TokenState {
    /// No token yet (or it was dropped); the next call logs in.
    NeedsLogin,
    /// A login is in progress.
    LoggingIn,
    /// A token is held.
    LoggedIn {
        /// The `userId` claim.
        user_id: Option<u64>,
        /// The `exp` claim.
        #[cfg_attr(feature = "ts", ts(type = "string | null"))]
        #[serde(with = "time::serde::rfc3339::option")]
        expires_at: Option<OffsetDateTime>,
    },
    /// The site rejected the credentials; nothing is tried until they change.
    InvalidCredentials {
        /// The site's message.
        message: String,
    },
    /// The last login failed for another reason (network, site error); the next call retries.
    LoginFailed {
        /// What kind of failure.
        class: ErrorClass,
        /// The error message.
        message: String,
    },
}

/// One account: credentials, token, and the client that uses them. Cheap to clone (shared).
#[derive(Clone)]
pub struct Account {
    inner: Arc<Inner>,
}

struct Inner {
    client: UpstreamClient,
    policy: RefreshPolicy,
    slot: RwLock<Slot>,
    /// Held for the whole of a login, so logins never overlap (single flight).
    login_lock: Mutex<()>,
    state: watch::Sender<TokenState>,
    /// Counts calls that failed to connect to the site.
    connection_failures: watch::Sender<u64>,
}

struct Slot {
    /// `None` while no account is configured: calls then fail without asking the site.
    credentials: Option<Credentials>,
    token: Option<LoginToken>,
    /// Bumped whenever `token` is replaced or dropped.
    generation: u64,
    /// Bumped whenever a login attempt finishes, successful or not.
    attempts: u64,
    /// The failure of the latest attempt, handed to callers that waited for it.
    last_failure: Option<UpstreamError>,
    /// A credential rejection, remembered until the credentials change.
    rejected: Option<UpstreamError>,
}

/// What a caller saw when it took the token: lets a later re-login tell whether someone else
/// already replaced that token (or already tried and failed) in the meantime.
#[derive(Debug, Clone, Copy)]
struct Ticket {
    generation: u64,
    attempts: u64,
}

impl Account {
    /// An account with the default [`RefreshPolicy`]. Nothing is sent until the first call.
    pub fn new(client: UpstreamClient, credentials: Credentials) -> Self {
        Self::with_policy(client, credentials, RefreshPolicy::default())
    }

    /// An account with no credentials yet (nobody has signed in): every call that needs a login
    /// fails with [`UpstreamError::InvalidCredentials`] until [`Account::set_credentials`].
    pub fn without_credentials(client: UpstreamClient) -> Self {
        Self::build(client, None, RefreshPolicy::default())
    }

    /// An account with a custom refresh policy.
    pub fn with_policy(client: UpstreamClient, credentials: Credentials, policy: RefreshPolicy) -> Self {
        Self::build(client, Some(credentials), policy)
    }

    fn build(client: UpstreamClient, credentials: Option<Credentials>, policy: RefreshPolicy) -> Self {
        let slot = Slot {
            credentials,
            token: None,
            generation: 0,
            attempts: 0,
            last_failure: None,
            rejected: None,
        };
        let (state, _) = watch::channel(TokenState::NeedsLogin);
        Self {
            inner: Arc::new(Inner {
                client,
                policy,
                slot: RwLock::new(slot),
                login_lock: Mutex::new(()),
                state,
                connection_failures: watch::Sender::new(0),
            }),
        }
    }

    /// The underlying client (for calls that need no token, or custom flows).
    pub fn client(&self) -> &UpstreamClient {
        &self.inner.client
    }

    /// The account name (phone or e-mail); `None` while no account is configured.
    pub fn account_name(&self) -> Option<String> {
        self.read_slot()
            .credentials
            .as_ref()
            .map(|credentials| credentials.account.clone())
    }

    /// The current login state.
    pub fn token_state(&self) -> TokenState {
        self.inner.state.borrow().clone()
    }

    /// A receiver that sees every change of the login state.
    pub fn subscribe(&self) -> watch::Receiver<TokenState> {
        self.inner.state.subscribe()
    }

    /// A counter bumped whenever a call (or the login inside it) could not connect to the site:
    /// the network or the site went away. Other failures (HTTP errors, cut streams) do not count.
    pub fn subscribe_connection_failures(&self) -> watch::Receiver<u64> {
        self.inner.connection_failures.subscribe()
    }

    /// The credentials in use (the password stays redacted in `Debug`).
    pub(crate) fn credentials(&self) -> Option<Credentials> {
        self.read_slot().credentials.clone()
    }

    /// Replaces the credentials: drops the token and forgets a remembered rejection. Waits for a
    /// login in progress, so it cannot store a token of the old credentials afterwards.
    pub async fn set_credentials(&self, credentials: Credentials) {
        let _login = self.inner.login_lock.lock().await;
        let mut slot = self.write_slot();
        slot.credentials = Some(credentials);
        Self::drop_token(&mut slot);
        drop(slot);
        self.publish(TokenState::NeedsLogin);
    }

    /// Logs in with `credentials` and, only if that succeeds, makes them (and the fresh token) the
    /// account's own. On failure the previous credentials and token stay in use untouched, so a
    /// mistyped password in a sign-in form never disturbs a working gateway.
    pub async fn sign_in(&self, credentials: Credentials) -> Result<(), UpstreamError> {
        let _login = self.inner.login_lock.lock().await;
        let token = self
            .inner
            .client
            .login(&credentials.account, &credentials.password)
            .await?;
        tracing::info!(user_id = token.user_id, expires_at = ?token.expires_at, "signed in to the upstream");
        let state = TokenState::LoggedIn {
            user_id: token.user_id,
            expires_at: token.expires_at,
        };
        let mut slot = self.write_slot();
        slot.credentials = Some(credentials);
        Self::drop_token(&mut slot);
        slot.attempts += 1;
        slot.token = Some(token);
        drop(slot);
        self.publish(state);
        Ok(())
    }

    /// Forgets the token (the next call logs in again). The credentials are kept.
    pub async fn logout(&self) {
        let _login = self.inner.login_lock.lock().await;
        Self::drop_token(&mut self.write_slot());
        self.publish(TokenState::NeedsLogin);
    }

    /// Replaces the upstream configuration. A new base URL means another site, whose tokens are
    /// not ours: the token is dropped then.
    pub async fn set_upstream_config(&self, config: UpstreamConfig) -> Result<(), InvalidConfig> {
        let _login = self.inner.login_lock.lock().await;
        let moved = self.inner.client.config().base_url != config.base_url;
        self.inner.client.set_config(config)?;
        if moved {
            Self::drop_token(&mut self.write_slot());
            self.publish(TokenState::NeedsLogin);
        }
        Ok(())
    }

    /// Logs in now unless a usable token is held. Useful at startup and for a "test login" button.
    pub async fn ensure_logged_in(&self) -> Result<(), UpstreamError> {
        self.token().await.map(drop)
    }

    /// Runs a call with a valid token. If the call fails with [`ErrorClass::LoginExpired`] before
    /// it could reach the model, logs in again (once for all concurrent callers) and retries the
    /// call once. Errors that may have reached the model are returned untouched.
    pub async fn call<T, F, Fut>(&self, op: F) -> Result<T, UpstreamError>
    where
        F: Fn(UpstreamClient, Secret) -> Fut,
        Fut: Future<Output = Result<T, UpstreamError>>,
    {
        let result = self.call_once(op).await;
        if let Err(error) = &result
            && is_connection_failure(error)
        {
            self.inner.connection_failures.send_modify(|count| *count += 1);
        }
        result
    }

    async fn call_once<T, F, Fut>(&self, op: F) -> Result<T, UpstreamError>
    where
        F: Fn(UpstreamClient, Secret) -> Fut,
        Fut: Future<Output = Result<T, UpstreamError>>,
    {
        let (token, ticket) = self.token().await?;
        match op(self.inner.client.clone(), token).await {
            Err(error) if error.class() == ErrorClass::LoginExpired && !error.may_have_reached_model() => {
                tracing::info!(%error, "the upstream login expired; logging in again");
                let token = self.login_single_flight(ticket).await?;
                op(self.inner.client.clone(), token).await
            }
            other => other,
        }
    }

    /// [`UpstreamClient::user_info`] with login handling.
    pub async fn user_info(&self) -> Result<UserInfo, UpstreamError> {
        self.call(|client, token| async move { client.user_info(&token).await })
            .await
    }

    /// [`UpstreamClient::catalog`] with login handling.
    pub async fn catalog(&self) -> Result<Catalog, UpstreamError> {
        self.call(|client, token| async move { client.catalog(&token).await })
            .await
    }

    /// [`UpstreamClient::create_session`] with login handling.
    pub async fn create_session(&self, model: &str) -> Result<SessionInfo, UpstreamError> {
        self.call(|client, token| async move { client.create_session(&token, model).await })
            .await
    }

    /// [`UpstreamClient::delete_session`] with login handling.
    pub async fn delete_session(&self, session_id: u64) -> Result<(), UpstreamError> {
        self.call(|client, token| async move { client.delete_session(&token, session_id).await })
            .await
    }

    /// [`UpstreamClient::user_plan`] with login handling.
    pub async fn user_plan(&self) -> Result<PointsBalance, UpstreamError> {
        self.call(|client, token| async move { client.user_plan(&token).await })
            .await
    }

    /// [`UpstreamClient::check_in_calendar`] with login handling.
    pub async fn check_in_calendar(&self, year: i32, month: u8) -> Result<CheckInCalendar, UpstreamError> {
        self.call(|client, token| async move { client.check_in_calendar(&token, year, month).await })
            .await
    }

    /// [`UpstreamClient::check_in`] with login handling. Retrying it after an expired login is
    /// safe: the site refused the first attempt before claiming anything.
    pub async fn check_in(&self) -> Result<CheckInReward, UpstreamError> {
        self.call(|client, token| async move { client.check_in(&token).await })
            .await
    }

    /// [`UpstreamClient::completions`] with login handling: resent once only when the upstream
    /// rejected it as an expired login before generation (a JSON envelope instead of a stream).
    pub async fn completions(&self, message: &CompletionRequest) -> Result<CompletionStream, UpstreamError> {
        self.call(|client, token| async move { client.completions(&token, message).await })
            .await
    }

    /// A token to use now, logging in first when there is none or it is about to expire.
    async fn token(&self) -> Result<(Secret, Ticket), UpstreamError> {
        let now = OffsetDateTime::now_utc();
        let (held, ticket, rejected) = {
            let slot = self.read_slot();
            (slot.token.clone(), Self::ticket(&slot), slot.rejected.clone())
        };
        match held {
            Some(token) if !self.inner.policy.refresh_due(&token, now) => Ok((token.token, ticket)),
            Some(token) if !token.is_expired_at(now) => {
                if rejected.is_some() {
                    // The password changed upstream; the old token still works until it expires.
                    return Ok((token.token, ticket));
                }
                match self.login_single_flight(ticket).await {
                    Ok(fresh) => Ok((fresh, self.current_ticket())),
                    Err(error) => {
                        tracing::warn!(%error, "proactive re-login failed; using the current token until it expires");
                        Ok((token.token, self.current_ticket()))
                    }
                }
            }
            _ => {
                if let Some(rejected) = rejected {
                    return Err(rejected);
                }
                let fresh = self.login_single_flight(ticket).await?;
                Ok((fresh, self.current_ticket()))
            }
        }
    }

    /// Logs in, unless another caller already replaced the token `seen` refers to (then its token
    /// is used) or already tried and failed since (then its failure is returned).
    async fn login_single_flight(&self, seen: Ticket) -> Result<Secret, UpstreamError> {
        let _login = self.inner.login_lock.lock().await;
        let credentials = {
            let slot = self.read_slot();
            if slot.generation != seen.generation
                && let Some(token) = &slot.token
            {
                return Ok(token.token.clone());
            }
            if let Some(rejected) = &slot.rejected {
                return Err(rejected.clone());
            }
            if slot.attempts != seen.attempts
                && let Some(failure) = &slot.last_failure
            {
                return Err(failure.clone());
            }
            slot.credentials.clone()
        };
        let Some(credentials) = credentials else {
            return Err(UpstreamError::InvalidCredentials {
                msg: NO_ACCOUNT.to_owned(),
            });
        };

        self.publish(TokenState::LoggingIn);
        let result = self
            .inner
            .client
            .login(&credentials.account, &credentials.password)
            .await;
        let mut slot = self.write_slot();
        slot.attempts += 1;
        match result {
            Ok(token) => {
                tracing::info!(user_id = token.user_id, expires_at = ?token.expires_at, "logged in to the upstream");
                slot.generation += 1;
                slot.last_failure = None;
                let state = TokenState::LoggedIn {
                    user_id: token.user_id,
                    expires_at: token.expires_at,
                };
                let secret = token.token.clone();
                slot.token = Some(token);
                drop(slot);
                self.publish(state);
                Ok(secret)
            }
            Err(error) => {
                tracing::warn!(%error, class = %error.class(), "upstream login failed");
                slot.last_failure = Some(error.clone());
                let state = if error.class() == ErrorClass::InvalidCredentials {
                    slot.rejected = Some(error.clone());
                    TokenState::InvalidCredentials {
                        message: error.upstream_message().unwrap_or_default().to_owned(),
                    }
                } else {
                    TokenState::LoginFailed {
                        class: error.class(),
                        message: error.to_string(),
                    }
                };
                drop(slot);
                self.publish(state);
                Err(error)
            }
        }
    }

    fn drop_token(slot: &mut Slot) {
        slot.token = None;
        slot.generation += 1;
        slot.last_failure = None;
        slot.rejected = None;
    }

    fn ticket(slot: &Slot) -> Ticket {
        Ticket {
            generation: slot.generation,
            attempts: slot.attempts,
        }
    }

    fn current_ticket(&self) -> Ticket {
        Self::ticket(&self.read_slot())
    }

    fn publish(&self, state: TokenState) {
        self.inner.state.send_replace(state);
    }

    fn read_slot(&self) -> std::sync::RwLockReadGuard<'_, Slot> {
        self.inner.slot.read().expect("account state lock poisoned")
    }

    fn write_slot(&self) -> std::sync::RwLockWriteGuard<'_, Slot> {
        self.inner.slot.write().expect("account state lock poisoned")
    }
}

/// Whether `error` means the site could not be reached at all (refused, unresolvable, no route,
/// connect timeout), as opposed to a site that answered badly or a stream that was cut.
pub fn is_connection_failure(error: &UpstreamError) -> bool {
    matches!(error, UpstreamError::Transport { source, .. } if source.is_connect())
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("account", &self.account_name())
            .field("state", &self.token_state())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn token(iat: i64, exp: i64) -> LoginToken {
        let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"userId":1,"iat":{iat},"exp":{exp}}}"#));
        LoginToken::from_raw(Secret::new(format!("h.{payload}.s")))
    }

    fn at(secs: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(secs).expect("valid timestamp")
    }

    #[test]
    fn long_tokens_refresh_ten_minutes_before_expiry() {
        let policy = RefreshPolicy::default();
        let fifteen_days = 15 * 24 * 3600;
        let t = token(0, fifteen_days);
        assert!(!policy.refresh_due(&t, at(fifteen_days - 601)));
        assert!(policy.refresh_due(&t, at(fifteen_days - 600)));
        assert!(policy.refresh_due(&t, at(fifteen_days + 1)));
    }

    #[test]
    fn short_tokens_refresh_in_proportion() {
        let policy = RefreshPolicy::default();
        let t = token(1000, 1300); // five minutes: the margin is 30 s
        assert!(!policy.refresh_due(&t, at(1000)));
        assert!(!policy.refresh_due(&t, at(1269)));
        assert!(policy.refresh_due(&t, at(1270)));
    }

    #[test]
    fn tokens_without_exp_are_never_refreshed_proactively() {
        let opaque = LoginToken::from_raw(Secret::new("opaque"));
        assert!(!RefreshPolicy::default().refresh_due(&opaque, at(i64::from(i32::MAX))));
    }

    /// The dispatcher spawns these futures, so they must be `Send`.
    #[test]
    fn account_futures_are_send() {
        fn assert_send<T: Send>(_: T) {}
        let client = UpstreamClient::new(UpstreamConfig::default()).expect("default config");
        let account = Account::new(client, Credentials::new("a", "b"));
        let message = CompletionRequest {
            session_id: 1,
            model: None,
            text: String::new(),
            files: Vec::new(),
            reasoning_effort: None,
        };
        assert_send(account.completions(&message));
        assert_send(account.create_session("m"));
        assert_send(account.catalog());
    }

    #[test]
    fn credentials_debug_redacts_the_password() {
        let printed = format!("{:?}", Credentials::new("13800000000", "taiji-demo-pass"));
        assert!(printed.contains("13800000000"));
        assert!(!printed.contains("taiji-demo-pass"));
    }

    #[test]
    fn token_state_serializes_for_the_ui() {
        let state = TokenState::LoggedIn {
            user_id: Some(7),
            expires_at: Some(at(0)),
        };
        let json = serde_json::to_value(&state).expect("serializes");
        assert_eq!(json["state"], "logged_in");
        assert_eq!(json["expires_at"], "1970-01-01T00:00:00Z");
    }
}
