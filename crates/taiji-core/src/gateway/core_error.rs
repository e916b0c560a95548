//! How the gateway reports failures: the core's errors as [`ApiError`]s.

use crate::api::error::ApiError;
use crate::runtime::CoreError;

/// The API error for a failed core operation (catalog, model resolution, prompt building).
/// Details of internal failures go to the gateway's log, never to the client.
pub(crate) fn api_error_from_core(error: &CoreError) -> ApiError {
    match error {
        CoreError::NotSignedIn | CoreError::MissingCredentials => {
            ApiError::upstream_login_failed("no Taiji AI account is signed in")
        }
        CoreError::Upstream(upstream) => ApiError::from(upstream),
        CoreError::Resolve(resolve) => ApiError::from(resolve),
        CoreError::Prompt(prompt) => ApiError::from(prompt),
        CoreError::Invalid(_)
        | CoreError::Settings(_)
        | CoreError::SettingsStore(_)
        | CoreError::Credentials(_)
        | CoreError::RequestLog(_)
        | CoreError::Conversations(_)
        | CoreError::Internal(_) => {
            tracing::error!(%error, "a core operation failed while serving a request");
            ApiError::internal()
        }
    }
}
