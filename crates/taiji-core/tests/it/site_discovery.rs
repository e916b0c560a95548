//! The site moves: discovery from the entry page (a `taiji-sim` portal on loopback) and the known
//! origins, the check that keeps credentials away from hosts that are not the Taiji API, persistence of
//! the adopted origin, and the front-end version read from the site when it refuses an old one.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use taiji_core::credentials::BackendChoice;
use taiji_core::runtime::{Core, CoreOptions, SettingsOverrides};
use taiji_core::settings::{Settings, SettingsStore};
use taiji_core::upstream::SiteEventKind;
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, Portal, SimConfig, Simulator};

/// An address nothing listens on: connections are refused, as for a dead origin.
async fn dead_origin() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

fn host_of(base_url: &str) -> String {
    base_url.trim_start_matches("http://").to_owned()
}

/// A parked domain: answers every request with an HTML page and remembers what it was asked.
struct Decoy {
    base_url: String,
    seen: Arc<Mutex<Vec<(String, bool)>>>,
}

impl Decoy {
    async fn start() -> Decoy {
        let seen: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
        let record = Arc::clone(&seen);
        let app = Router::new().fallback(move |request: Request| {
            let record = Arc::clone(&record);
            async move {
                let authorized = request.headers().contains_key("authorization");
                record
                    .lock()
                    .unwrap()
                    .push((request.uri().path().to_owned(), authorized));
                axum::response::Html(
                    "<html><title>域名出售</title><body>This domain is for sale</body></html>",
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Decoy {
            base_url: format!("http://{addr}"),
            seen,
        }
    }

    fn paths(&self) -> Vec<(String, bool)> {
        self.seen.lock().unwrap().clone()
    }
}

/// Stores `change` in the settings of `dir` before a core opens there.
fn store_settings(dir: &Path, change: impl FnOnce(&mut Settings)) {
    SettingsStore::open(dir).unwrap().update(change).unwrap();
}

async fn open(dir: &Path) -> Core {
    Core::open(CoreOptions {
        data_dir: dir.to_owned(),
        credential_backend: BackendChoice::File,
        overrides: SettingsOverrides::default(),
        demo: false,
    })
    .await
    .expect("core opens")
}

/// Waits until the stored settings satisfy `done`.
async fn stored(core: &Core, done: impl Fn(&Settings) -> bool) -> Settings {
    let mut settings = core.settings_store().subscribe();
    let saved = tokio::time::timeout(Duration::from_secs(10), settings.wait_for(|s| done(s)))
        .await
        .expect("the settings were saved in time")
        .expect("store alive");
    saved.clone()
}

#[tokio::test]
async fn a_moved_site_is_found_from_the_entry_checked_adopted_and_remembered() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let portal = Portal::start(&host_of(sim.base_url()), 2).await.unwrap();
    let dead = dead_origin().await;
    let dir = tempfile::tempdir().unwrap();
    let (entry, old) = (portal.base_url().to_owned(), dead.clone());
    store_settings(dir.path(), move |s| {
        s.upstream.base_url = old;
        s.upstream.discovery = true;
        s.upstream.entry_url = entry;
        s.upstream.known_origins = Vec::new();
    });
    let core = open(dir.path()).await;
    let mut site = core.site();

    // The first call fails to connect, finds the site through the portal and is retried there.
    core.login(DEMO_ACCOUNT, DEMO_PASSWORD)
        .await
        .expect("login after the move");
    assert_eq!(sim.control().stats().logins_ok, 1);
    let now = site.borrow_and_update().clone();
    assert_eq!(now.base_url, sim.base_url());
    let event = now.last_event.expect("the move is reported");
    assert_eq!(event.kind, SiteEventKind::Moved);
    assert!(
        event.message.contains(&dead) && event.message.contains(sim.base_url()),
        "{}",
        event.message
    );
    assert_eq!(core.status().site.base_url, sim.base_url());

    // The new origin is saved, so the next start goes straight there.
    let saved = stored(&core, |s| s.upstream.base_url == sim.base_url()).await;
    assert!(saved.upstream.discovery);
    core.shutdown(Duration::from_secs(5)).await;
    drop(core);
    drop(portal);
    let again = open(dir.path()).await;
    assert_eq!(again.site().borrow().base_url, sim.base_url());
    assert!(again.catalog().await.is_ok());
    again.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn hosts_that_are_not_the_taiji_api_never_get_credentials() {
    let decoy = Decoy::start().await;
    let portal = Portal::start(&host_of(&decoy.base_url), 0).await.unwrap();
    let dead = dead_origin().await;
    let dir = tempfile::tempdir().unwrap();
    let (entry, old, decoy_url) = (portal.base_url().to_owned(), dead.clone(), decoy.base_url.clone());
    store_settings(dir.path(), move |s| {
        s.upstream.base_url = old;
        s.upstream.entry_url = entry;
        s.upstream.known_origins = vec![decoy_url];
    });
    let core = open(dir.path()).await;
    let error = core
        .login(DEMO_ACCOUNT, DEMO_PASSWORD)
        .await
        .expect_err("no site to sign in to");
    assert!(!error.to_string().contains(DEMO_PASSWORD));

    // The entry led to the decoy's page, and the decoy was asked once, without credentials, whether it
    // is the Taiji API; it is not, so the login never went there.
    let paths = decoy.paths();
    assert_eq!(
        paths,
        vec![("/".to_owned(), false), ("/api/chat/tmpl".to_owned(), false)],
        "{paths:?}"
    );
    let site = core.site().borrow().clone();
    assert_eq!(site.base_url, dead);
    let event = site.last_event.expect("the failure is reported");
    assert_eq!(event.kind, SiteEventKind::Failed);
    assert_eq!(core.settings_store().get().upstream.base_url, dead);
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn the_known_origins_are_tried_when_the_entry_is_down_too() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let decoy = Decoy::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (entry, old) = (dead_origin().await, dead_origin().await);
    let known = vec![decoy.base_url.clone(), sim.base_url().to_owned()];
    store_settings(dir.path(), move |s| {
        s.upstream.base_url = old;
        s.upstream.entry_url = entry;
        s.upstream.known_origins = known;
    });
    let core = open(dir.path()).await;
    core.login(DEMO_ACCOUNT, DEMO_PASSWORD)
        .await
        .expect("login at a known origin");
    assert_eq!(core.site().borrow().base_url, sim.base_url());
    assert!(
        decoy
            .paths()
            .iter()
            .all(|(path, authorized)| path == "/api/chat/tmpl" && !authorized)
    );
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn a_pinned_origin_is_never_left() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let portal = Portal::start(&host_of(sim.base_url()), 0).await.unwrap();
    let dead = dead_origin().await;
    let dir = tempfile::tempdir().unwrap();
    let entry = portal.base_url().to_owned();
    store_settings(dir.path(), move |s| {
        s.upstream.entry_url = entry;
        s.upstream.known_origins = Vec::new();
    });
    // `--api-base` (TAIJI_API_BASE) pins the origin for the run.
    let core = Core::open(CoreOptions {
        data_dir: dir.path().to_owned(),
        credential_backend: BackendChoice::File,
        overrides: SettingsOverrides {
            upstream_base_url: Some(dead.clone()),
            ..SettingsOverrides::default()
        },
        demo: false,
    })
    .await
    .unwrap();
    assert!(core.login(DEMO_ACCOUNT, DEMO_PASSWORD).await.is_err());
    assert_eq!(core.site().borrow().base_url, dead);
    assert!(!core.site().borrow().discovery);
    assert_eq!(sim.control().stats().logins_ok, 0);
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn an_outdated_front_end_version_is_replaced_by_the_sites_own() {
    let sim = Simulator::start(SimConfig {
        refuse_old_app_version: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base = sim.base_url().to_owned();
    store_settings(dir.path(), move |s| {
        s.upstream.base_url = base;
        s.upstream.app_version = "2.16.0".to_owned();
        s.upstream.discovery = false;
    });
    let core = open(dir.path()).await;
    core.login(DEMO_ACCOUNT, DEMO_PASSWORD)
        .await
        .expect("login after the version update");
    let stats = sim.control().stats();
    assert_eq!(stats.old_version_refusals, 1, "{stats:?}");
    assert_eq!(stats.logins_ok, 1);
    let site = core.site().borrow().clone();
    assert_eq!(site.app_version, "3.4.0");
    assert_eq!(site.last_event.unwrap().kind, SiteEventKind::VersionUpdated);
    stored(&core, |s| s.upstream.app_version == "3.4.0").await;
    // Every later call uses it.
    assert!(core.catalog().await.is_ok());
    assert_eq!(sim.control().stats().old_version_refusals, 1);
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn at_start_the_entry_page_decides_where_the_site_is() {
    let old = Simulator::start(SimConfig::default()).await.unwrap();
    let new = Simulator::start(SimConfig::default()).await.unwrap();
    let portal = Portal::start(&host_of(new.base_url()), 1).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (entry, configured) = (portal.base_url().to_owned(), old.base_url().to_owned());
    store_settings(dir.path(), move |s| {
        s.upstream.base_url = configured;
        s.upstream.entry_url = entry;
        s.upstream.known_origins = Vec::new();
    });
    let core = open(dir.path()).await;
    // The old address still answers, but the entry page points elsewhere: that is where the site is.
    core.find_site().await;
    assert_eq!(core.site().borrow().base_url, new.base_url());
    core.login(DEMO_ACCOUNT, DEMO_PASSWORD).await.unwrap();
    assert_eq!(old.control().stats().logins_ok, 0);
    assert_eq!(new.control().stats().logins_ok, 1);
    stored(&core, |s| s.upstream.base_url == new.base_url()).await;

    // With the entry page down, the configured address stays.
    drop(portal);
    core.find_site().await;
    assert_eq!(core.site().borrow().base_url, new.base_url());
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn a_completions_post_refused_for_its_version_is_sent_again_once_with_the_new_one() {
    use taiji_core::upstream::{CompletionRequest, Secret, UpstreamClient, UpstreamConfig};
    let sim = Simulator::start(SimConfig {
        refuse_old_app_version: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let config = |version: &str| UpstreamConfig {
        base_url: sim.base_url().to_owned(),
        app_version: version.to_owned(),
        ..UpstreamConfig::default()
    };
    // A current client signs in and opens the session; an outdated one sends the message.
    let current = UpstreamClient::new(config("3.4.0")).unwrap();
    let token = current
        .login(DEMO_ACCOUNT, &Secret::new(DEMO_PASSWORD))
        .await
        .unwrap();
    let session = current
        .create_session(&token.token, "openai::gpt-4.1-mini")
        .await
        .unwrap();
    let outdated = UpstreamClient::new(config("2.16.0")).unwrap();
    let message = CompletionRequest {
        session_id: session.id,
        model: Some(session.model.clone()),
        text: "hello".to_owned(),
        files: Vec::new(),
        reasoning_effort: None,
    };
    let mut stream = outdated
        .completions(&token.token, &message)
        .await
        .expect("sent again with 3.4.0");
    while let Some(item) = futures::StreamExt::next(&mut stream).await {
        item.expect("frame");
    }
    // The refusal came before generation (a JSON envelope, counted by the simulator's refusal layer):
    // one refused POST, then one that reached the model and streamed.
    assert_eq!(sim.control().stats().old_version_refusals, 1);
    let sent = sim.control().recent_completions();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .headers
            .contains(&("x-app-version".to_owned(), "3.4.0".to_owned()))
    );
    let stats = sim.control().stats();
    assert_eq!(
        (stats.completions_started, stats.completions_finished),
        (1, 1),
        "{stats:?}"
    );
    assert_eq!(outdated.config().app_version, "3.4.0");
    current.delete_session(&token.token, session.id).await.unwrap();
}
