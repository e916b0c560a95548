//! Forwards the core's live channels to the UI (and the tray) as Tauri events: the gateway status
//! (derived from the listener and the account), the account's login state, the admission gauges,
//! request-log entries as they change, and settings changes.
//!
//! Each forwarder is a task on Tauri's async runtime that ends when its channel closes (the core
//! is shutting down). A failed `emit` only means a listener missed one update; the next change
//! brings it back in line, so it is logged and the loop goes on.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::broadcast::error::RecvError;

use crate::events::{
    ACCOUNT_STATE, AccountStateEvent, GATEWAY_STATE, GAUGES, GatewayStateEvent, REQUEST_LOG_ENTRY,
    REQUEST_LOG_RESYNC, SETTINGS_CHANGED,
};
use crate::settings_view::SettingsView;
use crate::state::AppState;

/// Starts every forwarder.
pub fn spawn_all<R: Runtime>(app: &AppHandle<R>) {
    spawn_status(app.clone());
    spawn_gauges(app.clone());
    spawn_request_log(app.clone());
    spawn_settings(app.clone());
}

fn emit<R: Runtime, T: Serialize + Clone>(app: &AppHandle<R>, event: &str, payload: T) {
    if let Err(error) = app.emit(event, payload) {
        tracing::warn!(%error, event, "could not emit an event to the UI");
    }
}

/// Emits the gateway status and the account state now.
pub fn announce_status<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let core = state.active_core();
    emit(
        app,
        GATEWAY_STATE,
        GatewayStateEvent {
            status: state.gateway_status(),
            url: state.listener().url().map(str::to_owned),
            demo: state.is_demo(),
        },
    );
    emit(
        app,
        ACCOUNT_STATE,
        AccountStateEvent {
            account: core.signed_in_as().borrow().clone(),
            login: core.account().token_state(),
            sign_in: core.sign_in_state(),
        },
    );
}

/// The status depends on the listener, demo mode, and the configured account, its token and the
/// background sign-in of the core the gateway serves (resubscribed when demo mode switches).
fn spawn_status<R: Runtime>(app: AppHandle<R>) {
    // Subscribe before the task runs: a change made between spawning and the task's first poll
    // (a command right after start-up) would otherwise count as already seen and never be announced.
    let (mut listener, mut demo) = {
        let state = app.state::<AppState>();
        (state.subscribe_listener(), state.subscribe_demo())
    };
    let subscribe = |app: &AppHandle<R>| {
        let core = app.state::<AppState>().active_core();
        (
            core.signed_in_as(),
            core.account().subscribe(),
            core.subscribe_sign_in(),
        )
    };
    let mut channels = subscribe(&app);
    tauri::async_runtime::spawn(async move {
        loop {
            let (mut account, mut token, mut sign_in) = channels;
            loop {
                // The listener and demo channels live as long as the app; the account channels as
                // long as their core (a demo core stops when demo mode is left): resubscribe then.
                let resubscribe = tokio::select! {
                    changed = listener.changed() => if changed.is_err() { return } else { false },
                    changed = demo.changed() => if changed.is_err() { return } else { true },
                    changed = account.changed() => changed.is_err(),
                    changed = token.changed() => changed.is_err(),
                    changed = sign_in.changed() => changed.is_err(),
                };
                listener.mark_unchanged();
                demo.mark_unchanged();
                account.mark_unchanged();
                token.mark_unchanged();
                sign_in.mark_unchanged();
                announce_status(&app);
                if resubscribe {
                    break;
                }
            }
            channels = subscribe(&app);
        }
    });
}

fn spawn_gauges<R: Runtime>(app: AppHandle<R>) {
    let mut gauges = app.state::<AppState>().core.dispatcher().gauges();
    tauri::async_runtime::spawn(async move {
        while gauges.changed().await.is_ok() {
            let now = *gauges.borrow_and_update();
            emit(&app, GAUGES, now);
        }
    });
}

fn spawn_request_log<R: Runtime>(app: AppHandle<R>) {
    let mut entries = app.state::<AppState>().core.request_log().subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match entries.recv().await {
                Ok(entry) => emit(&app, REQUEST_LOG_ENTRY, entry),
                Err(RecvError::Lagged(skipped)) => {
                    // The broadcast dropped the oldest changes; the UI reloads its page instead.
                    tracing::debug!(skipped, "the request-log forwarder fell behind");
                    emit(&app, REQUEST_LOG_RESYNC, ());
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}

fn spawn_settings<R: Runtime>(app: AppHandle<R>) {
    let mut settings = app.state::<AppState>().core.subscribe_settings();
    tauri::async_runtime::spawn(async move {
        while settings.changed().await.is_ok() {
            let view = SettingsView::from(&*settings.borrow_and_update());
            emit(&app, SETTINGS_CHANGED, view);
        }
    });
}
