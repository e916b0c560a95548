//! The tray icon: its menu, its click behaviour and an icon that follows the gateway status.
//!
//! The tray learns about status changes by listening to the same `gateway-state` event the UI gets
//! (see [`crate::forward`]), so whoever changes the status (tray, UI command, a sign-in) needs no
//! tray-specific code. The "Gateway running" item really starts and stops the listener.

use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Listener, Manager, Runtime};
use tauri_plugin_autostart::{AutoLaunchManager, ManagerExt as _};

use crate::events::{self, GatewayStateEvent};
use crate::state::AppState;
use crate::status::{GatewayStatus, StatusKind};
use crate::window;

/// The tray icon's id, for `app.tray_by_id`.
pub const TRAY_ID: &str = "main";

/// Menu item ids; the menu event handler matches on these.
mod item {
    pub const OPEN: &str = "open";
    pub const GATEWAY: &str = "gateway";
    pub const AUTOSTART: &str = "autostart";
    pub const QUIT: &str = "quit";
}

/// The PNG shown in the tray for a status. 64 px so it stays crisp on HiDPI panels; the platform
/// scales it down to the panel size.
pub fn icon_png(kind: StatusKind) -> &'static [u8] {
    match kind {
        StatusKind::Running => include_bytes!("../../icons/tray/running-64.png"),
        StatusKind::Stopped => include_bytes!("../../icons/tray/stopped-64.png"),
        StatusKind::NeedsLogin => include_bytes!("../../icons/tray/needs-login-64.png"),
        StatusKind::Error => include_bytes!("../../icons/tray/error-64.png"),
    }
}

/// The tooltip for a status, e.g. "Taiji Gateway: running at http://127.0.0.1:8760".
pub fn tooltip(status: &GatewayStatus, url: Option<&str>) -> String {
    match (status, url) {
        (GatewayStatus::Running | GatewayStatus::NeedsLogin, Some(url)) => {
            format!("Taiji Gateway: {} at {url}", status.describe())
        }
        _ => format!("Taiji Gateway: {}", status.describe()),
    }
}

/// The tooltip marked as the demo while demo mode is on.
pub fn demo_label(tooltip: String, demo: bool) -> String {
    if demo {
        format!("DEMO · {tooltip} (built-in simulator)")
    } else {
        tooltip
    }
}

/// Builds the tray icon and its menu, and keeps both in step with `gateway-state` events.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let state = app.state::<AppState>();
    let status = state.gateway_status();
    let listener = state.listener();
    // The autostart plugin is absent on the mock runtime (tests); the item is then shown as off.
    let autostart_available = app.try_state::<AutoLaunchManager>().is_some();
    let autostart_enabled = autostart_available
        && app.autolaunch().is_enabled().unwrap_or_else(|error| {
            tracing::warn!(%error, "could not read the start-at-login setting; showing it as off");
            false
        });

    let open = MenuItem::with_id(app, item::OPEN, "Open Taiji Gateway", true, None::<&str>)?;
    let gateway = CheckMenuItem::with_id(
        app,
        item::GATEWAY,
        "Gateway running",
        true,
        listener.is_listening(),
        None::<&str>,
    )?;
    let autostart = CheckMenuItem::with_id(
        app,
        item::AUTOSTART,
        "Start at login",
        autostart_available,
        autostart_enabled,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, item::QUIT, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &PredefinedMenuItem::separator(app)?,
            &gateway,
            &autostart,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;

    let tray = TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(icon_png(status.kind()))?)
        .tooltip(tooltip(&status, listener.url()))
        .menu(&menu)
        // Left click opens the window and right click the menu (Windows, macOS). Linux trays
        // (AppIndicator) always open the menu and report no clicks, hence the "Open" item.
        .show_menu_on_left_click(false)
        .on_menu_event(move |app, event| on_menu_event(app, &event, &autostart))
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                window::show_main(tray.app_handle());
            }
        })
        .build(app)?;

    app.listen_any(events::GATEWAY_STATE, move |event| {
        match serde_json::from_str::<GatewayStateEvent>(event.payload()) {
            Ok(GatewayStateEvent { status, url, demo }) => {
                show_status(&tray, &gateway, &status, url.as_deref(), demo);
            }
            Err(error) => tracing::warn!(%error, "ignoring a malformed gateway-state event"),
        }
    });
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: &MenuEvent, autostart: &CheckMenuItem<R>) {
    match event.id().as_ref() {
        item::OPEN => window::show_main(app),
        item::GATEWAY => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(error) = app.state::<AppState>().toggle_gateway().await {
                    tracing::warn!(%error, "the tray could not switch the gateway");
                }
            });
        }
        item::AUTOSTART => toggle_autostart(app, autostart),
        item::QUIT => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                app.state::<AppState>().quit().await;
                tracing::info!("stopped; exiting");
                app.exit(0);
            });
        }
        other => tracing::debug!(id = other, "unhandled tray menu item"),
    }
}

/// Flips "Start at login" and makes the check mark show what the system really has afterwards
/// (the platform toggles the mark on click, even when enabling fails).
fn toggle_autostart<R: Runtime>(app: &AppHandle<R>, item: &CheckMenuItem<R>) {
    let autolaunch = app.autolaunch();
    let result = match autolaunch.is_enabled() {
        Ok(true) => autolaunch.disable(),
        Ok(false) => autolaunch.enable(),
        Err(error) => Err(error),
    };
    if let Err(error) = result {
        tracing::warn!(%error, "could not change the start-at-login setting");
    }
    let enabled = autolaunch.is_enabled().unwrap_or(false);
    if let Err(error) = item.set_checked(enabled) {
        tracing::warn!(%error, "could not update the start-at-login check mark");
    }
}

fn show_status<R: Runtime>(
    tray: &TrayIcon<R>,
    gateway: &CheckMenuItem<R>,
    status: &GatewayStatus,
    url: Option<&str>,
    demo: bool,
) {
    let listening = matches!(status, GatewayStatus::Running | GatewayStatus::NeedsLogin);
    let result = Image::from_bytes(icon_png(status.kind()))
        .and_then(|icon| tray.set_icon(Some(icon)))
        .and_then(|()| tray.set_tooltip(Some(demo_label(tooltip(status, url), demo))))
        .and_then(|()| gateway.set_checked(listening));
    if let Err(error) = result {
        tracing::warn!(%error, status = %status.describe(), "could not update the tray for the new status");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [StatusKind; 4] = [
        StatusKind::Running,
        StatusKind::Stopped,
        StatusKind::NeedsLogin,
        StatusKind::Error,
    ];

    #[test]
    fn every_status_has_its_own_decodable_64px_icon() {
        for status in ALL {
            let icon = Image::from_bytes(icon_png(status)).expect("embedded tray PNG decodes");
            assert_eq!((icon.width(), icon.height()), (64, 64), "{status:?}");
        }
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(icon_png(*a), icon_png(*b), "{a:?} and {b:?} share an icon");
            }
        }
    }

    #[test]
    fn tooltip_names_the_status_the_address_and_the_error() {
        assert_eq!(
            tooltip(&GatewayStatus::NeedsLogin, Some("http://127.0.0.1:8760")),
            "Taiji Gateway: sign-in needed at http://127.0.0.1:8760"
        );
        assert_eq!(tooltip(&GatewayStatus::Stopped, None), "Taiji Gateway: stopped");
        let busy = GatewayStatus::Error {
            message: String::from("port 8760 is in use on 127.0.0.1"),
        };
        assert_eq!(
            tooltip(&busy, None),
            "Taiji Gateway: error: port 8760 is in use on 127.0.0.1"
        );
    }

    #[test]
    fn the_demo_is_named_in_the_tooltip() {
        let running = tooltip(&GatewayStatus::Running, Some("http://127.0.0.1:8760"));
        assert_eq!(
            demo_label(running.clone(), true),
            "DEMO · Taiji Gateway: running at http://127.0.0.1:8760 (built-in simulator)"
        );
        assert_eq!(demo_label(running.clone(), false), running);
    }
}
