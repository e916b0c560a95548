//! `POST /api/chat/completions` up to the first byte: request recording, faults, auth and every
//! pre-generation check (§4.5), answered as a JSON envelope instead of SSE. The stream lives in `stream.rs`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::auth::authenticate;
use crate::clock;
use crate::config::CatalogVersion;
use crate::control::{CompletionRecord, recorded_headers};
use crate::envelope::{self, CODE_ERROR, Reply};
use crate::faults::FaultTarget;
use crate::state::SimState;
use crate::stream::{self, Turn};
use crate::tokens;

/// Attachment limits advertised by `/api/chat/tmpl` (`mFileCount`, `mFileSize` in MB).
const MAX_FILES: usize = 5;
const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

pub async fn completions(
    State(state): State<Arc<SimState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let session_id = number(&body["sessionId"]);
    remember_request(&state, &headers, &body, session_id);
    let fault = state.control.take_fault(FaultTarget::Completions);
    if let Some(response) = fault.as_ref().and_then(|f| f.replacement_response()) {
        return Err(refused(&state, response));
    }
    let turn = prepare(&state, &headers, &body, session_id, peer).map_err(|r| refused(&state, r))?;
    Ok(stream::respond(state, turn, fault))
}

fn refused(state: &SimState, response: Response) -> Response {
    state.control.update(|s| s.completions_failed += 1);
    response
}

/// `sessionId` as sent by browsers (a number) or by lenient clients (a numeric string).
fn number(value: &Value) -> u64 {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0)
}

fn remember_request(state: &SimState, headers: &HeaderMap, body: &Value, session_id: u64) {
    let session_model = state.data().sessions.get(&session_id).map(|s| s.model.clone());
    let model = session_model.unwrap_or_else(|| body["model"].as_str().unwrap_or_default().to_owned());
    state.control.record_completion(CompletionRecord {
        session_id,
        model,
        text: body["text"].as_str().unwrap_or_default().to_owned(),
        files: body["files"].as_array().cloned().unwrap_or_default(),
        headers: recorded_headers(headers),
        body: body.clone(),
    });
}

fn prepare(
    state: &SimState,
    headers: &HeaderMap,
    body: &Value,
    session_id: u64,
    peer: SocketAddr,
) -> Result<Turn, Response> {
    let uid = authenticate(state, headers)?;
    let text = body["text"].as_str().ok_or_else(envelope::bad_session)?;
    let files = match &body["files"] {
        Value::Null => &[][..],
        Value::Array(files) => files.as_slice(),
        _ => return Err(envelope::bad_session()),
    };
    let mut data = state.data();
    let session = data
        .own_session(uid, session_id)
        .ok_or_else(envelope::bad_session)?;
    let model = state
        .catalog
        .find(&session.model)
        .ok_or_else(envelope::bad_session)?;
    if text.chars().count() > state.config.max_text_chars {
        return Err(envelope::error(
            CODE_ERROR,
            "message-length error：超出字数限制，请缩减输入",
        ));
    }
    check_files(files, model.multimodal)?;
    if state.catalog.version() == CatalogVersion::V3 {
        check_reasoning_effort(&body["reasoningEffort"], model.reasoning_efforts)?;
    }
    let replayed_from = session
        .history
        .len()
        .saturating_sub(session.context_count as usize);
    let replayed = &session.history[replayed_from..];
    let context_tokens =
        tokens::count(&session.prompt) + replayed.iter().map(|m| tokens::count(m)).sum::<u64>();
    let history = replayed.len();
    let user = data.users.get(&uid).ok_or_else(envelope::login_expired)?;
    if user.points < model.price {
        return Err(envelope::error(CODE_ERROR, "套餐余量不足"));
    }
    Ok(Turn {
        uid,
        session_id,
        label: model.label.clone(),
        kind: model.kind,
        price: model.price,
        text: text.to_owned(),
        files: files.len(),
        history,
        context_tokens,
        prompt_tokens: context_tokens + tokens::count(text) + files.len() as u64 * tokens::TOKENS_PER_IMAGE,
        task_id: data.next_task_id(),
        record_id: data.next_record_id(),
        created: clock::now_string(),
        ip: peer.ip().to_string(),
    })
}

/// The 3.4.0 site's check of `reasoningEffort` (§3.9, §9): absent or `""` means the model's default; any
/// level on a model that declares no efforts, or a level it does not declare, is refused before generation.
fn check_reasoning_effort(effort: &Value, declared: &[&str]) -> Result<(), Response> {
    let level = match effort {
        Value::Null => return Ok(()),
        Value::String(level) if level.is_empty() => return Ok(()),
        Value::String(level) => level.as_str(),
        _ => return Err(envelope::bad_session()),
    };
    if declared.contains(&level) {
        Ok(())
    } else {
        Err(envelope::error(CODE_ERROR, MSG_NO_REASONING_EFFORT))
    }
}

/// The 3.4.0 site's refusal of an unsupported `reasoningEffort` (ashanzzz live probe).
pub const MSG_NO_REASONING_EFFORT: &str = "当前模型不支持推理等级配置";

/// Images only, as `data:image/…;base64,` URLs, at most 5 of at most 5 MB, and only to multimodal models.
fn check_files(files: &[Value], multimodal: bool) -> Result<(), Response> {
    if files.is_empty() {
        return Ok(());
    }
    if files.len() > MAX_FILES {
        return Err(envelope::error(
            CODE_ERROR,
            format!("最多只能上传{MAX_FILES}个文件"),
        ));
    }
    for file in files {
        let data = file["data"].as_str().unwrap_or_default();
        let Some((_, payload)) = data
            .strip_prefix("data:image/")
            .and_then(|rest| rest.split_once(";base64,"))
        else {
            return Err(envelope::error(CODE_ERROR, "目前仅支持上传图片文件"));
        };
        let bytes = STANDARD
            .decode(payload)
            .map_err(|_| envelope::error(CODE_ERROR, "图片数据无效"))?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(envelope::error(CODE_ERROR, "文件大小不能超过5MB"));
        }
    }
    if !multimodal {
        return Err(envelope::error(
            CODE_ERROR,
            "当前模型不支持图片识别，请切换多模态模型",
        ));
    }
    Ok(())
}
