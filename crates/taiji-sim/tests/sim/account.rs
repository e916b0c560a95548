//! User info, points plan and the daily check-in.

use serde_json::{Value, json};

use crate::common::{Api, start, v2};

#[tokio::test]
async fn user_info_has_the_user_id() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let info = api.get("/api/user/info").await;
    assert_eq!(info["code"], 0);
    assert_eq!(info["data"]["id"], 10001);
    assert_eq!(info["data"]["hasPassword"], true);
    assert_eq!(info["data"]["oauthList"], json!([]));
}

#[tokio::test]
async fn plan_usable_follows_points_spent() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let plan = api.get("/api/user_plan?page=1").await;
    let data = &plan["data"];
    assert_eq!(data["page"], 1);
    assert_eq!(data["asc"], false);
    assert_eq!(data["search"], Value::Null);
    let record = &data["records"][0];
    for key in ["name", "usable", "total", "use", "expire", "eachDay", "isExpire"] {
        assert!(record.get(key).is_some(), "{key} missing in {record}");
    }
    assert_eq!(record["usable"], 100_000_000);

    let session = api.create_session("gpt-4o").await;
    api.complete(session, "hi", json!([])).await.record();
    let after = api.get("/api/user_plan?page=1").await;
    assert_eq!(after["data"]["records"][0]["usable"], 100_000_000 - 2);
    assert_eq!(after["data"]["records"][0]["use"], 2);
    assert_eq!(sim.control().stats().points_deducted, 2);
}

#[tokio::test]
async fn check_in_works_once_per_day() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let first = api.send(reqwest::Method::POST, "/api/gift_sign", json!({})).await;
    assert_eq!(first, json!({"code": 0, "data": {"integral": 10}, "msg": ""}));
    let second = api.send(reqwest::Method::POST, "/api/gift_sign", json!({})).await;
    assert_eq!(second["code"], 1);
    assert_eq!(second["msg"], "今日已签到");
    let plan = api.get("/api/user_plan?page=1").await;
    assert_eq!(plan["data"]["records"][0]["usable"], 100_000_010);

    let today = api.get("/api/gift_sign").await;
    let records = today["data"]["records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    let ymd = records[0]["ymd"].as_str().unwrap().to_owned();
    assert_eq!(records[0]["integral"], 10);
    let (year, month) = (&ymd[..4], ymd[5..7].trim_start_matches('0'));
    let calendar = api
        .get(&format!("/api/gift_sign?year={year}&month={month}"))
        .await;
    assert_eq!(calendar["data"]["records"].as_array().unwrap().len(), 1);
    let other_year = year.parse::<i32>().unwrap() - 1;
    let empty = api
        .get(&format!("/api/gift_sign?year={other_year}&month={month}"))
        .await;
    assert_eq!(empty["data"]["records"], json!([]));
}
