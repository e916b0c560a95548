//! The account's login lifecycle against the simulator: single-flight re-login on expiry,
//! proactive refresh, remembered credential rejection, the state channel, and the rule that a
//! completions request that may have reached the model is never resent.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures::StreamExt;
use futures::future::join_all;
use taiji_core::account::{Account, Credentials, RefreshPolicy, TokenState};
use taiji_core::upstream::{
    CompletionRequest, ErrorClass, Frame, UpstreamClient, UpstreamConfig, UpstreamError,
};
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};

async fn start() -> Simulator {
    // The 2.x dialect: these tests create sessions with the bare 2.x model values.
    Simulator::start(SimConfig {
        catalog: taiji_sim::CatalogVersion::V2,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts")
}

fn config_for(sim: &Simulator) -> UpstreamConfig {
    UpstreamConfig {
        base_url: sim.base_url().to_owned(),
        ..UpstreamConfig::default()
    }
}

fn account_with(sim: &Simulator, password: &str, policy: RefreshPolicy) -> Account {
    let client = UpstreamClient::new(config_for(sim)).expect("valid config");
    Account::with_policy(client, Credentials::new(DEMO_ACCOUNT, password), policy)
}

fn account(sim: &Simulator) -> Account {
    account_with(sim, DEMO_PASSWORD, RefreshPolicy::default())
}

#[tokio::test]
async fn concurrent_first_calls_log_in_once() {
    let sim = start().await;
    let account = account(&sim);
    let results = join_all((0..5).map(|_| account.user_info())).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sim.control().stats().logins_ok, 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn token_expiry_with_five_concurrent_calls_logs_in_exactly_once_more() {
    let sim = start().await;
    let account = account(&sim);
    account.ensure_logged_in().await.expect("login");
    assert_eq!(sim.control().stats().logins_ok, 1);

    sim.control().expire_all_tokens();
    let calls = (0..5).map(|i| {
        let account = account.clone();
        tokio::spawn(async move {
            if i % 2 == 0 {
                account.create_session("gpt-4.1-mini").await.map(|s| s.id)
            } else {
                account.user_info().await.map(|u| u.id)
            }
        })
    });
    let results = join_all(calls).await;
    for result in results {
        result
            .expect("task ran")
            .expect("call succeeded after the re-login");
    }
    assert_eq!(sim.control().stats().logins_ok, 2, "exactly one extra login");
    assert!(matches!(
        account.token_state(),
        TokenState::LoggedIn {
            user_id: Some(10001),
            ..
        }
    ));
    sim.shutdown().await;
}

#[tokio::test]
async fn completions_rejected_as_expired_before_generation_are_resent_once() {
    let sim = start().await;
    let account = account(&sim);
    let session = account.create_session("gpt-4.1-mini").await.expect("session");
    sim.control().expire_all_tokens();

    let message = CompletionRequest {
        session_id: session.id,
        model: Some(session.model.clone()),
        text: "after expiry".into(),
        files: Vec::new(),
        reasoning_effort: None,
    };
    let mut stream = account
        .completions(&message)
        .await
        .expect("resent after re-login");
    let mut text = String::new();
    while let Some(frame) = stream.next().await {
        if let Frame::Text(piece) = frame.expect("no stream error") {
            text.push_str(&piece);
        }
    }
    assert!(text.contains("after expiry"));
    let stats = sim.control().stats();
    assert_eq!(
        (
            stats.logins_ok,
            stats.completions_started,
            stats.completions_finished
        ),
        (2, 1, 1)
    );
    let sent = sim.control().recent_completions();
    assert_eq!(
        sent.last().map(|r| r.body["model"].clone()),
        Some(serde_json::json!("gpt-4.1-mini"))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_error_that_may_have_reached_the_model_is_never_retried() {
    let sim = start().await;
    let account = account(&sim);
    let attempts = Arc::new(AtomicU32::new(0));
    let result: Result<(), _> = account
        .call(|_, _| {
            let attempts = Arc::clone(&attempts);
            async move {
                attempts.fetch_add(1, Ordering::SeqCst);
                // An expiry reported inside a stream: the message was already accepted.
                Err(UpstreamError::Api {
                    code: 2,
                    msg: "登录已过期".into(),
                    http_status: 200,
                    reached_model: true,
                })
            }
        })
        .await;
    assert_eq!(
        result.expect_err("returned as is").class(),
        ErrorClass::LoginExpired
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    assert_eq!(sim.control().stats().logins_ok, 1, "no re-login either");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_is_remembered_until_the_credentials_change() {
    let sim = start().await;
    let account = account_with(&sim, "wrong-password-123", RefreshPolicy::default());
    for _ in 0..3 {
        let error = account.catalog().await.expect_err("rejected");
        assert_eq!(error.class(), ErrorClass::InvalidCredentials);
        assert!(!format!("{error} {error:?} {account:?}").contains("wrong-password-123"));
    }
    assert_eq!(
        sim.control().stats().logins_failed,
        1,
        "the site is asked only once"
    );
    assert!(matches!(
        account.token_state(),
        TokenState::InvalidCredentials { .. }
    ));

    account
        .set_credentials(Credentials::new(DEMO_ACCOUNT, DEMO_PASSWORD))
        .await;
    assert_eq!(account.token_state(), TokenState::NeedsLogin);
    account.catalog().await.expect("works with the right password");
    assert_eq!(sim.control().stats().logins_ok, 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn state_changes_are_broadcast() {
    let sim = start().await;
    let account = account(&sim);
    let mut states = account.subscribe();
    assert_eq!(*states.borrow_and_update(), TokenState::NeedsLogin);
    account.ensure_logged_in().await.expect("login");
    assert!(states.has_changed().expect("sender alive"));
    let TokenState::LoggedIn { user_id, expires_at } = states.borrow_and_update().clone() else {
        panic!("not logged in: {:?}", account.token_state())
    };
    assert_eq!(user_id, Some(10001));
    let left = expires_at.expect("exp decoded") - time::OffsetDateTime::now_utc();
    assert!(left > time::Duration::days(14), "15-day token, {left} left");

    account.logout().await;
    assert_eq!(*states.borrow_and_update(), TokenState::NeedsLogin);
    sim.shutdown().await;
}

#[tokio::test]
async fn tokens_near_expiry_are_replaced_before_use() {
    let sim = start().await;
    // A margin as long as the whole lifetime: every token is due for replacement at once.
    let eager = RefreshPolicy {
        max_margin: Duration::from_secs(30 * 24 * 3600),
        lifetime_fraction: 1.0,
    };
    let account = account_with(&sim, DEMO_PASSWORD, eager);
    account.user_info().await.expect("first call");
    account.user_info().await.expect("second call");
    assert_eq!(sim.control().stats().logins_ok, 2);

    let relaxed = account_with(&sim, DEMO_PASSWORD, RefreshPolicy::default());
    relaxed.user_info().await.expect("first call");
    relaxed.user_info().await.expect("second call");
    assert_eq!(
        sim.control().stats().logins_ok,
        3,
        "a fresh 15-day token is reused"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_new_base_url_drops_the_token() {
    let first = start().await;
    let second = start().await;
    let account = account(&first);
    account.ensure_logged_in().await.expect("login on the first site");
    account
        .set_upstream_config(config_for(&second))
        .await
        .expect("valid config");
    assert_eq!(account.token_state(), TokenState::NeedsLogin);
    account.user_info().await.expect("works on the second site");
    assert_eq!(second.control().stats().logins_ok, 1);

    let version_only = UpstreamConfig {
        app_version: "2.17.0".into(),
        ..config_for(&second)
    };
    account
        .set_upstream_config(version_only)
        .await
        .expect("valid config");
    assert!(
        matches!(account.token_state(), TokenState::LoggedIn { .. }),
        "same site keeps the token"
    );
    first.shutdown().await;
    second.shutdown().await;
}

#[tokio::test]
async fn an_account_without_credentials_fails_without_asking_the_site() {
    let sim = start().await;
    let client = UpstreamClient::new(config_for(&sim)).expect("valid config");
    let account = Account::without_credentials(client);
    assert_eq!(account.account_name(), None);
    let error = account.user_info().await.expect_err("no account, no login");
    assert_eq!(error.class(), ErrorClass::InvalidCredentials);
    let stats = sim.control().stats();
    assert_eq!(
        (stats.logins_ok, stats.logins_failed),
        (0, 0),
        "the site was never asked"
    );

    account
        .set_credentials(Credentials::new(DEMO_ACCOUNT, DEMO_PASSWORD))
        .await;
    assert_eq!(account.account_name().as_deref(), Some(DEMO_ACCOUNT));
    account
        .user_info()
        .await
        .expect("signs in once it has credentials");
    sim.shutdown().await;
}
