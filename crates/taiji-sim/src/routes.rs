//! The router: the Taiji `/api/*` surface, the site's front end (`/`, its JS bundle), the `/__sim/*` control
//! API, the old-version refusal and the stickiness cookie layers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::routing::{get, post, put};

use crate::auth::authenticate;
use crate::completions::completions;
use crate::control_api;
use crate::cookie::set_stickiness_cookie;
use crate::envelope::{self, Reply};
use crate::faults::FaultTarget;
use crate::frontend;
use crate::sessions;
use crate::state::SimState;
use crate::user;

const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/api/user/login", post(user::login))
        .route("/api/user/info", get(user::info))
        .route("/api/user_plan", get(user::plan))
        .route(
            "/api/gift_sign",
            get(user::check_in_calendar).post(user::check_in),
        )
        .route("/api/chat/tmpl", get(tmpl))
        .route("/api/chat/session", get(sessions::list).post(sessions::create))
        .route(
            "/api/chat/session/{id}",
            put(sessions::update).delete(sessions::delete),
        )
        .route("/api/chat/record/{id}", get(sessions::records))
        .route("/api/chat/completions", post(completions))
        .route("/", get(frontend::index))
        .route(frontend::BUNDLE_PATH, get(frontend::bundle))
        .merge(control_api::routes())
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found") })
        // Five 5 MB images arrive base64-encoded inside one JSON body; axum's 2 MB default is far too small.
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            frontend::refuse_old_version,
        ))
        .layer(middleware::from_fn(set_stickiness_cookie))
        .with_state(state)
}

/// `GET /api/chat/tmpl`: the catalog and UI flags (§3.3), per account so it needs auth.
async fn tmpl(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(_query): Query<HashMap<String, String>>,
) -> Reply {
    if let Some(response) = state
        .control
        .take_fault(FaultTarget::Tmpl)
        .and_then(|f| f.replacement_response())
    {
        return Err(response);
    }
    authenticate(&state, &headers)?;
    Ok(envelope::ok(state.catalog.tmpl_json()))
}
