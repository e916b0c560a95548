//! `serve --demo`: the gateway against the built-in Taiji simulator (`taiji-sim`, in-process on a
//! loopback port) and its demo account, so anyone can try every client without an account.
//!
//! It never mixes with a real account: the demo keeps its settings, API key and request log in
//! its own data directory (`<data dir>/demo`), keeps credentials in a file there (never the
//! keychain), signs in with the simulator's demo account for this run only (nothing is stored),
//! and ignores `--api-base` / `TAIJI_API_BASE`. It is labelled everywhere: the start-up banner,
//! `/health` (`"demo": true`) and every model's display name (`DEMO · …`).

use taiji_core::credentials::BackendChoice;
use taiji_core::runtime::{Core, CoreOptions, SettingsOverrides};
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};

use crate::cli::GlobalArgs;
use crate::error::CliError;
use crate::open::data_dir;

/// The first line of the start-up banner in demo mode.
pub const BANNER: &str = "DEMO MODE: answers come from the built-in Taiji simulator, not from Taiji AI; \
                          no account is used or stored, and no points are spent";

/// The demo's data directory inside the real one.
const DEMO_DIR: &str = "demo";

/// Starts the simulator and opens a demo core signed in to it with the demo account.
pub async fn open(
    global: &GlobalArgs,
    mut overrides: SettingsOverrides,
) -> Result<(Core, Simulator), CliError> {
    let simulator = Simulator::start(SimConfig::default())
        .await
        .map_err(|e| CliError::Other(format!("cannot start the built-in simulator: {e}")))?;
    overrides.upstream_base_url = Some(simulator.base_url().to_owned());
    let options = CoreOptions {
        data_dir: data_dir(global)?.join(DEMO_DIR),
        credential_backend: BackendChoice::File,
        overrides,
        demo: true,
    };
    let upstream = simulator.base_url().to_owned();
    let core = match Core::open(options).await {
        Ok(core) => core,
        Err(error) => {
            simulator.shutdown().await;
            return Err(CliError::from_core(error, &upstream));
        }
    };
    if let Err(error) = core.use_credentials(DEMO_ACCOUNT, DEMO_PASSWORD, false).await {
        simulator.shutdown().await;
        return Err(CliError::from_core(error, &upstream));
    }
    Ok((core, simulator))
}
