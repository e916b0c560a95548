//! The upstream client against the simulator on loopback: the happy path through every call, each
//! error class, cancellation by drop, and the header rules of taiji-protocol.md §2.2.

use std::time::Duration;

use futures::StreamExt;
use taiji_core::upstream::{
    CompletionRequest, CompletionStream, ErrorClass, FinalRecord, Frame, LoginToken, Secret, UpstreamClient,
    UpstreamConfig, UpstreamError,
};
use taiji_sim::{
    CatalogVersion, DEMO_ACCOUNT, DEMO_PASSWORD, Fault, FaultKind, FaultTarget, SimAccount, SimConfig,
    Simulator,
};

/// The 2.x dialect: most tests here check the client against the 2.x capture's shapes (bare model values,
/// `x-app-version` 2.16.0); the 3.4.0 default has its own tests here and in `dialects.rs`.
fn v2() -> SimConfig {
    SimConfig {
        catalog: CatalogVersion::V2,
        ..SimConfig::default()
    }
}

async fn start(config: SimConfig) -> Simulator {
    Simulator::start(config).await.expect("simulator starts")
}

fn config_for(sim: &Simulator) -> UpstreamConfig {
    UpstreamConfig {
        base_url: sim.base_url().to_owned(),
        app_version: CatalogVersion::V2.app_version().to_owned(),
        ..UpstreamConfig::default()
    }
}

fn client_for(sim: &Simulator) -> UpstreamClient {
    UpstreamClient::new(config_for(sim)).expect("valid config")
}

async fn login(client: &UpstreamClient) -> LoginToken {
    client
        .login(DEMO_ACCOUNT, &Secret::new(DEMO_PASSWORD))
        .await
        .expect("demo login works")
}

fn message(session_id: u64, text: &str) -> CompletionRequest {
    CompletionRequest {
        session_id,
        model: None,
        text: text.to_owned(),
        files: Vec::new(),
        reasoning_effort: None,
    }
}

/// What a whole stream delivered.
struct Collected {
    text: String,
    record: Option<FinalRecord>,
    error: Option<UpstreamError>,
}

async fn collect(mut stream: CompletionStream) -> Collected {
    let mut collected = Collected {
        text: String::new(),
        record: None,
        error: None,
    };
    while let Some(item) = stream.next().await {
        match item {
            Ok(Frame::Text(text)) => collected.text.push_str(&text),
            Ok(Frame::Final(record)) => collected.record = Some(record),
            Err(error) => collected.error = Some(error),
        }
    }
    collected
}

/// Logs in and opens a session on the default model.
/// Sends `text` in `session_id` and collects the whole stream (which must start).
async fn complete(client: &UpstreamClient, token: &Secret, session_id: u64, text: &str) -> Collected {
    collect(
        client
            .completions(token, &message(session_id, text))
            .await
            .expect("stream starts"),
    )
    .await
}

async fn session(client: &UpstreamClient) -> (Secret, u64) {
    let token = login(client).await.token;
    let session = client
        .create_session(&token, "gpt-4.1-mini")
        .await
        .expect("session created");
    (token, session.id)
}

#[tokio::test]
async fn happy_path_through_every_call() {
    let sim = start(v2()).await;
    let client = client_for(&sim);

    let login = login(&client).await;
    assert_eq!(login.user_id, Some(10001));
    assert!(login.expires_at.is_some());
    let token = login.token;

    assert_eq!(client.user_info(&token).await.expect("user info").id, 10001);
    let catalog = client.catalog(&token).await.expect("catalog");
    assert_eq!(catalog.default_model.as_deref(), Some("gpt-4.1-mini"));
    let ids: Vec<_> = catalog.models.iter().map(|m| m.id.as_str()).collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "catalog is deduplicated: {ids:?}");
    let by_id = |id: &str| {
        catalog
            .models
            .iter()
            .find(|m| m.id == id)
            .unwrap_or_else(|| panic!("{id} listed"))
    };
    assert!(by_id("gpt-4o").multimodal);
    assert!(by_id("deepseek-reasoner").thinking);
    assert!(by_id("gpt-4o-image-vip").image_generation);
    assert_eq!(by_id("claude-opus-4-6").price_points, Some(1_000_000));

    let session = client
        .create_session(&token, "gpt-4.1-mini")
        .await
        .expect("session");
    assert_eq!(session.model, "gpt-4.1-mini");
    let listed = client.list_sessions(&token, 1).await.expect("session list");
    assert!(listed.records.iter().any(|s| s.id == session.id));

    let reply = collect(
        client
            .completions(&token, &message(session.id, "你好 taiji, echo me 👋"))
            .await
            .expect("stream starts"),
    )
    .await;
    assert!(reply.error.is_none(), "{:?}", reply.error);
    assert!(
        reply.text.contains("你好 taiji, echo me 👋"),
        "reply echoes the text: {}",
        reply.text
    );
    let record = reply.record.expect("final record");
    assert_eq!(record.task_id.len(), 19, "{}", record.task_id);
    assert_eq!(record.session_id, Some(session.id));
    assert!(record.model_label.as_deref().is_some_and(|l| !l.is_empty()));
    let usage = record.usage();
    assert!(usage.prompt_tokens > 0 && usage.completion_tokens > 0);
    assert_eq!(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
    assert!(usage.points > 0);

    let balance = client.user_plan(&token).await.expect("points");
    assert_eq!(balance.points, 100_000_000 - usage.points);

    client.delete_session(&token, session.id).await.expect("delete");
    let stats = sim.control().stats();
    assert_eq!((stats.completions_finished, stats.sessions_open), (1, 0));
    sim.shutdown().await;
}

#[tokio::test]
async fn headers_follow_the_browser_and_never_use_bearer() {
    let sim = start(v2()).await;
    let client = client_for(&sim);
    let (token, session_id) = session(&client).await;
    complete(&client, &token, session_id, "hi").await;

    let records = sim.control().recent_completions();
    let headers = &records.last().expect("one completion recorded").headers;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    assert_eq!(header("authorization"), token.expose());
    assert!(
        headers
            .iter()
            .all(|(_, v)| !v.to_ascii_lowercase().starts_with("bearer")),
        "{headers:?}"
    );
    assert_eq!(header("x-app-version"), "2.16.0");
    assert_eq!(header("accept"), "text/event-stream");
    assert_eq!(header("accept-encoding"), "identity");
    assert_eq!(header("content-type"), "application/json");
    assert_eq!(header("origin"), sim.base_url());
    assert_eq!(
        header("referer"),
        format!("{}/chat?_userMenuKey=chat", sim.base_url())
    );
    assert_eq!(header("x-locale"), "zh-CN");
    assert!(header("user-agent").starts_with("Mozilla/5.0"));
    assert!(
        header("cookie").contains("server_name_session="),
        "the cookie jar replays the site cookie"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn catalog_in_the_3x_shape() {
    let sim = start(SimConfig {
        catalog: CatalogVersion::V3,
        ..SimConfig::default()
    })
    .await;
    let client = client_for(&sim);
    let token = login(&client).await.token;
    let catalog = client.catalog(&token).await.expect("catalog");
    assert!(!catalog.models.is_empty());
    assert!(
        catalog.models.iter().all(|m| m.id.contains("::")),
        "provider::model ids"
    );
    assert!(
        catalog.models.iter().all(|m| !m.group.is_empty()),
        "groups from providers"
    );
    assert!(catalog.models.iter().any(|m| m.multimodal));
    assert!(catalog.models.iter().any(|m| m.thinking));
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_password_is_invalid_credentials_without_the_password_in_the_message() {
    let sim = start(v2()).await;
    let client = client_for(&sim);
    let error = client
        .login(DEMO_ACCOUNT, &Secret::new("not-the-password-42"))
        .await
        .expect_err("rejected");
    assert_eq!(error.class(), ErrorClass::InvalidCredentials);
    assert!(!format!("{error} {error:?}").contains("not-the-password-42"));
    sim.shutdown().await;
}

#[tokio::test]
async fn expired_token_is_login_expired() {
    let sim = start(v2()).await;
    let client = client_for(&sim);
    let token = login(&client).await.token;
    sim.control().expire_all_tokens();
    let error = client.user_info(&token).await.expect_err("expired");
    assert_eq!(error.class(), ErrorClass::LoginExpired);
    let error = client
        .create_session(&token, "gpt-4.1-mini")
        .await
        .expect_err("expired");
    assert_eq!(error.class(), ErrorClass::LoginExpired);
    sim.shutdown().await;
}

#[tokio::test]
async fn completions_rejected_before_generation() {
    let sim = start(SimConfig {
        max_text_chars: 100,
        ..v2()
    })
    .await;
    let client = client_for(&sim);
    let (token, session_id) = session(&client).await;
    let control = sim.control();

    let cases = [
        (
            FaultKind::JsonError {
                code: 2,
                msg: "登录已过期".into(),
            },
            ErrorClass::LoginExpired,
        ),
        (
            FaultKind::JsonError {
                code: 1,
                msg: "套餐余量不足".into(),
            },
            ErrorClass::QuotaExhausted,
        ),
        (
            FaultKind::JsonError {
                code: 7,
                msg: "无可用渠道".into(),
            },
            ErrorClass::Upstream,
        ),
        (FaultKind::Waf403, ErrorClass::RateLimited),
        (FaultKind::RateLimited429, ErrorClass::RateLimited),
    ];
    for (kind, class) in cases {
        control.inject_fault(Fault::new(FaultTarget::Completions, kind.clone(), 1));
        let error = client
            .completions(&token, &message(session_id, "hi"))
            .await
            .expect_err("rejected");
        assert_eq!(error.class(), class, "{kind:?}: {error}");
        assert!(
            !error.may_have_reached_model(),
            "{kind:?} is rejected before generation"
        );
        if kind == FaultKind::RateLimited429 {
            assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
        }
    }
    let error = client
        .completions(&token, &message(session_id, &"长".repeat(101)))
        .await
        .expect_err("too long");
    assert_eq!(error.class(), ErrorClass::InputTooLong);
    assert!(!error.may_have_reached_model());

    control.inject_fault(Fault::new(FaultTarget::Completions, FaultKind::Http500, 1));
    let error = client
        .completions(&token, &message(session_id, "hi"))
        .await
        .expect_err("500");
    assert_eq!(
        (error.class(), error.http_status()),
        (ErrorClass::Upstream, Some(500))
    );
    assert!(
        error.may_have_reached_model(),
        "a server error is not known to be pre-generation"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn quota_exhausted_when_points_run_out() {
    let poor = SimAccount {
        points: 0,
        ..SimAccount::demo()
    };
    let sim = start(SimConfig {
        accounts: vec![poor],
        ..v2()
    })
    .await;
    let client = client_for(&sim);
    let (token, session_id) = session(&client).await;
    let error = client
        .completions(&token, &message(session_id, "hi"))
        .await
        .expect_err("no points");
    assert_eq!(error.class(), ErrorClass::QuotaExhausted);
    assert_eq!(client.user_plan(&token).await.expect("plan").points, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_session_after_delete() {
    let sim = start(v2()).await;
    let client = client_for(&sim);
    let (token, session_id) = session(&client).await;
    client.delete_session(&token, session_id).await.expect("deleted");
    let error = client
        .completions(&token, &message(session_id, "hi"))
        .await
        .expect_err("unknown");
    assert_eq!(error.class(), ErrorClass::UnknownSession);
    assert!(!error.may_have_reached_model());
    sim.shutdown().await;
}

#[tokio::test]
async fn errors_inside_the_stream() {
    let sim = start(v2()).await;
    let client = client_for(&sim);
    let (token, session_id) = session(&client).await;
    let control = sim.control();

    control.inject_fault(Fault::new(
        FaultTarget::Completions,
        FaultKind::StreamErrorFrame,
        1,
    ));
    let reply = complete(&client, &token, session_id, "hi").await;
    let error = reply.error.expect("error frame");
    assert!(error.code().is_some_and(|c| c != 0), "{error}");
    assert!(error.may_have_reached_model());
    assert!(reply.record.is_none());

    control.inject_fault(Fault::new(FaultTarget::Completions, FaultKind::EofWithoutDone, 1));
    let reply = complete(&client, &token, session_id, "hi").await;
    let error = reply.error.expect("truncated");
    assert_eq!(error.class(), ErrorClass::Malformed);
    assert!(error.to_string().contains("without [DONE]"), "{error}");
    assert!(error.may_have_reached_model());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_silent_stream_fails_after_the_idle_timeout() {
    let sim = start(v2()).await;
    let config = UpstreamConfig {
        stream_idle_timeout: Duration::from_millis(300),
        ..config_for(&sim)
    };
    let client = UpstreamClient::new(config).expect("valid config");
    let (token, session_id) = session(&client).await;
    sim.control().inject_fault(Fault::new(
        FaultTarget::Completions,
        FaultKind::SlowFrames(Duration::from_secs(30)),
        1,
    ));
    let reply = match client.completions(&token, &message(session_id, "hi")).await {
        Ok(stream) => collect(stream).await.error.expect("idle error"),
        Err(error) => error,
    };
    assert_eq!(reply.class(), ErrorClass::Transport);
    assert!(reply.may_have_reached_model());
    sim.shutdown().await;
}

#[tokio::test]
async fn dropping_the_stream_aborts_the_upstream_generation() {
    let sim = start(SimConfig {
        frame_delay: Duration::from_millis(5),
        ..v2()
    })
    .await;
    let client = client_for(&sim);
    let (token, session_id) = session(&client).await;
    let mut stream = client
        .completions(&token, &message(session_id, "[[sim:long=20000]]"))
        .await
        .expect("stream starts");
    let first = stream.next().await.expect("a frame").expect("no error");
    assert!(matches!(first, Frame::Text(_)));
    drop(stream);
    let aborted = sim
        .control()
        .wait_for(|s| s.completions_aborted == 1, Duration::from_secs(1))
        .await;
    assert!(
        aborted,
        "the simulator saw the abort: {:?}",
        sim.control().stats()
    );
    assert_eq!(sim.control().stats().completions_finished, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn faults_on_json_calls_are_classified() {
    let sim = start(v2()).await;
    let client = client_for(&sim);
    let token = login(&client).await.token;
    let control = sim.control();

    control.inject_fault(Fault::new(FaultTarget::Tmpl, FaultKind::Waf403, 1));
    let error = client.catalog(&token).await.expect_err("waf");
    assert_eq!(error.class(), ErrorClass::RateLimited);
    assert!(error.to_string().contains("403"), "{error}");

    control.inject_fault(Fault::new(
        FaultTarget::SessionCreate,
        FaultKind::RateLimited429,
        1,
    ));
    let error = client
        .create_session(&token, "gpt-4.1-mini")
        .await
        .expect_err("429");
    assert_eq!(
        (error.class(), error.retry_after()),
        (ErrorClass::RateLimited, Some(Duration::from_secs(1)))
    );

    control.inject_fault(Fault::new(FaultTarget::SessionDelete, FaultKind::Http500, 1));
    let session = client
        .create_session(&token, "gpt-4.1-mini")
        .await
        .expect("session");
    let error = client.delete_session(&token, session.id).await.expect_err("500");
    assert_eq!(error.class(), ErrorClass::Upstream);
    client
        .delete_session(&token, session.id)
        .await
        .expect("second delete works");

    control.inject_fault(Fault::new(
        FaultTarget::Login,
        FaultKind::JsonError {
            code: 500,
            msg: "系统繁忙".into(),
        },
        1,
    ));
    let error = client
        .login(DEMO_ACCOUNT, &Secret::new(DEMO_PASSWORD))
        .await
        .expect_err("busy");
    assert_eq!(
        error.class(),
        ErrorClass::Upstream,
        "a busy site is not a wrong password"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn configuration_changes_at_runtime() {
    let sim = start(v2()).await;
    // Port 1 on loopback refuses connections: nothing is sent anywhere.
    let unreachable = UpstreamConfig {
        base_url: "http://127.0.0.1:1".into(),
        ..UpstreamConfig::default()
    };
    let client = UpstreamClient::new(unreachable).expect("valid config");
    let error = client
        .login(DEMO_ACCOUNT, &Secret::new(DEMO_PASSWORD))
        .await
        .expect_err("unreachable");
    assert_eq!(error.class(), ErrorClass::Transport);

    client
        .set_config(UpstreamConfig {
            app_version: "3.4.0".into(),
            ..config_for(&sim)
        })
        .expect("valid");
    let (token, session_id) = session(&client).await;
    complete(&client, &token, session_id, "hi").await;
    let records = sim.control().recent_completions();
    let version = records[0]
        .headers
        .iter()
        .find(|(n, _)| n == "x-app-version")
        .map(|(_, v)| v.clone());
    assert_eq!(version.as_deref(), Some("3.4.0"));
    assert!(
        client
            .set_config(UpstreamConfig {
                base_url: "nonsense".into(),
                ..config_for(&sim)
            })
            .is_err()
    );
    assert_eq!(
        client.config().base_url,
        sim.base_url(),
        "a rejected config changes nothing"
    );
    sim.shutdown().await;
}
