//! Chat sessions (§3.4–§3.7) and their records (§3.8): create, list, update, delete, record pages.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::auth::authenticate;
use crate::clock;
use crate::envelope::{self, CODE_ERROR, Reply};
use crate::faults::FaultTarget;
use crate::record::FinalRecord;
use crate::state::{COMPLIANCE_PROMPT, Session, SimState};

const SESSION_PAGE_SIZE: usize = 30;
const RECORD_PAGE_SIZE: usize = 10;
const MSG_UNKNOWN_MODEL: &str = "模型不存在或已下架";

fn take_fault_response(state: &SimState, target: FaultTarget) -> Result<(), axum::response::Response> {
    match state
        .control
        .take_fault(target)
        .and_then(|f| f.replacement_response())
    {
        Some(response) => Err(response),
        None => Ok(()),
    }
}

fn parse_body(body: &Bytes) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

/// `POST /api/chat/session` with `{model, plugins, mcp}` (3.x extras `prompt`, `name`, … accepted).
pub async fn create(State(state): State<Arc<SimState>>, headers: HeaderMap, body: Bytes) -> Reply {
    take_fault_response(&state, FaultTarget::SessionCreate)?;
    let uid = authenticate(&state, &headers)?;
    let body = parse_body(&body);
    let model = body["model"].as_str().unwrap_or_default();
    if state.catalog.find(model).is_none() {
        return Err(envelope::error(CODE_ERROR, MSG_UNKNOWN_MODEL));
    }
    let now = clock::now_string();
    let mut data = state.data();
    let mut session = Session {
        id: data.next_session_id(),
        created: now.clone(),
        updated: now,
        uid,
        name: "新对话".to_owned(),
        model: model.to_owned(),
        max_token: 0,
        context_count: state.config.context_count,
        temperature: json!(0),
        presence_penalty: json!(0),
        frequency_penalty: json!(0),
        prompt: COMPLIANCE_PROMPT.to_owned(),
        top_sort: 0,
        icon: String::new(),
        plugins: json!([]),
        mcp: json!([]),
        local_plugins: Value::Null,
        use_app_id: 0,
        history: Vec::new(),
        records: Vec::new(),
    };
    apply_settings(&mut session, &body);
    let reply = envelope::ok(&session);
    data.sessions.insert(session.id, session);
    drop(data);
    state.control.update(|s| {
        s.sessions_created += 1;
        s.sessions_open += 1;
    });
    Ok(reply)
}

/// Copies the editable fields present in `body` onto `session` (model is validated by the caller).
fn apply_settings(session: &mut Session, body: &Value) {
    if let Some(model) = body["model"].as_str() {
        session.model = model.to_owned();
    }
    if let Some(name) = body["name"].as_str() {
        session.name = name.to_owned();
    }
    if let Some(prompt) = body["prompt"].as_str() {
        session.prompt = prompt.to_owned();
    }
    if let Some(count) = body["contextCount"].as_u64() {
        session.context_count = u32::try_from(count).unwrap_or(u32::MAX);
    }
    if let Some(max) = body["maxToken"].as_i64() {
        session.max_token = max;
    }
    for (key, slot) in [
        ("temperature", &mut session.temperature),
        ("presencePenalty", &mut session.presence_penalty),
        ("frequencyPenalty", &mut session.frequency_penalty),
    ] {
        if body[key].is_number() {
            *slot = body[key].clone();
        }
    }
    if let Some(top) = body["topSort"].as_i64() {
        session.top_sort = top;
    }
    if let Some(icon) = body["icon"].as_str() {
        session.icon = icon.to_owned();
    }
    for (key, slot) in [("plugins", &mut session.plugins), ("mcp", &mut session.mcp)] {
        if body[key].is_array() {
            *slot = body[key].clone();
        }
    }
}

/// `GET /api/chat/session?page=N`: the caller's sessions, newest first, 30 per page.
pub async fn list(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Reply {
    let uid = authenticate(&state, &headers)?;
    let data = state.data();
    let sessions: Vec<&Session> = data.sessions.values().rev().filter(|s| s.uid == uid).collect();
    Ok(envelope::ok(envelope::paged(
        &sessions,
        envelope::page_param(&query),
        SESSION_PAGE_SIZE,
    )))
}

fn session_id(raw: &str) -> Result<u64, axum::response::Response> {
    raw.parse().map_err(|_| envelope::bad_session())
}

/// `PUT /api/chat/session/{id}`: the web UI sends the whole object back with changed fields.
pub async fn update(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let uid = authenticate(&state, &headers)?;
    let id = session_id(&id)?;
    let body = parse_body(&body);
    if let Some(model) = body["model"].as_str()
        && state.catalog.find(model).is_none()
    {
        return Err(envelope::error(CODE_ERROR, MSG_UNKNOWN_MODEL));
    }
    let mut data = state.data();
    let session = data.own_session(uid, id).ok_or_else(envelope::bad_session)?;
    apply_settings(session, &body);
    session.updated = clock::now_string();
    Ok(envelope::ok(&*session))
}

/// `DELETE /api/chat/session/{id}`: `{"code":0,"data":null,"msg":""}` with HTTP 200.
pub async fn delete(State(state): State<Arc<SimState>>, headers: HeaderMap, Path(id): Path<String>) -> Reply {
    take_fault_response(&state, FaultTarget::SessionDelete)?;
    let uid = authenticate(&state, &headers)?;
    let id = session_id(&id)?;
    let mut data = state.data();
    data.own_session(uid, id).ok_or_else(envelope::bad_session)?;
    data.sessions.remove(&id);
    drop(data);
    state.control.update(|s| {
        s.sessions_deleted += 1;
        s.sessions_open = s.sessions_open.saturating_sub(1);
    });
    Ok(envelope::ok(Value::Null))
}

/// `GET /api/chat/record/{sessionId}?page=N`: final records, newest first, 10 per page.
pub async fn records(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Reply {
    let uid = authenticate(&state, &headers)?;
    let id = session_id(&id)?;
    let mut data = state.data();
    let session = data.own_session(uid, id).ok_or_else(envelope::bad_session)?;
    let newest_first: Vec<&FinalRecord> = session.records.iter().rev().collect();
    Ok(envelope::ok(envelope::paged(
        &newest_first,
        envelope::page_param(&query),
        RECORD_PAGE_SIZE,
    )))
}
