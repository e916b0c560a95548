//! `serve`: runs the gateway until SIGINT or SIGTERM.
//!
//! It starts anyway: only local problems (a taken port, invalid settings, an unusable data
//! directory) end it. The account signs in in the background (`Core::start_background_sign_in`),
//! with backoff while the site is unreachable; meanwhile `/health` says why chat requests get a
//! 503. Without any account it asks for one at a terminal (`first_start`), or serves "sign in
//! first" answers and picks up what `taiji-gateway login` stores later. `--demo` runs against the
//! built-in simulator instead (`demo`).
//!
//! Start-up order matters for scripts that wait for the `listening on` line: the core is opened,
//! the port bound and the server started; the line is printed — on stdout, alone, flushed — once
//! the first sign-in attempt has an outcome (or after a few seconds), so a script that waits for
//! it finds a signed-in gateway whenever the site answers. The API key, the base URLs for client
//! apps and the sign-in state go to stderr.
//!
//! Shutdown: the listener stops accepting, the server ends running streams (dropping their
//! dispatcher streams, which stops the upstream calls and deletes their chat sessions), the core
//! waits up to the grace period for those deletions, and the process exits 0.

use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::time::Duration;

use taiji_core::gateway::GatewayServer;
use taiji_core::runtime::{BackgroundSignIn, Core, SettingsOverrides, SignInState};
use taiji_core::secret::Secret;

use super::{demo, first_start};
use crate::cli::{GlobalArgs, ServeArgs};
use crate::error::CliError;
use crate::logging::Logging;
use crate::open::{env_credentials, open_core};

/// The address `--lan` listens on when no `--host` is given: every interface.
const LAN_HOST: &str = "0.0.0.0";
/// How long the `listening on` line waits for the first sign-in attempt's outcome.
const FIRST_SIGN_IN_WAIT: Duration = Duration::from_secs(10);

/// `taiji-gateway serve`.
pub async fn run(global: &GlobalArgs, args: &ServeArgs, logging: &Logging) -> Result<(), CliError> {
    let (core, simulator) = if args.demo {
        let (core, simulator) = demo::open(global, overrides(args)).await?;
        (core, Some(simulator))
    } else {
        (open_core(global, overrides(args)).await?, None)
    };
    let result = serve(&core, simulator.is_some(), args, logging).await;
    if let Some(simulator) = simulator {
        simulator.shutdown().await;
    }
    result
}

async fn serve(core: &Core, demo: bool, args: &ServeArgs, logging: &Logging) -> Result<(), CliError> {
    // The port is bound first: a conflict is local and the one failure worth exiting for. The
    // gateway binds, serves and stops the way the desktop app's does (`GatewayServer`).
    let settings = core.settings();
    let server = match GatewayServer::start(core.clone()).await {
        Ok(server) => server,
        Err(error) => {
            core.shutdown(Duration::from_secs(1)).await;
            return Err(error.into());
        }
    };
    // Where the site is today (discovery on, no --api-base), asked behind the listening gateway;
    // a sign-in that fails at the old address meanwhile waits for it and is retried at the new one.
    let finder = core.clone();
    tokio::spawn(async move { finder.find_site().await });
    if !demo && let Some((account, password)) = env_credentials() {
        // For this run only: never stored, and the store is not watched for others meanwhile.
        let upstream = settings.upstream.base_url.clone();
        core.use_credentials(&account, &password, false)
            .await
            .map_err(|error| CliError::from_core(error, &upstream))?;
    }
    core.start_background_sign_in(BackgroundSignIn::default());
    let addr = server.local_addr();

    let mut signals = ShutdownSignals::install()?;
    first_outcome(core).await;
    announce(core, addr, demo)?;

    let mut early = None;
    if !demo && !core.has_credentials() && std::io::stdin().is_terminal() {
        // A first start at a terminal: ask right here, as `taiji-gateway login` would.
        tokio::select! {
            signal = signals.recv() => early = Some(signal),
            () = first_start::sign_in_interactively(core) => {}
        }
    }
    logging.serving();

    let grace = Duration::from_secs(args.shutdown_grace);
    let signal = match early {
        Some(signal) => signal,
        None => signals.recv().await,
    };
    tracing::info!(%signal, "stopping: no new connections; ending running requests");
    // Stopping ends running streams (which drops their dispatcher streams: the upstream calls
    // stop and their sessions are deleted) and returns when every connection is closed; the core
    // then waits for those deletions.
    match tokio::time::timeout(grace, server.stop()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, "the server stopped with an error"),
        Err(_) => tracing::warn!(?grace, "connections were still open after the grace period"),
    }
    core.shutdown(grace).await;
    Ok(())
}

/// Waits until the first sign-in attempt has an outcome (signed in, unreachable, rejected, no
/// account), at most [`FIRST_SIGN_IN_WAIT`].
async fn first_outcome(core: &Core) {
    let mut states = core.subscribe_sign_in();
    let settled =
        states.wait_for(|state| !matches!(state, SignInState::SigningIn { .. } | SignInState::OnDemand));
    let _ = tokio::time::timeout(FIRST_SIGN_IN_WAIT, settled).await;
}

/// The settings this run's flags override.
fn overrides(args: &ServeArgs) -> SettingsOverrides {
    let host = args
        .host
        .clone()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| args.lan.then(|| LAN_HOST.to_owned()));
    let keys: Vec<Secret> = args
        .api_keys
        .iter()
        .map(|key| key.trim())
        .filter(|key| !key.is_empty())
        .map(Secret::new)
        .collect();
    SettingsOverrides {
        listen_host: host,
        listen_port: args.port,
        max_concurrent: args.max_concurrent,
        api_keys: (!keys.is_empty()).then_some(keys),
        // Keys given on the command line are meant to be used; `--no-api-key` turns them off.
        api_keys_required: if args.no_api_key { Some(false) } else { None },
        lan_mode: args.lan.then_some(true),
        metrics_enabled: args.metrics.then_some(true),
        ..SettingsOverrides::default()
    }
}

/// Prints the one stdout line scripts wait for, then what a user needs to connect, on stderr.
fn announce(core: &Core, addr: SocketAddr, demo: bool) -> Result<(), CliError> {
    let base = format!("http://{addr}");
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {base}")
        .and_then(|()| stdout.flush())
        .map_err(CliError::Output)?;
    drop(stdout);

    let settings = core.settings();
    let settings_file = core.settings_store().path().display().to_string();
    let mut lines = Vec::new();
    if demo {
        lines.push(demo::BANNER.to_owned());
    }
    lines.push(account_line(core));
    if settings.access.api_keys_required {
        match settings.access.api_keys.iter().next() {
            Some(key) if core.overrides().api_keys.is_some() => {
                lines.push(format!("API key ({}): {}", key.name, key.secret.expose()));
            }
            Some(key) => lines.push(format!(
                "API key ({}): {}  (also in {settings_file})",
                key.name,
                key.secret.expose()
            )),
            None => lines.push("API keys are required but none is configured".to_owned()),
        }
    } else {
        lines.push("no API key required (loopback only)".to_owned());
    }
    lines.push(format!(
        "OpenAI clients (Cherry Studio, SDKs): base URL {base}/v1"
    ));
    lines.push(format!("Claude Code: ANTHROPIC_BASE_URL={base}"));
    lines.push("press Ctrl-C to stop".to_owned());
    let mut stderr = std::io::stderr().lock();
    for line in lines {
        // Nothing useful can be done if stderr is gone; the server keeps running.
        let _ = writeln!(stderr, "{line}");
    }
    Ok(())
}

/// Who this gateway signs in as and how that is going, in one line.
fn account_line(core: &Core) -> String {
    // The site in use, which discovery may have moved since the settings were read.
    let site = core.site().borrow().base_url.clone();
    let account = core.signed_in_as().borrow().clone().unwrap_or_default();
    let state = core.sign_in_state();
    match &state {
        SignInState::SignedIn { .. } | SignInState::OnDemand => {
            format!("signed in to {site} as {account}")
        }
        SignInState::NoAccount => String::from(
            "not signed in: serving anyway; chat requests are refused until you run \
             `taiji-gateway login` (this gateway picks it up without a restart)",
        ),
        _ => format!(
            "account {account} on {site}: {}; serving anyway (chat requests get 503 until signed in)",
            state.describe(time::OffsetDateTime::now_utc())
        ),
    }
}

/// SIGINT (Ctrl-C) and, on Unix, SIGTERM. The handlers are installed when this is created — before
/// the `listening on` line is printed — so a signal sent by a script that waited for that line
/// always takes the graceful path instead of the default "terminate at once".
struct ShutdownSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    fn install() -> Result<Self, CliError> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let install = |kind| {
                signal(kind).map_err(|e| CliError::Other(format!("cannot install the signal handlers: {e}")))
            };
            Ok(Self {
                interrupt: install(SignalKind::interrupt())?,
                terminate: install(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// Waits for the first signal and names it.
    async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => "SIGINT",
                _ = self.terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
