//! Signing the Taiji account in and out.

use serde::Serialize;
use taiji_core::account::TokenState;
use taiji_core::runtime::SignInState;
use tauri::State;

use super::CommandError;
use crate::state::AppState;

/// The account after a sign-in.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AccountView {
    /// The account name signed in with.
    pub account: Option<String>,
    /// Its login state.
    pub login: TokenState,
    /// Where the background sign-in stands.
    pub sign_in: SignInState,
}

/// Checks the account and password with the site, then stores them (keychain or private file).
/// A rejection comes back as `invalid_credentials`, an unreachable site as `network`.
#[tauri::command(rename_all = "snake_case")]
pub async fn login(
    state: State<'_, AppState>,
    account: String,
    password: String,
) -> Result<AccountView, CommandError> {
    state.core.login(&account, &password).await?;
    Ok(AccountView {
        account: state.core.signed_in_as().borrow().clone(),
        login: state.core.account().token_state(),
        sign_in: state.core.sign_in_state(),
    })
}

/// Forgets the credentials everywhere.
#[tauri::command]
pub async fn logout(state: State<'_, AppState>) -> Result<(), CommandError> {
    Ok(state.core.logout().await?)
}
