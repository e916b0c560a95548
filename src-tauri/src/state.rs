//! The shell's managed state ([`AppState`]): the one [`Core`] and the gateway listener built on it.
//!
//! Tauri hands one `AppState` to commands, the tray and setup through `app.state()`, so there is no
//! global mutable state. The listener's state is published on a watch channel; together with the
//! core's account channels it drives the status the tray and the UI show (see [`crate::forward`]).
//!
//! In demo mode ([`crate::demo`]) the gateway serves a second, demo core instead; the real core
//! stays open and untouched underneath, and leaving demo mode puts the gateway back on it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use taiji_core::gateway::{GatewayError, GatewayServer};
use taiji_core::runtime::{Core, SignInState};
use tokio::sync::{Mutex, watch};

use crate::demo::{DemoError, DemoRun};
use crate::status::{GatewayStatus, ListenerState};

/// How long quitting waits for running requests to be cancelled and their sessions deleted.
pub const QUIT_GRACE: Duration = Duration::from_secs(5);

/// Everything the desktop shell keeps between events; managed by Tauri.
#[derive(Debug)]
pub struct AppState {
    /// The client core: settings, account, dispatcher, request log, catalog.
    pub core: Core,
    /// The running listener, if any. A tokio mutex because starting, moving and stopping it await.
    gateway: Mutex<Option<GatewayServer>>,
    /// What the listener is doing, for the status.
    listener: watch::Sender<ListenerState>,
    /// Where settings, the request log and (without a keychain) credentials live.
    data_dir: PathBuf,
    /// The running demo, if demo mode is on. Held while switching, so switches never overlap.
    demo: Mutex<Option<DemoRun>>,
    /// The demo core while demo mode is on: what the gateway serves and the status shows.
    demo_core: watch::Sender<Option<Core>>,
}

impl AppState {
    /// A state around an opened core; the gateway is not started yet.
    pub fn new(core: Core, data_dir: PathBuf) -> Self {
        Self {
            core,
            gateway: Mutex::new(None),
            listener: watch::Sender::new(ListenerState::Stopped),
            data_dir,
            demo: Mutex::new(None),
            demo_core: watch::Sender::new(None),
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> &PathBuf {
        &self.data_dir
    }

    /// The listener's state now.
    pub fn listener(&self) -> ListenerState {
        self.listener.borrow().clone()
    }

    /// Every change of the listener's state (including repeats, so the tray's check mark is always
    /// put back in line after a click).
    pub fn subscribe_listener(&self) -> watch::Receiver<ListenerState> {
        self.listener.subscribe()
    }

    /// Whether demo mode is on.
    pub fn is_demo(&self) -> bool {
        self.demo_core.borrow().is_some()
    }

    /// Changes of demo mode (the demo core, or `None`).
    pub fn subscribe_demo(&self) -> watch::Receiver<Option<Core>> {
        self.demo_core.subscribe()
    }

    /// The core the gateway serves: the demo core in demo mode, else the real one.
    pub fn active_core(&self) -> Core {
        self.demo_core
            .borrow()
            .clone()
            .unwrap_or_else(|| self.core.clone())
    }

    /// The status derived from the listener and the account the gateway serves. The background
    /// sign-in has the last word on "needs login": without an account, or after the site rejected
    /// the password.
    pub fn gateway_status(&self) -> GatewayStatus {
        let core = self.active_core();
        let status = GatewayStatus::derive(
            &self.listener.borrow(),
            core.has_credentials(),
            &core.account().token_state(),
        );
        let needs_login = matches!(
            core.sign_in_state(),
            SignInState::NoAccount | SignInState::WrongPassword { .. }
        );
        if status == GatewayStatus::Running && needs_login {
            GatewayStatus::NeedsLogin
        } else {
            status
        }
    }

    /// Starts the gateway on the configured address unless it is already running. A failure is
    /// recorded as the listener's state (so the tray and the UI show it) and returned.
    pub async fn start_gateway(&self) -> Result<ListenerState, GatewayError> {
        let mut slot = self.gateway.lock().await;
        if let Some(server) = slot.as_ref() {
            return Ok(self.publish(listening(server.local_addr())));
        }
        match GatewayServer::start(self.active_core()).await {
            Ok(server) => {
                let state = listening(server.local_addr());
                *slot = Some(server);
                Ok(self.publish(state))
            }
            Err(error) => {
                tracing::warn!(%error, "the gateway could not start");
                self.publish(ListenerState::Failed {
                    message: error.to_string(),
                });
                Err(error)
            }
        }
    }

    /// Stops the gateway (ending running streams) if it runs.
    pub async fn stop_gateway(&self) -> Result<(), GatewayError> {
        let server = self.gateway.lock().await.take();
        self.publish(ListenerState::Stopped);
        match server {
            Some(server) => server.stop().await,
            None => Ok(()),
        }
    }

    /// Moves a running gateway to `host:port` (the new listener is bound before the old one stops,
    /// so a failure leaves the old one serving). A gateway that failed to start is started on the
    /// new address instead; a stopped one stays stopped and uses the address when next started.
    pub async fn move_gateway(&self, host: &str, port: u16) -> Result<(), GatewayError> {
        let mut slot = self.gateway.lock().await;
        match slot.as_mut() {
            Some(server) => {
                let addr = server.rebind(host, port).await?;
                self.publish(listening(addr));
                Ok(())
            }
            None if matches!(*self.listener.borrow(), ListenerState::Failed { .. }) => {
                drop(slot);
                self.start_gateway().await.map(|_| ())
            }
            None => Ok(()),
        }
    }

    /// Switches the gateway to a demo core against the built-in simulator (see [`crate::demo`]).
    /// The gateway is restarted on the same address if it was running or had failed; a stopped
    /// one stays stopped. Does nothing when demo mode is already on.
    pub async fn enter_demo(&self) -> Result<(), DemoError> {
        let mut demo = self.demo.lock().await;
        if demo.is_some() {
            return Ok(());
        }
        let run = DemoRun::start(&self.core, &self.data_dir).await?;
        let was_stopped = matches!(self.listener(), ListenerState::Stopped);
        if let Err(error) = self.stop_gateway().await {
            tracing::warn!(%error, "the gateway did not stop cleanly");
        }
        self.demo_core.send_replace(Some(run.core.clone()));
        *demo = Some(run);
        drop(demo);
        tracing::info!("demo mode on: the gateway answers from the built-in simulator");
        if !was_stopped && let Err(error) = self.start_gateway().await {
            tracing::warn!(%error, "the demo gateway could not start");
        }
        Ok(())
    }

    /// Leaves demo mode: the gateway goes back to the real core (restarted if it was running),
    /// and the demo core and the simulator stop.
    pub async fn leave_demo(&self, grace: Duration) {
        let mut demo = self.demo.lock().await;
        let Some(run) = demo.take() else { return };
        let was_stopped = matches!(self.listener(), ListenerState::Stopped);
        if let Err(error) = self.stop_gateway().await {
            tracing::warn!(%error, "the demo gateway did not stop cleanly");
        }
        self.demo_core.send_replace(None);
        run.stop(grace).await;
        drop(demo);
        tracing::info!("demo mode off");
        if !was_stopped && let Err(error) = self.start_gateway().await {
            tracing::warn!(%error, "the gateway could not start again after the demo");
        }
    }

    /// Stops the gateway, then the demo (if on) and the core (which cancel running requests and
    /// delete their upstream sessions), waiting up to `grace` for the latter.
    pub async fn shutdown(&self, grace: Duration) {
        if let Err(error) = self.stop_gateway().await {
            tracing::warn!(%error, "the gateway did not stop cleanly");
        }
        if let Some(run) = self.demo.lock().await.take() {
            self.demo_core.send_replace(None);
            run.stop(grace).await;
        }
        self.core.shutdown(grace).await;
    }

    /// The tray's "Gateway running" item: stops a listening gateway, starts any other.
    pub async fn toggle_gateway(&self) -> Result<(), GatewayError> {
        if self.listener().is_listening() {
            self.stop_gateway().await
        } else {
            self.start_gateway().await.map(|_| ())
        }
    }

    /// Quitting: stops the gateway and the core, giving running requests [`QUIT_GRACE`] to be
    /// cancelled and their upstream sessions deleted. The caller exits the app afterwards.
    pub async fn quit(&self) {
        self.shutdown(QUIT_GRACE).await;
    }

    fn publish(&self, state: ListenerState) -> ListenerState {
        self.listener.send_replace(state.clone());
        state
    }
}

/// The listener state for a bound address. An unspecified bind address (`0.0.0.0`, `::`) is
/// shown as the loopback address, which is what clients on this computer can actually use.
fn listening(addr: SocketAddr) -> ListenerState {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    ListenerState::Listening {
        url: format!("http://{}", SocketAddr::new(ip, addr.port())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_urls_use_loopback_for_unspecified_binds() {
        let url = |addr: &str| {
            listening(addr.parse().expect("socket address"))
                .url()
                .map(str::to_owned)
        };
        assert_eq!(url("127.0.0.1:8760").as_deref(), Some("http://127.0.0.1:8760"));
        assert_eq!(url("0.0.0.0:8760").as_deref(), Some("http://127.0.0.1:8760"));
        assert_eq!(url("[::]:9000").as_deref(), Some("http://[::1]:9000"));
        assert_eq!(
            url("192.168.1.5:8760").as_deref(),
            Some("http://192.168.1.5:8760")
        );
    }
}
