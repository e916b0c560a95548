//! `GET /v1/models` and `GET /v1/models/{id}`: the account's catalog in the one shape every client
//! accepts ([`crate::api::models`]), in one page.
//!
//! The configured model aliases (e.g. `claude-haiku-4-5` → `gpt-4.1-mini`) are
//! listed too, as extra entries after the catalog whose id is the alias and whose other fields are
//! the target's, with a `display_name` of `alias → target`. Claude Code's gateway model discovery
//! only offers ids starting with `claude`, and Cherry Studio lets users pick only listed ids, so an
//! alias that is not listed could not be chosen in either. Aliases whose target is not in the
//! catalog, and aliases that equal a catalog id, are left out.
//!
//! While the gateway is not signed in (signing in, site unreachable) the catalog fetched last is
//! listed, or the reason there is none. In demo mode every display name starts with `DEMO · `.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use http::HeaderMap;

use super::audit::{LogNote, NoteOutcome, reject, with_note};
use super::core_error::api_error_from_core;
use super::flavor::flavor_for;
use super::readiness;
use super::state::AppState;
use crate::api::error::ApiError;
use crate::api::models::{ModelList, ModelObject};
use crate::model_resolver::ModelResolver;

/// The canonical endpoints.
const LIST: &str = "/v1/models";
const ONE: &str = "/v1/models/{id}";

/// The model routes (mounted under `/v1` and its aliases).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/models", get(list))
        .route("/models/{*id}", get(one))
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let flavor = flavor_for(LIST, &headers);
    let note = LogNote::new(LIST, NoteOutcome::Served);
    match model_list(&state).await {
        Ok(list) => with_note(Json(list), note),
        Err(error) => reject(flavor, error, note),
    }
}

async fn one(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let flavor = flavor_for(ONE, &headers);
    let note = LogNote::new(ONE, NoteOutcome::Served).with_model(Some(&id));
    let list = match model_list(&state).await {
        Ok(list) => list,
        Err(error) => return reject(flavor, error, note),
    };
    let found = list
        .data
        .iter()
        .position(|model| model.id == id)
        .or_else(|| {
            list.data
                .iter()
                .position(|model| model.id.eq_ignore_ascii_case(&id))
        })
        .or_else(|| {
            // A bare id names a 3.x `provider::model` value when exactly one ends with it, as in chat.
            let mut matches = list.data.iter().enumerate().filter(|(_, model)| {
                model
                    .id
                    .split_once("::")
                    .is_some_and(|(_, bare)| bare.eq_ignore_ascii_case(&id))
            });
            match (matches.next(), matches.next()) {
                (Some((index, _)), None) => Some(index),
                _ => None,
            }
        });
    match found.and_then(|index| list.data.into_iter().nth(index)) {
        Some(model) => with_note(Json(model), note),
        None => reject(flavor, ApiError::model_not_found(&id, &[]), note),
    }
}

/// The catalog plus the aliases that resolve. While the gateway is not signed in, the catalog
/// fetched last (if any) is listed, else the reason it cannot be fetched.
async fn model_list(state: &AppState) -> Result<ModelList, ApiError> {
    let catalog = match readiness::check(&state.core) {
        Ok(()) => state
            .core
            .catalog()
            .await
            .map_err(|error| api_error_from_core(&error))?,
        Err(error) => state.core.cached_catalog().ok_or(error)?,
    };
    let created = state.started_unix;
    let aliases = state.core.settings().model_aliases;
    let resolver = ModelResolver::new(aliases.clone());
    let mut list = ModelList::new(&catalog.models, created);
    for alias in aliases.keys() {
        if list.data.iter().any(|model| model.id.eq_ignore_ascii_case(alias)) {
            continue;
        }
        let Ok(target) = resolver.resolve(&catalog, alias) else {
            continue;
        };
        let mut entry = ModelObject::new(target, created);
        entry.display_name = format!("{alias} → {}", entry.display_name);
        entry.id = alias.clone();
        list.data.push(entry);
    }
    if state.core.is_demo() {
        for model in &mut list.data {
            model.display_name = format!("DEMO · {}", model.display_name);
        }
    }
    list.last_id = list.data.last().map(|model| model.id.clone());
    Ok(list)
}
