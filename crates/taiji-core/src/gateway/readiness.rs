//! Whether the gateway can serve chat requests right now, from the core's [`SignInState`]: while
//! it is still signing in or the site is unreachable, requests get a 503 with `Retry-After` (the
//! next sign-in attempt); without an account, or after the password was rejected, a 503 that says
//! what to do and asks clients not to retry. Without the background sign-in (an embedded core)
//! everything passes: the core signs in on first use.

use time::OffsetDateTime;

use crate::api::error::ApiError;
use crate::runtime::{Core, SignInState};

/// `Ok` when chat requests can be sent, else the error to answer with.
pub(crate) fn check(core: &Core) -> Result<(), ApiError> {
    let state = core.sign_in_state();
    let now = OffsetDateTime::now_utc();
    match &state {
        SignInState::OnDemand | SignInState::SignedIn { .. } => Ok(()),
        SignInState::NoAccount => Err(ApiError::sign_in_first()),
        SignInState::WrongPassword { .. } => Err(ApiError::upstream_login_failed(
            "Taiji AI rejected the account or password",
        )),
        SignInState::SigningIn { .. } | SignInState::Unreachable { .. } => {
            let retry_after = state.retry_after(now).unwrap_or_default();
            Err(ApiError::not_signed_in_yet(&state.describe(now), retry_after))
        }
    }
}
