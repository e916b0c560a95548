//! The account's model catalog, for the models view.

use serde::Serialize;
use taiji_core::model::ModelInfo;
use tauri::State;

use super::CommandError;
use crate::state::AppState;

/// The catalog as the models view shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ModelsView {
    /// Models in catalog order.
    pub models: Vec<ModelInfo>,
    /// The site's default model id.
    pub default_model: Option<String>,
}

/// The catalog (cached for a few minutes; `refresh` fetches it now). Fails with `not_signed_in`
/// before the account has signed in. In demo mode, the simulator's catalog.
#[tauri::command(rename_all = "snake_case")]
pub async fn list_models(state: State<'_, AppState>, refresh: bool) -> Result<ModelsView, CommandError> {
    let core = state.active_core();
    let catalog = if refresh {
        core.refresh_catalog().await?
    } else {
        core.catalog().await?
    };
    Ok(ModelsView {
        models: catalog.models.clone(),
        default_model: catalog.default_model.clone(),
    })
}
