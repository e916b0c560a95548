//! Sessions: full object, ownership, list order, update, delete, records, and unknown-session errors.

use reqwest::Method;
use serde_json::{Value, json};
use taiji_sim::{COMPLIANCE_PROMPT, SimAccount, SimConfig};

use crate::common::{Api, start, v2};

fn bad_session() -> Value {
    json!({"code": 1, "data": null, "msg": "无效参数的对话请求"})
}

fn two_accounts() -> SimConfig {
    let other = SimAccount {
        account: "other@example.invalid".into(),
        password: "other-pass".into(),
        user_id: 20002,
        points: 1000,
    };
    SimConfig {
        accounts: vec![SimAccount::demo(), other],
        ..v2()
    }
}

#[tokio::test]
async fn create_returns_the_full_session_object() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let reply = api
        .send(
            Method::POST,
            "/api/chat/session",
            json!({"model": "gpt-4.1-mini"}),
        )
        .await;
    assert_eq!(reply["code"], 0);
    let session = &reply["data"];
    for key in [
        "id",
        "created",
        "updated",
        "uid",
        "name",
        "model",
        "maxToken",
        "contextCount",
        "temperature",
        "presencePenalty",
        "frequencyPenalty",
        "prompt",
        "topSort",
        "icon",
        "plugins",
        "mcp",
        "localPlugins",
        "useAppId",
    ] {
        assert!(session.get(key).is_some(), "{key} missing in {session}");
    }
    assert!(session["id"].as_u64().unwrap() > 493_000);
    assert_eq!(session["uid"], 10001);
    assert_eq!(session["name"], "新对话");
    assert_eq!(session["contextCount"], 10);
    assert_eq!(session["temperature"], json!(0));
    assert_eq!(session["prompt"], COMPLIANCE_PROMPT);
    assert!(COMPLIANCE_PROMPT.contains("合规助手"));
    let stats = sim.control().stats();
    assert_eq!((stats.sessions_created, stats.sessions_open), (1, 1));

    let unknown = api
        .send(Method::POST, "/api/chat/session", json!({"model": "gpt-99"}))
        .await;
    assert_eq!(unknown["code"], 1);
    let none = api.send(Method::POST, "/api/chat/session", json!({})).await;
    assert_eq!(none["code"], 1);
}

#[tokio::test]
async fn list_is_newest_first_and_only_the_callers() {
    let sim = start(two_accounts()).await;
    let api = Api::login(&sim).await;
    let other = Api::login_as(&sim, "other@example.invalid", "other-pass").await;
    let first = api.create_session("gpt-4.1-mini").await;
    let foreign = other.create_session("gpt-4.1-mini").await;
    let second = api.create_session("gpt-4o").await;
    let list = api.get("/api/chat/session?page=1").await;
    let data = &list["data"];
    assert_eq!(data["size"], 30);
    assert_eq!(data["total"], 2);
    assert_eq!(data["pages"], 1);
    let ids: Vec<u64> = data["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [second, first]);
    assert!(!ids.contains(&foreign));

    // Someone else's session does not exist for this caller.
    let path = format!("/api/chat/session/{foreign}");
    assert_eq!(api.send(Method::DELETE, &path, json!(null)).await, bad_session());
    let completion = api.complete(foreign, "hi", json!([])).await;
    assert_eq!(completion.envelope(), bad_session());
}

#[tokio::test]
async fn update_changes_model_prompt_and_context_count() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let id = api.create_session("gpt-4.1-mini").await;
    let list = api.get("/api/chat/session?page=1").await;
    let mut object = list["data"]["records"][0].clone();
    object["model"] = json!("gpt-4o");
    object["prompt"] = json!("你是一个测试助手");
    object["contextCount"] = json!(0);
    object["name"] = json!("改名");
    let path = format!("/api/chat/session/{id}");
    let reply = api.send(Method::PUT, &path, object.clone()).await;
    assert_eq!(reply["code"], 0, "{reply}");
    assert_eq!(reply["data"]["model"], "gpt-4o");
    assert_eq!(reply["data"]["contextCount"], 0);
    assert_eq!(reply["data"]["name"], "改名");

    let record = api.complete(id, "hi", json!([])).await.record();
    assert_eq!(
        record["model"], "GT-4o",
        "the reply comes from the new model, labelled"
    );
    assert_eq!(
        record["contextTokens"],
        crate::common::estimate_tokens("你是一个测试助手")
    );

    object["model"] = json!("no-such-model");
    assert_eq!(api.send(Method::PUT, &path, object).await["code"], 1);
}

#[tokio::test]
async fn a_deleted_session_is_unknown_everywhere() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let id = api.create_session("gpt-4.1-mini").await;
    let path = format!("/api/chat/session/{id}");
    let response = api.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"code": 0, "data": null, "msg": ""})
    );
    let stats = sim.control().stats();
    assert_eq!((stats.sessions_deleted, stats.sessions_open), (1, 0));

    assert_eq!(api.send(Method::DELETE, &path, json!(null)).await, bad_session());
    assert_eq!(
        api.send(Method::PUT, &path, json!({"name": "x"})).await,
        bad_session()
    );
    assert_eq!(
        api.get(&format!("/api/chat/record/{id}?page=1")).await,
        bad_session()
    );
    let completion = api.complete(id, "hi", json!([])).await;
    assert!(completion.content_type().starts_with("application/json"));
    assert_eq!(completion.envelope(), bad_session());
    assert_eq!(
        api.get("/api/chat/session?page=1").await["data"]["records"],
        json!([])
    );
    assert_eq!(sim.control().stats().sessions_deleted, 1);
}

#[tokio::test]
async fn records_are_final_records_newest_first_ten_per_page() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let id = api.create_session("gpt-4.1-mini").await;
    let empty = api.get(&format!("/api/chat/record/{id}?page=1")).await;
    assert_eq!(empty["data"]["records"], json!([]));
    assert_eq!(empty["data"]["pages"], 0);
    let mut finals = Vec::new();
    for i in 0..11 {
        finals.push(api.complete(id, &format!("turn {i}"), json!([])).await.record());
    }
    let page1 = api.get(&format!("/api/chat/record/{id}?page=1")).await;
    assert_eq!(page1["data"]["size"], 10);
    assert_eq!(page1["data"]["total"], 11);
    assert_eq!(page1["data"]["pages"], 2);
    assert_eq!(page1["data"]["records"][0], finals[10]);
    let page2 = api.get(&format!("/api/chat/record/{id}?page=2")).await;
    assert_eq!(page2["data"]["records"], json!([finals[0]]));
}
