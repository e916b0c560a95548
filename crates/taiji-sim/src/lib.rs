//! `taiji-sim`: a strict simulator of the Taiji AI web API (`shared/docs/taiji-protocol.md`), used in place
//! of the real site by every test, demo and benchmark.
//!
//! Start one on a free loopback port, point the client at [`Simulator::base_url`], steer and observe it
//! through [`Simulator::control`] (or the HTTP twin under `/__sim/`, documented in `control_api.rs`).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = taiji_sim::Simulator::start(taiji_sim::SimConfig::default()).await?;
//! println!("{}/api/user/login", sim.base_url());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

// Handlers answer errors as ready-made responses (envelopes, fault pages), the usual axum idiom; the size
// of `Response` in an `Err` is irrelevant next to network I/O.
#![allow(clippy::result_large_err)]

mod auth;
mod catalog;
mod clock;
mod completions;
mod config;
mod control;
mod control_api;
mod cookie;
mod envelope;
mod faults;
mod frontend;
mod jwt;
mod portal;
mod record;
mod reply;
mod routes;
mod serde_ms;
mod sessions;
mod state;
mod stream;
mod tokens;
mod user;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use completions::MSG_NO_REASONING_EFFORT;
pub use config::{CatalogVersion, DEMO_ACCOUNT, DEMO_PASSWORD, Dialect, SimAccount, SimConfig};
pub use control::{CompletionRecord, LoginRecord, ScriptedReply, SimControl, SimStats};
pub use faults::{Fault, FaultKind, FaultTarget};
pub use frontend::{BUNDLE_PATH, MSG_OLD_VERSION};
pub use portal::{Portal, encode_dd};
pub use record::FinalRecord;
pub use state::COMPLIANCE_PROMPT;

use state::SimState;

/// How long `shutdown` lets open connections close gracefully before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running simulator. Dropping it stops the server too.
pub struct Simulator {
    addr: SocketAddr,
    base_url: String,
    state: Arc<SimState>,
    server: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Binds `127.0.0.1:0` and serves.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        Self::start_on(listener, config).await
    }

    /// Serves on an already bound listener (the binary uses this for a fixed port).
    pub async fn start_on(listener: TcpListener, config: SimConfig) -> std::io::Result<Simulator> {
        let addr = listener.local_addr()?;
        let host = if addr.ip().is_unspecified() {
            Ipv4Addr::LOCALHOST.to_string()
        } else {
            addr.ip().to_string()
        };
        let base_url = match addr {
            SocketAddr::V4(_) => format!("http://{host}:{}", addr.port()),
            SocketAddr::V6(_) => format!("http://[{host}]:{}", addr.port()),
        };
        let control = SimControl::new(config.frame_delay);
        let state = Arc::new(SimState::new(config, control));
        let app = routes::router(Arc::clone(&state));
        let shutdown = state.shutdown.clone();
        let server = tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            let result = axum::serve(listener, service)
                .with_graceful_shutdown(async move { shutdown.cancelled().await })
                .await;
            if let Err(e) = result {
                tracing::error!(error = %e, "taiji-sim server stopped with an error");
            }
        });
        Ok(Simulator {
            addr,
            base_url,
            state,
            server: Some(server),
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash; the Taiji API is under `/api/...`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn control(&self) -> &SimControl {
        &self.state.control
    }

    /// Ends running streams, lets connections close, and stops the server.
    pub async fn shutdown(mut self) {
        self.state.shutdown.cancel();
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await.is_err()
        {
            server.abort();
        }
    }
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}
