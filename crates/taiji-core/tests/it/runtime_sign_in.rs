//! The background sign-in against the simulator: retries with backoff while the site is
//! unreachable (on a paused clock, so the backoff's sleeps take no real time), notices when the
//! site goes away after signing in and comes back by itself, stops at a wrong password, and picks
//! up credentials stored later by another process.

use std::time::Duration;

use taiji_core::credentials::{BackendChoice, CredentialStore, Credentials};
use taiji_core::runtime::{BackgroundSignIn, Core, SignInState};
use taiji_core::secret::Secret;
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};
use tokio::sync::watch;

/// Safety net for waits on state changes.
const LIMIT: Duration = Duration::from_secs(60);

use crate::support::open_core;

async fn open(dir: &std::path::Path, site: &str) -> Core {
    open_core(dir, site).await
}

async fn wait(states: &mut watch::Receiver<SignInState>, done: impl Fn(&SignInState) -> bool) -> SignInState {
    tokio::time::timeout(LIMIT, states.wait_for(|s| done(s)))
        .await
        .expect("the state arrives")
        .expect("the core is alive")
        .clone()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[tokio::test(start_paused = true)]
async fn an_unreachable_site_is_retried_with_growing_delays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let core = open(dir.path(), &format!("http://127.0.0.1:{}", free_port())).await;
    core.use_credentials(DEMO_ACCOUNT, DEMO_PASSWORD, false)
        .await
        .expect("credentials");
    let mut states = core.subscribe_sign_in();
    core.start_background_sign_in(BackgroundSignIn::default());

    let mut delays = Vec::new();
    for expected in 1..=6u32 {
        let state = wait(
            &mut states,
            |s| matches!(s, SignInState::Unreachable { failures, .. } if *failures == expected),
        )
        .await;
        let SignInState::Unreachable {
            since,
            next_attempt_at,
            reason,
            ..
        } = state
        else {
            unreachable!()
        };
        assert!(!reason.is_empty());
        delays.push((next_attempt_at - since).as_seconds_f64());
    }
    // Each wait is longer than the last: they double, and the ±20 % jitter never makes them overlap.
    assert!(delays.windows(2).all(|w| w[1] > w[0]), "{delays:?}");
    assert!(!core.sign_in_state().is_ready());
    core.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test]
async fn losing_the_site_after_signing_in_is_noticed_and_recovered() {
    let port = free_port();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    let sim = Simulator::start_on(listener, SimConfig::default())
        .await
        .expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");
    let core = open(dir.path(), sim.base_url()).await;
    core.use_credentials(DEMO_ACCOUNT, DEMO_PASSWORD, false)
        .await
        .expect("credentials");
    let mut states = core.subscribe_sign_in();
    core.start_background_sign_in(BackgroundSignIn::default());
    wait(&mut states, |s| matches!(s, SignInState::SignedIn { .. })).await;

    sim.shutdown().await;
    assert!(core.refresh_catalog().await.is_err(), "the site is gone");
    let state = wait(&mut states, |s| matches!(s, SignInState::Unreachable { .. })).await;
    assert!(state.retry_after(time::OffsetDateTime::now_utc()).is_some());

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("rebind");
    let sim = Simulator::start_on(listener, SimConfig::default())
        .await
        .expect("sim again");
    wait(&mut states, |s| matches!(s, SignInState::SignedIn { .. })).await;
    core.refresh_catalog().await.expect("the catalog again");
    core.shutdown(Duration::from_secs(1)).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_is_tried_once_and_stored_credentials_are_picked_up() {
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");
    let core = open(dir.path(), sim.base_url()).await;
    let mut states = core.subscribe_sign_in();
    core.start_background_sign_in(BackgroundSignIn::default());
    wait(&mut states, |s| matches!(s, SignInState::NoAccount)).await;

    // Wrong credentials stored by "another process": picked up, tried once, then left alone.
    let store = CredentialStore::open(dir.path(), BackendChoice::File).expect("store");
    store
        .save(&Credentials {
            account: DEMO_ACCOUNT.to_owned(),
            password: Secret::new("not-the-password"),
            token: None,
        })
        .expect("saved");
    wait(&mut states, |s| matches!(s, SignInState::WrongPassword { .. })).await;
    assert_eq!(sim.control().stats().logins_failed, 1);

    // The right ones replace them, again without a restart.
    store
        .save(&Credentials {
            account: DEMO_ACCOUNT.to_owned(),
            password: Secret::new(DEMO_PASSWORD),
            token: None,
        })
        .expect("saved");
    wait(&mut states, |s| matches!(s, SignInState::SignedIn { .. })).await;
    assert_eq!(sim.control().stats().logins_failed, 1);
    assert_eq!(sim.control().stats().logins_ok, 1);
    core.shutdown(Duration::from_secs(1)).await;
}
