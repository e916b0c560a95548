//! The composition root against the simulator: signing in stores the credentials, a restart uses
//! them, settings changes apply live, overrides are not persisted, and a chat goes end to end.

use std::time::Duration;

use futures::StreamExt;
use taiji_core::chat::ChatEvent;
use taiji_core::runtime::{Core, CoreError, CoreOptions};
use taiji_core::secret::Secret;
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};

use crate::support::dispatch_one;

fn options(dir: &std::path::Path, sim: &Simulator) -> CoreOptions {
    crate::support::core_options(dir, sim.base_url())
}

#[tokio::test]
async fn sign_in_chat_and_restart_with_stored_credentials() {
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");

    let core = Core::open(options(dir.path(), &sim)).await.expect("core opens");
    assert!(!core.has_credentials());
    assert!(matches!(core.catalog().await, Err(CoreError::NotSignedIn)));
    let wrong = core.login(DEMO_ACCOUNT, "wrong-password").await;
    assert!(matches!(wrong, Err(CoreError::Upstream(_))), "{wrong:?}");
    assert!(!core.has_credentials(), "a rejected login stores nothing");

    core.login(DEMO_ACCOUNT, DEMO_PASSWORD).await.expect("login");
    // The model as a client may spell it: resolved case-insensitively.
    let mut stream = dispatch_one(&core, "GPT-4.1-MINI", "你好").await;
    let mut text = String::new();
    while let Some(event) = stream.next().await {
        if let ChatEvent::TextDelta(piece) = event.expect("no error") {
            text.push_str(&piece);
        }
    }
    assert!(text.contains("你好"), "{text}");
    core.shutdown(Duration::from_secs(5)).await;
    drop(core);

    let restarted = Core::open(options(dir.path(), &sim)).await.expect("core reopens");
    assert_eq!(restarted.signed_in_as().borrow().as_deref(), Some(DEMO_ACCOUNT));
    restarted.catalog().await.expect("stored credentials sign in");
    let stored = std::fs::read_to_string(restarted.settings_store().path()).expect("settings file");
    assert!(
        !stored.contains(DEMO_PASSWORD),
        "the password never reaches the settings file"
    );
    assert!(!stored.contains(sim.base_url()), "overrides are not persisted");

    restarted.logout().await.expect("logout");
    assert!(!restarted.has_credentials());
    restarted.shutdown(Duration::from_secs(5)).await;
    let again = Core::open(options(dir.path(), &sim)).await.expect("core reopens");
    assert!(!again.has_credentials(), "logout wiped the stored credentials");
}

#[tokio::test]
async fn settings_changes_apply_live_and_overrides_win() {
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut opts = options(dir.path(), &sim);
    opts.overrides.api_keys = Some(vec![Secret::new("tj-cli-key-for-this-run-only-123456")]);
    let core = Core::open(opts).await.expect("core opens");
    let mut settings = core.subscribe_settings();

    let stored = core.settings_store().clone();
    tokio::task::spawn_blocking(move || stored.update(|s| s.max_concurrent = 7))
        .await
        .expect("join")
        .expect("update");
    settings
        .wait_for(|s| s.max_concurrent == 7)
        .await
        .expect("published");
    let mut gauges = core.dispatcher().gauges();
    gauges
        .wait_for(|g| g.limit == 7)
        .await
        .expect("the dispatcher's limit follows");

    assert_eq!(
        core.verify_api_key("tj-cli-key-for-this-run-only-123456")
            .as_deref(),
        Some("cli-1")
    );
    let stored_key = core
        .settings_store()
        .get()
        .access
        .api_keys
        .iter()
        .next()
        .cloned()
        .expect("first key");
    assert_eq!(
        core.verify_api_key(stored_key.secret.expose()),
        None,
        "the override replaces stored keys"
    );
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn update_settings_answers_with_the_settings_already_in_effect() {
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");
    let core = Core::open(options(dir.path(), &sim)).await.expect("core opens");

    let applied = core
        .update_settings(|s| {
            s.max_concurrent = 9;
            s.upstream.base_url = "https://ignored.example".to_owned();
        })
        .await
        .expect("updates");
    assert_eq!(applied.max_concurrent, 9);
    assert_eq!(
        applied.upstream.base_url,
        sim.base_url(),
        "the answer carries this run's overrides on top"
    );
    // No waiting: the answer is what every part already runs with.
    assert_eq!(core.settings(), applied);
    assert_eq!(core.dispatcher().gauges().borrow().limit, 9);
    assert_eq!(core.settings_store().get().max_concurrent, 9);

    let refused = core.update_settings(|s| s.max_concurrent = 0).await;
    assert!(
        matches!(refused, Err(CoreError::SettingsStore(_))),
        "an invalid change is refused: {refused:?}"
    );
    assert_eq!(core.settings().max_concurrent, 9, "and nothing changed");
    core.shutdown(Duration::from_secs(5)).await;
}
