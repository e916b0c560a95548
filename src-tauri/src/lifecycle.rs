//! The app's start around the one [`Core`]: opening it, managing the [`AppState`], starting the
//! gateway and building the tray. The tray's toggle and quitting are [`AppState`] calls, so the tray
//! and this module do not depend on each other in a circle.

use std::path::PathBuf;

use taiji_core::credentials::BackendChoice;
use taiji_core::runtime::{BackgroundSignIn, Core, CoreOptions, SettingsOverrides};
use tauri::{App, Manager, Runtime};

use crate::state::AppState;
use crate::{forward, notify, tray, window};

/// How the app opens its core; [`Startup::from_env`] for the real app, explicit values in tests.
#[derive(Debug, Clone, Default)]
pub struct Startup {
    /// The data directory; the platform's app-data directory when `None`.
    pub data_dir: Option<PathBuf>,
    /// Keychain or file for credentials.
    pub credential_backend: BackendChoice,
    /// This run's overrides of the stored settings.
    pub overrides: SettingsOverrides,
    /// Whether to build the tray icon. Off on the mock runtime (tests), where the tray's native
    /// menu cannot exist.
    pub tray: bool,
    /// Started hidden ([`window::HIDDEN_FLAG`], the start-at-login entry): no window is created
    /// until the user opens one from the tray or launches the app again.
    pub hidden: bool,
}

impl Startup {
    /// The real app's startup: the platform's app-data directory, automatic credential storage,
    /// `TAIJI_API_BASE` (the same variable the CLI reads) as the Taiji site, when set, and hidden
    /// when launched with [`window::HIDDEN_FLAG`].
    pub fn from_env() -> Self {
        let upstream_base_url = std::env::var("TAIJI_API_BASE")
            .ok()
            .filter(|url| !url.trim().is_empty());
        let upstream_proxy = std::env::var("TAIJI_UPSTREAM_PROXY")
            .ok()
            .filter(|proxy| !proxy.trim().is_empty());
        Self {
            overrides: SettingsOverrides {
                upstream_base_url,
                upstream_proxy,
                ..SettingsOverrides::default()
            },
            tray: true,
            hidden: window::starts_hidden(std::env::args()),
            ..Self::default()
        }
    }
}

/// The `setup` hook: opens the core, manages the [`AppState`], forwards the core's channels to
/// the UI, builds the tray and starts the gateway. Only an unusable data directory fails startup;
/// a gateway that cannot listen (port in use) shows as the Error status instead.
pub fn setup<R: Runtime>(app: &mut App<R>, startup: Startup) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = match startup.data_dir {
        Some(dir) => dir,
        None => app.path().app_data_dir()?,
    };
    tracing::info!(data_dir = %data_dir.display(), "opening the Taiji core");
    let options = CoreOptions {
        data_dir: data_dir.clone(),
        credential_backend: startup.credential_backend,
        overrides: startup.overrides,
        demo: false,
    };
    let core = tauri::async_runtime::block_on(Core::open(options))?;
    tracing::info!(credentials = %core.credential_backend(), "credentials");
    // Where the site is today (discovery on, no TAIJI_API_BASE); a sign-in that fails at the old
    // address meanwhile waits for it and is retried at the new one.
    let finder = core.clone();
    tauri::async_runtime::spawn(async move { finder.find_site().await });
    // Sign in behind the running gateway, with backoff while the site is unreachable. The app
    // signs in through its own window, so the keychain is not polled for credentials.
    // Spawned from inside Tauri's runtime, like the core's own tasks.
    tauri::async_runtime::block_on(async {
        core.start_background_sign_in(BackgroundSignIn {
            watch_credential_store: false,
            ..BackgroundSignIn::default()
        });
    });
    crate::shortcut::restore(app.handle(), &data_dir);
    app.manage(AppState::new(core, data_dir));

    if startup.hidden {
        tracing::info!("started hidden; the window opens from the tray");
    } else {
        window::create_main(app.handle())?;
    }
    forward::spawn_all(app.handle());
    notify::spawn(app.handle());
    // Bound before the tray is built, so its first icon already tells the truth.
    let state = app.state::<AppState>();
    if let Err(error) = tauri::async_runtime::block_on(state.start_gateway()) {
        tracing::error!(%error, "the gateway is not running; fix the address in Settings or free the port");
    }
    if startup.tray {
        tray::create(app.handle())?;
    }
    Ok(())
}
