//! The stable entry page (`https://www.taijiai666.com`, taiji-protocol.md §1) as a separate small server:
//! `GET /` answers, after an optional chain of redirects, an HTML page carrying
//! `window.aiSiteInfo={"dd":"…"}`, where `dd` is the current site's host (with `:port` on loopback)
//! base64-encoded between five filler characters on each side. The site's own front end (and clients that
//! discover the origin as it does) strip the filler, decode the host and continue there.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

struct PortalState {
    /// The host the page points at (`host` or `host:port`); replaceable so a test can move the site.
    target: RwLock<String>,
    /// How many redirects `GET /` goes through before the page.
    redirects: u8,
}

/// A running entry portal. Dropping it stops the server.
pub struct Portal {
    base_url: String,
    state: Arc<PortalState>,
    server: JoinHandle<()>,
}

impl Portal {
    /// Serves on `127.0.0.1:0` an entry page pointing at `target_host` (`host[:port]`, no scheme) after
    /// `redirects` redirects.
    pub async fn start(target_host: &str, redirects: u8) -> std::io::Result<Portal> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        Self::start_on(listener, target_host, redirects)
    }

    /// Serves on an already bound listener.
    pub fn start_on(listener: TcpListener, target_host: &str, redirects: u8) -> std::io::Result<Portal> {
        let addr: SocketAddr = listener.local_addr()?;
        let state = Arc::new(PortalState {
            target: RwLock::new(target_host.to_owned()),
            redirects,
        });
        let app = Router::new()
            .route("/", get(entry))
            .route("/r/{hop}", get(hop))
            .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found") })
            .with_state(Arc::clone(&state));
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "taiji-sim portal stopped with an error");
            }
        });
        Ok(Portal {
            base_url: format!("http://{addr}"),
            state,
            server,
        })
    }

    /// `http://127.0.0.1:PORT`: the entry URL to configure.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Points the page at another host (the site moved).
    pub fn set_target(&self, target_host: &str) {
        *self.state.target.write().expect("portal lock poisoned") = target_host.to_owned();
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl std::fmt::Debug for Portal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Portal")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// The `dd` value for `host`: five filler characters, base64 of the host, five filler characters.
pub fn encode_dd(host: &str) -> String {
    format!("Qm9vd{}x4Tz1", STANDARD.encode(host))
}

async fn entry(State(state): State<Arc<PortalState>>) -> Response {
    if state.redirects > 0 {
        return Redirect::to("/r/1").into_response();
    }
    page(&state)
}

async fn hop(State(state): State<Arc<PortalState>>, Path(hop): Path<u8>) -> Response {
    if hop < state.redirects {
        return Redirect::to(&format!("/r/{}", hop + 1)).into_response();
    }
    page(&state)
}

fn page(state: &PortalState) -> Response {
    let target = state.target.read().expect("portal lock poisoned").clone();
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>太极AI</title>\
         <script>window.aiSiteInfo={{\"dd\":\"{}\"}};</script>\
         <script>location.href=location.protocol+\"//\"+atob(window.aiSiteInfo.dd.slice(5,-5));</script>\
         </head><body>正在跳转…</body></html>",
        encode_dd(&target)
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}
