//! Authentication of `/api/*` calls: the raw JWT in `authorization` (no `Bearer `), a non-empty
//! `x-app-version`, a valid signature, an unexpired token issued since the last expire-all.

use axum::http::HeaderMap;
use axum::response::Response;

use crate::clock;
use crate::envelope;
use crate::jwt::Claims;
use crate::state::{SimState, User};

/// Returns the caller's user id, or the "登录已过期" envelope the site answers for any auth problem.
pub fn authenticate(state: &SimState, headers: &HeaderMap) -> Result<u64, Response> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
    };
    header("x-app-version").ok_or_else(envelope::login_expired)?;
    let token = header("authorization").ok_or_else(envelope::login_expired)?;
    // A `Bearer ` prefix makes the value an invalid JWT, exactly as on the real site.
    let claims = state
        .keys
        .decode(token, clock::unix_now())
        .map_err(|_| envelope::login_expired())?;
    if !state.control.is_token_live(token) {
        return Err(envelope::login_expired());
    }
    if !state.data().users.contains_key(&claims.user_id) {
        return Err(envelope::login_expired());
    }
    Ok(claims.user_id)
}

/// Signs a fresh token for `user` with the configured lifetime and registers it as live.
pub fn issue_token(state: &SimState, user: &User) -> String {
    let now = clock::unix_now();
    let lifetime = i64::try_from(state.config.token_lifetime.as_secs()).unwrap_or(i64::MAX / 2);
    let claims = Claims {
        user_id: user.id,
        sign: user.sign.clone(),
        role: "user".to_owned(),
        exp: now.saturating_add(lifetime),
        nbf: now,
        iat: now,
    };
    let token = state.keys.encode(&claims);
    state.control.register_token(&token);
    token
}
