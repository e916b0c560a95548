//! [`GatewayServer`]: the running gateway as the desktop shell and the CLI hold it. It binds the
//! effective settings' `listen.host:listen.port`, serves in a background task, stops gracefully,
//! and moves to another address without a gap: [`GatewayServer::rebind`] binds the new listener
//! first and only then stops the old one, so a failed move (port in use, address not on this
//! machine) leaves the old listener serving and says why.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener as StdTcpListener};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{GatewayOptions, serve_with};
use crate::runtime::Core;
use crate::settings::listen_ip;

/// How many ports after a busy one are tried for a suggestion.
const SUGGESTION_RANGE: u16 = 20;

/// Why the gateway could not start or move.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Another program listens on the address.
    #[error("port {} is in use on {}{}", addr.port(), addr.ip(), suggestion_text(*suggestion))]
    AddrInUse {
        /// The address that was asked for.
        addr: SocketAddr,
        /// A nearby port that was free when the bind failed.
        suggestion: Option<u16>,
    },
    /// The address does not belong to this machine.
    #[error("{} is not an address of this machine; use 127.0.0.1, or one of this machine's own addresses in LAN mode", addr.ip())]
    AddrNotAvailable {
        /// The address that was asked for.
        addr: SocketAddr,
    },
    /// The system refused the bind (ports below 1024 need privileges on most systems).
    #[error("not allowed to listen on {addr}; choose a port above 1023")]
    PermissionDenied {
        /// The address that was asked for.
        addr: SocketAddr,
    },
    /// The host is neither an IP address nor `localhost`.
    #[error("`{host}` is not an IP address or `localhost`")]
    InvalidHost {
        /// The host as given.
        host: String,
    },
    /// A non-loopback address was asked for without LAN mode and required API keys.
    #[error(
        "listening on {host} makes the gateway reachable from other machines; turn on LAN mode and require API keys first"
    )]
    LanNotAllowed {
        /// The host as given.
        host: String,
    },
    /// Any other I/O failure while binding or serving.
    #[error("could not listen on {addr}: {source}")]
    Io {
        /// The address that was asked for.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The server task failed or panicked.
    #[error("the gateway server failed: {0}")]
    Server(String),
}

fn suggestion_text(suggestion: Option<u16>) -> String {
    match suggestion {
        Some(port) => format!(" (another program is listening there; port {port} is free)"),
        None => String::from(" (another program is listening there)"),
    }
}

/// A running gateway listener.
#[derive(Debug)]
pub struct GatewayServer {
    core: Core,
    options: GatewayOptions,
    running: Running,
}

#[derive(Debug)]
struct Running {
    addr: SocketAddr,
    stop: CancellationToken,
    task: JoinHandle<io::Result<()>>,
}

impl GatewayServer {
    /// Binds the effective settings' listen address (port 0 picks a free port) and starts serving.
    pub async fn start(core: Core) -> Result<Self, GatewayError> {
        Self::start_with(core, GatewayOptions::default()).await
    }

    /// [`Self::start`] with explicit [`GatewayOptions`].
    pub async fn start_with(core: Core, options: GatewayOptions) -> Result<Self, GatewayError> {
        let listen = core.settings().listen;
        let listener = bind(&core, &listen.host, listen.port).await?;
        let running = Running::spawn(listener, core.clone(), options)?;
        Ok(Self {
            core,
            options,
            running,
        })
    }

    /// The address actually bound (with the real port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.running.addr
    }

    /// The base URL clients use, e.g. `http://127.0.0.1:8760`.
    pub fn url(&self) -> String {
        format!("http://{}", self.running.addr)
    }

    /// Moves the gateway to `host:port`: binds the new address first, starts serving there, and
    /// only then stops the old listener (ending its running streams with a "shutting down" error).
    /// On failure the old listener keeps serving. Returns the new address.
    pub async fn rebind(&mut self, host: &str, port: u16) -> Result<SocketAddr, GatewayError> {
        let listener = bind(&self.core, host, port).await?;
        let next = Running::spawn(listener, self.core.clone(), self.options)?;
        let previous = std::mem::replace(&mut self.running, next);
        if let Err(error) = previous.stop().await {
            tracing::warn!(%error, "the previous listener did not stop cleanly");
        }
        Ok(self.running.addr)
    }

    /// Stops accepting connections, ends running streams and waits until every connection is
    /// closed. Call `core.shutdown(grace)` afterwards to wait for upstream session deletions.
    pub async fn stop(self) -> Result<(), GatewayError> {
        self.running.stop().await
    }
}

impl Running {
    fn spawn(listener: TcpListener, core: Core, options: GatewayOptions) -> Result<Self, GatewayError> {
        let addr = listener.local_addr().map_err(|source| GatewayError::Io {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
            source,
        })?;
        let stop = CancellationToken::new();
        let signal = stop.clone().cancelled_owned();
        let task = tokio::spawn(serve_with(listener, core, options, signal));
        tracing::info!(%addr, "gateway listening");
        Ok(Self { addr, stop, task })
    }

    async fn stop(self) -> Result<(), GatewayError> {
        self.stop.cancel();
        match self.task.await {
            Ok(Ok(())) => {
                tracing::info!(addr = %self.addr, "gateway stopped");
                Ok(())
            }
            Ok(Err(source)) => Err(GatewayError::Io {
                addr: self.addr,
                source,
            }),
            Err(join) => Err(GatewayError::Server(join.to_string())),
        }
    }
}

/// Binds `host:port` after checking that the settings allow that host.
async fn bind(core: &Core, host: &str, port: u16) -> Result<TcpListener, GatewayError> {
    let ip = listen_ip(host).ok_or_else(|| GatewayError::InvalidHost {
        host: host.to_owned(),
    })?;
    if !core.settings().access.allows_listening_on(ip) {
        return Err(GatewayError::LanNotAllowed {
            host: host.to_owned(),
        });
    }
    let addr = SocketAddr::new(ip, port);
    TcpListener::bind(addr)
        .await
        .map_err(|source| bind_error(addr, source))
}

fn bind_error(addr: SocketAddr, source: io::Error) -> GatewayError {
    match source.kind() {
        io::ErrorKind::AddrInUse => GatewayError::AddrInUse {
            addr,
            suggestion: free_port_near(addr),
        },
        io::ErrorKind::AddrNotAvailable => GatewayError::AddrNotAvailable { addr },
        io::ErrorKind::PermissionDenied => GatewayError::PermissionDenied { addr },
        _ => GatewayError::Io { addr, source },
    }
}

/// A port after `addr`'s that is free right now (it may be taken by the time the user tries it).
fn free_port_near(addr: SocketAddr) -> Option<u16> {
    (1..=SUGGESTION_RANGE)
        .filter_map(|offset| addr.port().checked_add(offset))
        .find(|&port| StdTcpListener::bind(SocketAddr::new(addr.ip(), port)).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_parse() {
        assert_eq!(listen_ip("localhost"), Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert_eq!(listen_ip(" 127.0.0.1 "), Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(listen_ip("[::1]").is_some_and(|ip| ip.is_loopback()));
        assert_eq!(listen_ip("example.com"), None);
    }

    #[test]
    fn addr_in_use_says_which_port_and_suggests_another() {
        let error = GatewayError::AddrInUse {
            addr: "127.0.0.1:8760".parse().expect("addr"),
            suggestion: Some(8761),
        };
        assert_eq!(
            error.to_string(),
            "port 8760 is in use on 127.0.0.1 (another program is listening there; port 8761 is free)"
        );
    }
}
