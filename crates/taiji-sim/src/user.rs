//! User endpoints: login (§3.1), user info (§3.2), points plan and daily check-in (§3.10).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::auth::{authenticate, issue_token};
use crate::clock;
use crate::control::{LoginRecord, recorded_headers};
use crate::envelope::{self, CODE_ERROR, Reply};
use crate::faults::FaultTarget;
use crate::state::SimState;

/// Points granted by one daily check-in (observed: 10).
const CHECK_IN_POINTS: i64 = 10;

/// `POST /api/user/login`: accepts the browser body of either dialect (3.4.0 adds `registrationCode` and
/// sends `agreement: false`) or just `{account,password}`, as minimal clients report working (§3.1).
pub async fn login(State(state): State<Arc<SimState>>, headers: HeaderMap, body: Bytes) -> Reply {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut recorded = body.clone();
    if let Some(password) = recorded.get_mut("password") {
        *password = Value::String("<redacted>".to_owned());
    }
    state.control.record_login(LoginRecord {
        headers: recorded_headers(&headers),
        body: recorded,
    });
    if let Some(fault) = state.control.take_fault(FaultTarget::Login)
        && let Some(response) = fault.replacement_response()
    {
        return Err(response);
    }
    let account = body["account"].as_str().unwrap_or_default();
    let password = body["password"].as_str().unwrap_or_default();
    let data = state.data();
    let Some(user) = data
        .users
        .values()
        .find(|u| u.account == account && u.password == password)
    else {
        drop(data);
        state.control.update(|s| s.logins_failed += 1);
        return Err(envelope::error(CODE_ERROR, "账号或密码错误"));
    };
    let token = issue_token(&state, user);
    let reply = json!({
        "token": token, "email": user.email(), "phone": user.phone(),
        "role": "user", "registerTime": user.register_time,
    });
    drop(data);
    state.control.update(|s| s.logins_ok += 1);
    Ok(envelope::ok(reply))
}

/// `GET /api/user/info`.
pub async fn info(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Reply {
    let uid = authenticate(&state, &headers)?;
    let data = state.data();
    let user = data.users.get(&uid).ok_or_else(envelope::login_expired)?;
    Ok(envelope::ok(json!({
        "id": user.id,
        "nickname": format!("用户{}", user.id),
        "email": user.email(),
        "phone": user.phone(),
        "avatar": format!("https://cdn.sim.invalid/file/upload/avatar/{}.jpg", user.id),
        "hasPassword": true,
        "customAvatar": false,
        "oauthList": [],
    })))
}

/// `GET /api/user_plan?page=1`: one plan whose `usable` is the points left.
pub async fn plan(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Reply {
    let uid = authenticate(&state, &headers)?;
    let data = state.data();
    let user = data.users.get(&uid).ok_or_else(envelope::login_expired)?;
    let plans = [json!({
        "id": user.id * 10 + 1,
        "name": "积分套餐",
        "usable": user.points,
        "total": user.granted,
        "use": user.used,
        "expire": "2099-12-31 23:59:59",
        "eachDay": 0,
        "isExpire": false,
    })];
    Ok(envelope::ok(envelope::paged(
        &plans,
        envelope::page_param(&query),
        10,
    )))
}

/// `GET /api/gift_sign?year=YYYY&month=M`: the month's check-ins.
pub async fn check_in_calendar(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Reply {
    let uid = authenticate(&state, &headers)?;
    let today = clock::china_now();
    let year: i32 = query
        .get("year")
        .and_then(|y| y.parse().ok())
        .unwrap_or(today.year());
    let month: u8 = query
        .get("month")
        .and_then(|m| m.parse().ok())
        .unwrap_or(u8::from(today.month()));
    let prefix = format!("{year:04}-{month:02}-");
    let data = state.data();
    let user = data.users.get(&uid).ok_or_else(envelope::login_expired)?;
    let records: Vec<Value> = user
        .check_ins
        .iter()
        .filter(|(ymd, _)| ymd.starts_with(&prefix))
        .map(|(ymd, integral)| json!({"ymd": ymd, "integral": integral}))
        .collect();
    Ok(envelope::ok(envelope::paged(&records, 1, 31)))
}

/// `POST /api/gift_sign`: once per China-time day, grants 10 points.
pub async fn check_in(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Reply {
    let uid = authenticate(&state, &headers)?;
    let today = clock::date(clock::china_now());
    let mut data = state.data();
    let user = data.users.get_mut(&uid).ok_or_else(envelope::login_expired)?;
    if user.check_ins.contains_key(&today) {
        return Err(envelope::error(CODE_ERROR, "今日已签到"));
    }
    user.check_ins.insert(today, CHECK_IN_POINTS);
    user.points += CHECK_IN_POINTS;
    user.granted += CHECK_IN_POINTS;
    Ok(envelope::ok(json!({"integral": CHECK_IN_POINTS})))
}
