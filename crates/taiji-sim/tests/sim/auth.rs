//! Login and authentication strictness: raw token only, `x-app-version` required, expiry, expire-all.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig};

use crate::common::{APP_VERSION, Api, start, v2};

#[tokio::test]
async fn login_returns_the_captured_shape_and_a_real_jwt() {
    let sim = start(v2()).await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/user/login", sim.base_url()))
        .json(
            &json!({"account": DEMO_ACCOUNT, "password": DEMO_PASSWORD, "code": "", "captcha": "",
                      "invite": "", "agreement": true, "captchaId": ""}),
        )
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("server_name_session="), "{cookie}");
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply["code"], 0);
    assert_eq!(reply["msg"], "");
    let data = reply["data"].as_object().unwrap();
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["email", "phone", "registerTime", "role", "token"],
        "no user id in login data"
    );
    assert_eq!(data["phone"], DEMO_ACCOUNT);
    let register_time = data["registerTime"].as_str().unwrap();
    assert_eq!(register_time.len(), "2025-10-20 10:40:35".len());

    let token = data["token"].as_str().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["userId"], 10001);
    assert_eq!(claims["role"], "user");
    let sign = claims["sign"].as_str().unwrap();
    assert!(
        sign.len() == 32 && sign.chars().all(|c| c.is_ascii_hexdigit()),
        "{sign}"
    );
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 15 * 24 * 3600);
    assert_eq!(claims["nbf"], claims["iat"]);
    assert_eq!(sim.control().stats().logins_ok, 1);
}

#[tokio::test]
async fn wrong_password_is_an_http_200_error_envelope() {
    let sim = start(v2()).await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/user/login", sim.base_url()))
        .json(&json!({"account": DEMO_ACCOUNT, "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply, json!({"code": 1, "data": null, "msg": "账号或密码错误"}));
    assert_eq!(sim.control().stats().logins_failed, 1);
}

async fn tmpl_code(sim: &taiji_sim::Simulator, authorization: Option<&str>, version: Option<&str>) -> Value {
    let mut request = reqwest::Client::new().get(format!("{}/api/chat/tmpl", sim.base_url()));
    if let Some(a) = authorization {
        request = request.header("authorization", a);
    }
    if let Some(v) = version {
        request = request.header("x-app-version", v);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()
}

fn expired() -> Value {
    json!({"code": 2, "data": null, "msg": "登录已过期"})
}

#[tokio::test]
async fn bearer_prefix_missing_version_and_missing_token_are_refused() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let token = api.token.as_str();
    assert_eq!(tmpl_code(&sim, Some(token), Some(APP_VERSION)).await["code"], 0);
    assert_eq!(
        tmpl_code(&sim, Some(&format!("Bearer {token}")), Some(APP_VERSION)).await,
        expired()
    );
    assert_eq!(tmpl_code(&sim, Some(token), None).await, expired());
    assert_eq!(tmpl_code(&sim, Some(token), Some("")).await, expired());
    assert_eq!(tmpl_code(&sim, None, Some(APP_VERSION)).await, expired());
    let mut forged = token.to_owned();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(tmpl_code(&sim, Some(&forged), Some(APP_VERSION)).await, expired());
}

#[tokio::test]
async fn a_token_past_its_lifetime_is_refused() {
    let sim = start(SimConfig {
        token_lifetime: Duration::ZERO,
        ..v2()
    })
    .await;
    let api = Api::login(&sim).await;
    assert_eq!(api.get("/api/user/info").await, expired());
}

#[tokio::test]
async fn expire_all_refuses_old_tokens_and_a_new_login_works() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    assert_eq!(api.get("/api/user/info").await["code"], 0);
    sim.control().expire_all_tokens();
    assert_eq!(api.get("/api/user/info").await, expired());
    let fresh = Api::login(&sim).await;
    assert_eq!(fresh.get("/api/user/info").await["code"], 0);

    // The HTTP twin does the same.
    let response = reqwest::Client::new()
        .post(format!("{}/__sim/expire-tokens", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(fresh.get("/api/user/info").await, expired());
}

#[tokio::test]
async fn the_stickiness_cookie_is_never_required_and_not_reissued() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let response = api
        .request(reqwest::Method::GET, "/api/user/info")
        .header("cookie", "server_name_session=0123456789abcdef0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("set-cookie").is_none());
    assert_eq!(response.json::<Value>().await.unwrap()["code"], 0);
}
