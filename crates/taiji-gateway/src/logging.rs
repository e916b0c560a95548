//! Logging to stderr, quiet until there is something to run.
//!
//! Failures before a command has started (a wrong password, an unreachable site, a taken port) are
//! reported by the command itself as one line; the core's own log lines about the same failure
//! would only repeat it, so they are off by default. Once `serve` is listening, its request and
//! lifecycle logs are switched on at info level. `RUST_LOG` overrides all of this.

use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Registry, reload};

/// What is logged until a command is running: only this crate's own warnings.
const QUIET: &str = "off,taiji_gateway=warn";
/// What a running gateway logs.
const SERVING: &str = "warn,taiji_gateway=info,taiji_core=info";

/// The installed subscriber; lets `serve` turn its logs on once it is ready.
pub struct Logging {
    /// `None` when `RUST_LOG` chose the filter (then it is never changed).
    handle: Option<reload::Handle<EnvFilter, Registry>>,
}

impl Logging {
    /// Installs the stderr subscriber.
    pub fn init() -> Self {
        let (filter, from_env) = match EnvFilter::try_from_default_env() {
            Ok(filter) => (filter, true),
            Err(_) => (EnvFilter::new(QUIET), false),
        };
        let (filter, handle) = reload::Layer::new(filter);
        let installed = tracing_subscriber::registry()
            .with(filter)
            .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
            .try_init()
            .is_ok();
        Self {
            handle: (installed && !from_env).then_some(handle),
        }
    }

    /// Switches to the running gateway's log level.
    pub fn serving(&self) {
        if let Some(handle) = &self.handle
            && let Err(error) = handle.reload(EnvFilter::new(SERVING))
        {
            eprintln!("warning: cannot change the log level: {error}");
        }
    }
}
