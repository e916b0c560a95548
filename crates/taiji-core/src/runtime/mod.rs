//! [`Core`]: the composition root of the client core. The desktop shell, the headless CLI and the
//! gateway routes all hold one `Core`, which owns the one settings store, credential store,
//! account, dispatcher, request log and model catalog cache, and keeps them in step when settings
//! change (concurrency, pacing, aliases, keys and log retention apply live, without a restart).
//!
//! Per-run overrides (command-line flags and environment variables of `taiji-gateway serve`) sit
//! on top of the stored settings without being written to the settings file.
//!
//! Long-running hosts (`serve`, the desktop app) start the background sign-in
//! ([`Core::start_background_sign_in`], module `sign_in`): the gateway serves at once and signs in
//! behind it, with backoff while the site is unreachable. One-shot commands do not; they sign in on
//! first use.

mod backoff;
mod chat;
mod live;
mod options;
mod points;
mod sign_in;
mod site;
mod status;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::account::{Account, Credentials as AccountCredentials};
use crate::api::tokens::TokenEstimator;
use crate::catalog_cache::{Cached, CatalogCache};
use crate::chat::ChatRequest;
use crate::conversations::ConversationStore;
use crate::credentials::{CredentialBackend, CredentialStore, Credentials as StoredCredentials};
use crate::dispatch::{ChatStream, Dispatcher, DispatcherConfig, PacingConfig};
use crate::metrics::Metrics;
use crate::model::{Catalog, ModelInfo};
use crate::model_resolver::{ModelResolver, ResolveError};
use crate::prompt::{BuiltPrompt, ImageClients, PromptError, PromptOptions, Transcript, build_prompt};
use crate::request_log::{RequestLog, RequestLogOptions};
use crate::secret::Secret;
use crate::settings::{Settings, SettingsError, SettingsStore};
use crate::upstream::{Discovery, ProxySetting, UpstreamClient, UpstreamConfig, UpstreamError};

pub use backoff::Backoff;
pub use chat::{CHAT_ENDPOINT, ChatError, ChatService, ChatSink, SAVE_EVERY};
pub use options::{CoreError, CoreOptions, SettingsOverrides};
pub use points::{CheckInMonth, site_today};
pub use sign_in::{BackgroundSignIn, CREDENTIAL_POLL, SignInState};
pub use status::CoreStatus;

/// The client core of one running app. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Core {
    inner: Arc<Inner>,
}

struct Inner {
    store: SettingsStore,
    overrides: SettingsOverrides,
    effective: watch::Sender<Settings>,
    /// Held while a settings change is applied, so the live task and [`Core::update_settings`]
    /// never apply two versions at once.
    applying: tokio::sync::Mutex<()>,
    credentials: CredentialStore,
    signed_in_as: watch::Sender<Option<String>>,
    account: Account,
    dispatcher: Dispatcher,
    log: RequestLog,
    catalog: CatalogCache,
    /// The built-in chat: its conversation store and the answers in flight.
    chat: chat::ChatState,
    tokens: TokenEstimator,
    /// For image downloads (guarded against this machine and the LAN); rebuilt when the proxy
    /// setting changes.
    images: std::sync::RwLock<ImageClients>,
    metrics: Metrics,
    prompt_options: PromptOptions,
    shutdown: CancellationToken,
    tasks: TaskTracker,
    sign_in: sign_in::Control,
    /// The last points balance read ([`Core::points_balance`]).
    points: watch::Sender<Option<crate::upstream::PointsBalance>>,
    demo: bool,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("data_dir", &self.inner.store.path())
            .finish_non_exhaustive()
    }
}

impl Core {
    /// Opens (or creates) the app's data in `options.data_dir` and wires everything together.
    /// Must be called inside a Tokio runtime. Stored credentials, when present, are used to sign
    /// in lazily on the first request.
    pub async fn open(options: CoreOptions) -> Result<Self, CoreError> {
        let data_dir = options.data_dir.clone();
        let backend = options.credential_backend;
        let (store, credentials) = tokio::task::spawn_blocking(move || {
            let store = SettingsStore::open(&data_dir)?;
            let credentials = CredentialStore::open(&data_dir, backend)?;
            Ok::<_, CoreError>((store, credentials))
        })
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))??;
        if let Some(moved) = store.moved_aside() {
            tracing::warn!(path = %moved.display(), "the settings file was unreadable and was moved aside; using defaults");
        }
        let overrides = options.overrides;
        let settings = overrides.apply(store.get());
        settings.validate()?;

        let client = UpstreamClient::new(upstream_config(&settings)).map_err(|e| CoreError::Settings(e.0))?;
        let stored = {
            let credentials = credentials.clone();
            tokio::task::spawn_blocking(move || credentials.load())
                .await
                .map_err(|e| CoreError::Internal(e.to_string()))??
        };
        let signed_in_as = stored.as_ref().map(|c| c.account.clone());
        let account = match stored {
            Some(c) => Account::new(client, AccountCredentials::new(c.account, c.password.expose())),
            None => Account::without_credentials(client),
        };

        let log_dir = options.data_dir.clone();
        let log_options = RequestLogOptions {
            retention: settings.request_log.retention,
            previews: settings.request_log.previews,
            ..RequestLogOptions::default()
        };
        let log = tokio::task::spawn_blocking(move || RequestLog::open_with(&log_dir, log_options))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))??;
        let conversations_dir = options.data_dir.clone();
        let conversations = tokio::task::spawn_blocking(move || ConversationStore::open(&conversations_dir))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))??;
        let metrics = Metrics::new();
        let dispatcher = Dispatcher::observed(
            account.clone(),
            log.clone(),
            dispatcher_config(&settings),
            Some(metrics.observer()),
        );
        let tokens = tokio::task::spawn_blocking(TokenEstimator::new)
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let images = image_clients(&settings).map_err(CoreError::Settings)?;

        let inner = Arc::new(Inner {
            overrides,
            effective: watch::Sender::new(settings),
            applying: tokio::sync::Mutex::new(()),
            credentials,
            signed_in_as: watch::Sender::new(signed_in_as),
            account,
            dispatcher,
            log,
            catalog: CatalogCache::default(),
            chat: chat::ChatState::new(conversations),
            tokens,
            images: std::sync::RwLock::new(images),
            metrics,
            prompt_options: PromptOptions::default(),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
            sign_in: sign_in::Control::new(),
            points: watch::Sender::new(None),
            demo: options.demo,
            store,
        });
        inner.tasks.spawn(site::persist_site_changes(
            Arc::downgrade(&inner),
            inner.account.client().site(),
            inner.shutdown.child_token(),
        ));
        inner.tasks.spawn(
            inner
                .metrics
                .clone()
                .follow(inner.account.subscribe(), inner.shutdown.child_token()),
        );
        inner.tasks.spawn(live::apply_settings(
            Arc::downgrade(&inner),
            inner.shutdown.child_token(),
        ));
        Ok(Self { inner })
    }

    /// The effective settings: stored settings with this run's overrides on top.
    pub fn settings(&self) -> Settings {
        self.inner.effective.borrow().clone()
    }

    /// Reads the effective settings in place, for the checks made on every request, which need a
    /// field or two and not a copy of the whole document. `read` must not block.
    pub fn read_settings<T>(&self, read: impl FnOnce(&Settings) -> T) -> T {
        read(&self.inner.effective.borrow())
    }

    /// Changes of the effective settings.
    pub fn subscribe_settings(&self) -> watch::Receiver<Settings> {
        self.inner.effective.subscribe()
    }

    /// Validates and saves a change of the stored settings and applies it before returning: the
    /// answer is the effective settings (overrides on top) every part now runs with.
    pub async fn update_settings(
        &self,
        change: impl FnOnce(&mut Settings) + Send + 'static,
    ) -> Result<Settings, CoreError> {
        let ((), settings) = self
            .change_settings(move |store| store.update(change).map(|_| ()))
            .await?;
        Ok(settings)
    }

    /// Runs `change` against the settings store (its file I/O off the async runtime), then applies
    /// the stored settings at once. Returns what `change` returned and the effective settings; for
    /// store calls with their own result, such as adding an API key.
    pub async fn change_settings<T: Send + 'static>(
        &self,
        change: impl FnOnce(&SettingsStore) -> Result<T, SettingsError> + Send + 'static,
    ) -> Result<(T, Settings), CoreError> {
        let store = self.inner.store.clone();
        let result = tokio::task::spawn_blocking(move || change(&store))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))??;
        let settings = live::apply_stored(&self.inner).await?;
        Ok((result, settings))
    }

    /// The stored settings document. Changes made on it directly apply live a moment later;
    /// [`Core::update_settings`] applies them before it returns.
    pub fn settings_store(&self) -> &SettingsStore {
        &self.inner.store
    }

    /// This run's overrides.
    pub fn overrides(&self) -> &SettingsOverrides {
        &self.inner.overrides
    }

    /// The account chat requests are sent with.
    pub fn account(&self) -> &Account {
        &self.inner.account
    }

    /// The one dispatcher.
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.inner.dispatcher
    }

    /// The one request log.
    pub fn request_log(&self) -> &RequestLog {
        &self.inner.log
    }

    /// The Prometheus metrics, fed from the dispatcher and the account.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The shared token estimator (count_tokens, stop and length limits).
    pub fn token_estimator(&self) -> &TokenEstimator {
        &self.inner.tokens
    }

    /// Where credentials are kept, in words the UI and CLI can show.
    pub fn credential_backend(&self) -> &CredentialBackend {
        self.inner.credentials.backend()
    }

    /// The account name signed in with, if any; and its changes.
    pub fn signed_in_as(&self) -> watch::Receiver<Option<String>> {
        self.inner.signed_in_as.subscribe()
    }

    /// Checks the credentials with the upstream, then stores them (keychain or private file) and
    /// uses them from now on. On failure the previous credentials stay in use.
    pub async fn login(&self, account: &str, password: &str) -> Result<(), CoreError> {
        self.sign_in(account, password, true).await
    }

    /// Signs in with the credentials; stores them only when `persist` (the CLI's
    /// `TAIJI_ACCOUNT`/`TAIJI_PASSWORD` are used for this run without being stored). On failure
    /// the previous credentials stay in use.
    pub async fn sign_in(&self, account: &str, password: &str, persist: bool) -> Result<(), CoreError> {
        let account = account.trim();
        if account.is_empty() || password.is_empty() {
            return Err(CoreError::MissingCredentials);
        }
        self.inner
            .account
            .sign_in(AccountCredentials::new(account, password))
            .await?;
        if persist {
            let store = self.inner.credentials.clone();
            let stored = StoredCredentials {
                account: account.to_owned(),
                password: Secret::new(password),
                token: None,
            };
            tokio::task::spawn_blocking(move || store.save(&stored))
                .await
                .map_err(|e| CoreError::Internal(e.to_string()))??;
        }
        self.inner.catalog.invalidate();
        self.inner.signed_in_as.send_replace(Some(account.to_owned()));
        Ok(())
    }

    /// Forgets the credentials everywhere (keychain, file, memory).
    pub async fn logout(&self) -> Result<(), CoreError> {
        // The account goes first, so the background sign-in sees "no account" before the dropped
        // token and does not sign the old credentials in again.
        self.inner.signed_in_as.send_replace(None);
        self.inner.account.logout().await;
        let credentials = self.inner.credentials.clone();
        tokio::task::spawn_blocking(move || credentials.clear())
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))??;
        Ok(())
    }

    /// Whether credentials are configured (they may still turn out to be wrong).
    pub fn has_credentials(&self) -> bool {
        self.inner.signed_in_as.borrow().is_some()
    }

    /// Uses these credentials from now on without checking them first: the background sign-in
    /// (or the first request) signs in with them. `persist_on_success` stores them once they
    /// signed in; otherwise they are for this run only (the CLI's `TAIJI_ACCOUNT` and
    /// `TAIJI_PASSWORD`), and the credential store is not watched for others meanwhile.
    pub async fn use_credentials(
        &self,
        account: &str,
        password: &str,
        persist_on_success: bool,
    ) -> Result<(), CoreError> {
        let account = account.trim();
        if account.is_empty() || password.is_empty() {
            return Err(CoreError::MissingCredentials);
        }
        let control = &self.inner.sign_in;
        control
            .transient
            .store(!persist_on_success, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut pending) = control.persist_on_success.lock() {
            *pending = persist_on_success.then(|| StoredCredentials {
                account: account.to_owned(),
                password: Secret::new(password),
                token: None,
            });
        }
        self.inner
            .account
            .set_credentials(AccountCredentials::new(account, password))
            .await;
        self.inner.catalog.invalidate();
        self.inner.signed_in_as.send_replace(Some(account.to_owned()));
        Ok(())
    }

    /// Starts signing in in the background (once; later calls do nothing): at once, then with
    /// backoff while the site is unreachable, again whenever a call finds the site gone, never
    /// again after the password was rejected until the credentials change. See [`SignInState`].
    pub fn start_background_sign_in(&self, options: BackgroundSignIn) {
        if self.inner.sign_in.start() {
            self.inner.tasks.spawn(sign_in::run(
                Arc::downgrade(&self.inner),
                options,
                self.inner.shutdown.child_token(),
            ));
        }
    }

    /// Where the core stands with signing in.
    pub fn sign_in_state(&self) -> SignInState {
        self.inner.sign_in.state.borrow().clone()
    }

    /// Changes of [`Core::sign_in_state`].
    pub fn subscribe_sign_in(&self) -> watch::Receiver<SignInState> {
        self.inner.sign_in.state.subscribe()
    }

    /// Whether this core runs the demo (see [`CoreOptions::demo`]).
    pub fn is_demo(&self) -> bool {
        self.inner.demo
    }

    /// The catalog last fetched, if any, however old: what the model list shows while the site
    /// cannot be asked.
    pub fn cached_catalog(&self) -> Option<Arc<Catalog>> {
        self.inner.catalog.peek()
    }

    /// The account's model catalog, cached for a few minutes. A catalog that merely aged is
    /// answered at once and refreshed in the background, so no request waits for that round trip.
    pub async fn catalog(&self) -> Result<Arc<Catalog>, CoreError> {
        self.require_credentials()?;
        match self.inner.catalog.cached() {
            Cached::Fresh(catalog) => return Ok(catalog),
            Cached::Aged(catalog, flight) => {
                if let Some(flight) = flight {
                    let core = self.clone();
                    self.inner.tasks.spawn(async move {
                        core.inner
                            .catalog
                            .refresh(flight, core.inner.account.catalog())
                            .await;
                    });
                }
                return Ok(catalog);
            }
            Cached::Missing => {}
        }
        let account = self.inner.account.clone();
        Ok(self
            .inner
            .catalog
            .get_or_refresh(async move { account.catalog().await })
            .await?)
    }

    /// Fetches the catalog now, whatever the cache holds.
    pub async fn refresh_catalog(&self) -> Result<Arc<Catalog>, CoreError> {
        self.inner.catalog.invalidate();
        self.catalog().await
    }

    /// Resolves a requested model name (exact id, case-insensitive, alias, 3.x suffix).
    pub async fn resolve_model(&self, requested: &str) -> Result<ModelInfo, CoreError> {
        let catalog = self.catalog().await?;
        // Built from the settings in place: a copy of the alias map per request is not needed.
        let resolver = self.read_settings(|settings| ModelResolver::new(&settings.model_aliases));
        resolver
            .resolve(&catalog, requested)
            .cloned()
            .map_err(CoreError::Resolve)
    }

    /// Builds the upstream message for `transcript` sent to `model`, downloading image URLs.
    pub async fn build_prompt(
        &self,
        transcript: &Transcript,
        model: &ModelInfo,
    ) -> Result<BuiltPrompt, CoreError> {
        let limits = self.catalog().await?.file_limits;
        let options = PromptOptions {
            allow_private_hosts: self.read_settings(|settings| settings.images.allow_private_hosts),
            ..self.inner.prompt_options
        };
        let images = self
            .inner
            .images
            .read()
            .expect("image client lock poisoned")
            .clone();
        build_prompt(transcript, model, limits, &images, &options)
            .await
            .map_err(CoreError::Prompt)
    }

    /// Sends a chat request through the one dispatcher.
    pub fn dispatch(&self, request: ChatRequest) -> ChatStream {
        self.inner.dispatcher.dispatch(request)
    }

    /// The local API key named by `presented`, if it is one of the configured keys (constant
    /// time). `Some("")` never happens: key names are non-empty.
    pub fn verify_api_key(&self, presented: &str) -> Option<String> {
        self.inner
            .effective
            .borrow()
            .access
            .api_keys
            .verify(presented)
            .map(str::to_owned)
    }

    /// The Taiji site in use (origin, version, discovery, redacted proxy) and its latest change.
    pub fn site(&self) -> watch::Receiver<crate::upstream::SiteStatus> {
        self.inner.account.client().site()
    }

    /// Asks the stable entry page where the site is now, when discovery is on, and moves there if it
    /// answers the Taiji API (saved like any found address). Called once at start by `serve` and the
    /// desktop app, before the first sign-in; bounded, and on failure the configured address (the
    /// last known one) stays in use.
    pub async fn find_site(&self) {
        let client = self.inner.account.client();
        // Start-up waits for this, so an entry page that does not answer must not hold it for long.
        let limit = client.config().request_timeout.min(FIND_SITE_LIMIT);
        match tokio::time::timeout(limit, client.rediscover()).await {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => tracing::debug!("the Taiji site has not moved"),
            Ok(Err(error)) => {
                tracing::warn!(%error, "could not ask the entry page where the Taiji site is; using the configured address")
            }
            Err(_) => tracing::warn!("the entry page did not answer in time; using the configured address"),
        }
    }

    /// "Check connection": one cheap unauthenticated call to the configured site through the
    /// configured proxy (no credentials, no points). `Ok` carries the origin that answered.
    pub async fn check_connection(&self) -> Result<String, CoreError> {
        let config = self.inner.account.client().config();
        crate::upstream::check_connection(&config).await?;
        Ok(config.base_url)
    }

    /// A snapshot for `/health`, the CLI's `status` and the UI.
    pub fn status(&self) -> CoreStatus {
        CoreStatus::collect(self)
    }

    /// Stops background work, the chat's running answers (stored as stopped) and running requests
    /// (deleting their sessions), waiting up to `grace`.
    pub async fn shutdown(&self, grace: Duration) {
        // Chat answers first: they end as stopped with their text stored, and dropping their
        // streams cancels their requests, which the dispatcher then finishes cleaning up.
        self.inner.chat.shutdown(grace).await;
        self.inner.dispatcher.shutdown(grace).await;
        self.inner.shutdown.cancel();
        self.inner.tasks.close();
        let _ = tokio::time::timeout(grace, self.inner.tasks.wait()).await;
    }

    fn require_credentials(&self) -> Result<(), CoreError> {
        if self.has_credentials() {
            Ok(())
        } else {
            Err(CoreError::NotSignedIn)
        }
    }
}

/// The longest [`Core::find_site`] waits for the entry page.
const FIND_SITE_LIMIT: Duration = Duration::from_secs(10);

/// The upstream client configuration the settings describe.
fn upstream_config(settings: &Settings) -> UpstreamConfig {
    let upstream = &settings.upstream;
    UpstreamConfig {
        base_url: upstream.base_url.clone(),
        app_version: upstream.app_version.clone(),
        discovery: upstream.discovery.then(|| Discovery {
            entry_url: upstream.entry_url.clone(),
            known_origins: upstream.known_origins.clone(),
        }),
        proxy: upstream.proxy.clone(),
        ..UpstreamConfig::default()
    }
}

/// The clients that download image URLs, through the same proxy as the upstream calls.
fn image_clients(settings: &Settings) -> Result<ImageClients, String> {
    let proxy = ProxySetting::parse(&settings.upstream.proxy)
        .map_err(|e| e.0)?
        .proxy()
        .map_err(|_| "cannot use the configured proxy for image downloads".to_owned())?;
    ImageClients::with_proxy(proxy).map_err(|e| format!("cannot build the image download client: {e}"))
}

/// The dispatcher configuration the settings describe.
fn dispatcher_config(settings: &Settings) -> DispatcherConfig {
    DispatcherConfig {
        concurrency: usize::try_from(settings.max_concurrent).unwrap_or(usize::MAX),
        pacing: pacing_config(settings),
        ..DispatcherConfig::default()
    }
}

fn pacing_config(settings: &Settings) -> PacingConfig {
    PacingConfig {
        enabled: settings.pacing.enabled,
        burst: settings.pacing.burst,
        per_second: settings.pacing.per_second(),
    }
}

impl From<UpstreamError> for CoreError {
    fn from(error: UpstreamError) -> Self {
        Self::Upstream(error)
    }
}

impl From<ResolveError> for CoreError {
    fn from(error: ResolveError) -> Self {
        Self::Resolve(error)
    }
}

impl From<PromptError> for CoreError {
    fn from(error: PromptError) -> Self {
        Self::Prompt(error)
    }
}
