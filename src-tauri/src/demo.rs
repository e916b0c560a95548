//! Demo mode of the desktop app ("Try without an account"): a second [`Core`] against the built-in
//! Taiji simulator (`taiji-sim`, in-process on a loopback port) signed in with its demo account.
//!
//! It never mixes with the real account: the demo core has its own data directory
//! (`<app data>/demo`: settings, request log), keeps credentials in a file there (never the
//! keychain), signs in for this run only (nothing is stored), and the real core stays untouched
//! underneath. Only what the user's apps need to keep working is carried over: the listen address
//! and the API keys (as this run's overrides, never written to the demo's settings file).

use std::path::Path;
use std::time::Duration;

use taiji_core::credentials::BackendChoice;
use taiji_core::runtime::{BackgroundSignIn, Core, CoreError, CoreOptions, SettingsOverrides};
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};

/// The demo's data directory inside the app's.
const DEMO_DIR: &str = "demo";

/// A running demo: the simulator and the core that talks to it.
pub struct DemoRun {
    /// The demo core.
    pub core: Core,
    simulator: Simulator,
}

impl std::fmt::Debug for DemoRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoRun")
            .field("simulator", &self.simulator.base_url())
            .finish_non_exhaustive()
    }
}

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The simulator could not bind a loopback port.
    #[error("the built-in simulator could not start: {0}")]
    Simulator(#[from] std::io::Error),
    /// The demo core could not open its data directory.
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl DemoRun {
    /// Starts the simulator and a demo core in `<data_dir>/demo` that listens where `real` does,
    /// with `real`'s API keys.
    pub async fn start(real: &Core, data_dir: &Path) -> Result<Self, DemoError> {
        let simulator = Simulator::start(SimConfig::default()).await?;
        let settings = real.settings();
        let overrides = SettingsOverrides {
            upstream_base_url: Some(simulator.base_url().to_owned()),
            listen_host: Some(settings.listen.host.clone()),
            listen_port: Some(settings.listen.port),
            api_keys: Some(
                settings
                    .access
                    .api_keys
                    .iter()
                    .map(|key| key.secret.clone())
                    .collect(),
            ),
            api_keys_required: Some(settings.access.api_keys_required),
            lan_mode: Some(settings.access.lan_mode),
            ..SettingsOverrides::default()
        };
        let options = CoreOptions {
            data_dir: data_dir.join(DEMO_DIR),
            credential_backend: BackendChoice::File,
            overrides,
            demo: true,
        };
        let core = match Core::open(options).await {
            Ok(core) => core,
            Err(error) => {
                simulator.shutdown().await;
                return Err(error.into());
            }
        };
        if let Err(error) = core.use_credentials(DEMO_ACCOUNT, DEMO_PASSWORD, false).await {
            core.shutdown(Duration::from_secs(1)).await;
            simulator.shutdown().await;
            return Err(error.into());
        }
        core.start_background_sign_in(BackgroundSignIn {
            watch_credential_store: false,
            ..BackgroundSignIn::default()
        });
        Ok(Self { core, simulator })
    }

    /// Stops the demo core (deleting its running sessions) and the simulator.
    pub async fn stop(self, grace: Duration) {
        self.core.shutdown(grace).await;
        self.simulator.shutdown().await;
    }
}
