//! What the 3.4.0 dialect (the default) adds over 2.x: the login body, `reasoningEffort` checks, the front
//! end's version, the old-version refusal mode, and the entry portal with its `dd` pointer.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use taiji_sim::{
    BUNDLE_PATH, CatalogVersion, DEMO_ACCOUNT, DEMO_PASSWORD, MSG_NO_REASONING_EFFORT, MSG_OLD_VERSION,
    Portal, SimConfig,
};

use crate::common::{Api, JsonReply, start, v2};

#[tokio::test]
async fn the_34_login_body_is_accepted_and_recorded_without_the_password() {
    let sim = start(SimConfig::default()).await;
    let reply: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/user/login", sim.base_url()))
        .header("x-app-version", "3.4.0")
        .header("x-locale", "zh-CN")
        .json(
            &json!({"account": DEMO_ACCOUNT, "password": DEMO_PASSWORD, "code": "", "captcha": "",
                      "invite": "", "agreement": false, "captchaId": "", "registrationCode": ""}),
        )
        .json_reply()
        .await;
    assert_eq!(reply["code"], 0, "{reply}");
    let logins = sim.control().recent_logins();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].body["registrationCode"], "");
    assert_eq!(logins[0].body["password"], "<redacted>");
    assert!(
        logins[0]
            .headers
            .contains(&("x-locale".to_owned(), "zh-CN".to_owned()))
    );
}

#[tokio::test]
async fn reasoning_effort_is_checked_against_the_declared_levels() {
    let sim = start(SimConfig::default()).await;
    let api = Api::login(&sim).await;
    let send = |session: u64, effort: serde_json::Value| {
        api.completion_request(session, "hi", json!([]))
            .json(
                &json!({"text": "hi", "sessionId": session, "files": [], "thinking": false,
                          "reasoningEffort": effort}),
            )
            .send()
    };
    let plain = api.create_session("openai::gpt-4.1-mini").await;
    let refused: serde_json::Value = send(plain, json!("high")).await.unwrap().json().await.unwrap();
    assert_eq!(refused["msg"], MSG_NO_REASONING_EFFORT);
    let empty = send(plain, json!("")).await.unwrap();
    assert!(
        empty.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    drop(empty);

    let mini = api.create_session("openai::gpt-5-mini").await;
    let ok = send(mini, json!("low")).await.unwrap();
    assert!(
        ok.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    drop(ok);
    let unknown: serde_json::Value = send(mini, json!("extreme")).await.unwrap().json().await.unwrap();
    assert_eq!(unknown["msg"], MSG_NO_REASONING_EFFORT);

    // 2.x ignores the field, as it ignores every field it does not know.
    let old = start(v2()).await;
    let api = Api::login(&old).await;
    let session = api.create_session("gpt-4.1-mini").await;
    let reply = api
        .completion_request(session, "hi", json!([]))
        .json(&json!({"text": "hi", "sessionId": session, "files": [], "reasoningEffort": "high"}))
        .send()
        .await
        .unwrap();
    assert!(
        reply.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
}

#[tokio::test]
async fn the_front_end_exposes_its_version_in_its_bundle() {
    for (dialect, version) in [(CatalogVersion::V3, "3.4.0"), (CatalogVersion::V2, "2.16.0")] {
        let sim = start(SimConfig {
            catalog: dialect,
            ..SimConfig::default()
        })
        .await;
        let html = reqwest::get(format!("{}/", sim.base_url()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(BUNDLE_PATH), "{html}");
        let js = reqwest::get(format!("{}{BUNDLE_PATH}", sim.base_url()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(js.contains(&format!("\"{version}\"")), "{js}");
        assert!(js.contains("\"X-App-Version\""), "{js}");
    }
}

#[tokio::test]
async fn old_versions_are_refused_only_in_refusal_mode() {
    let strict = start(SimConfig {
        refuse_old_app_version: true,
        ..SimConfig::default()
    })
    .await;
    let login = |base: String, version: &'static str| async move {
        reqwest::Client::new()
            .post(format!("{base}/api/user/login"))
            .header("x-app-version", version)
            .json(&json!({"account": DEMO_ACCOUNT, "password": DEMO_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    let refused = login(strict.base_url().to_owned(), "2.16.0").await;
    assert_eq!(refused["code"], 1);
    assert_eq!(refused["msg"], MSG_OLD_VERSION);
    assert_eq!(strict.control().stats().old_version_refusals, 1);
    assert_eq!(login(strict.base_url().to_owned(), "3.4.0").await["code"], 0);
    assert_eq!(login(strict.base_url().to_owned(), "3.10.1").await["code"], 0);
    // The front end itself is never refused: it is where a client learns the new version.
    let page = reqwest::get(format!("{}/", strict.base_url())).await.unwrap();
    assert_eq!(page.status(), 200);

    let lenient = start(SimConfig::default()).await;
    assert_eq!(login(lenient.base_url().to_owned(), "2.16.0").await["code"], 0);
}

#[tokio::test]
async fn the_portal_points_at_the_site_through_redirects() {
    let sim = start(SimConfig::default()).await;
    let host = sim.base_url().trim_start_matches("http://").to_owned();
    let portal = Portal::start(&host, 2).await.unwrap();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let first = no_redirects
        .get(format!("{}/", portal.base_url()))
        .send()
        .await
        .unwrap();
    assert!(first.status().is_redirection());
    let page = reqwest::get(format!("{}/", portal.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let dd = page
        .split("window.aiSiteInfo={\"dd\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("dd in the page");
    let decoded = STANDARD.decode(&dd[5..dd.len() - 5]).unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), host);

    portal.set_target("127.0.0.1:1");
    let moved = reqwest::get(format!("{}/", portal.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(moved.contains(&taiji_sim::encode_dd("127.0.0.1:1")));
}
