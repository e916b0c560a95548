//! The tray icon: its menu, its click behaviour and an icon that follows the gateway status.
//!
//! The tray learns about status changes by listening to the same `gateway-state` event the UI gets
//! (see [`crate::forward`]), so whoever changes the status (tray, UI command, a sign-in) needs no
//! tray-specific code. The "Gateway running" item really starts and stops the listener.
//!
//! The tooltip also shows the requests in flight and queued, from the `admission-gauges` event the
//! UI gets too. "Copy API address" and "Copy API key" put the OpenAI base URL and the first API key
//! on the clipboard, for pasting into a client without opening the window.
//!
//! Labels come from [`crate::ui_language`] in the UI's language; [`set_language`] relabels the menu
//! and tooltip when the UI switches (the `set_ui_language` command).

use taiji_core::dispatch::AdmissionGauges;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Listener, Manager, Runtime};
use tauri_plugin_autostart::{AutoLaunchManager, ManagerExt as _};
use tauri_plugin_clipboard_manager::ClipboardExt as _;

use crate::events::{self, GatewayStateEvent};
use crate::state::AppState;
use crate::status::{GatewayStatus, StatusKind};
use crate::ui_language::{TrayLabels, UiLanguage};
use crate::window;

/// The tray's menu items and language, managed by Tauri so the language can change later.
struct TrayMenu<R: Runtime> {
    tray: TrayIcon<R>,
    open: MenuItem<R>,
    open_chat: MenuItem<R>,
    copy_address: MenuItem<R>,
    copy_key: MenuItem<R>,
    gateway: CheckMenuItem<R>,
    autostart: CheckMenuItem<R>,
    quit: MenuItem<R>,
    language: std::sync::Mutex<UiLanguage>,
    /// Set while the gateway is being switched, so a relabel keeps "Starting…" / "Stopping…".
    switching: std::sync::Mutex<Option<Switching>>,
}

/// Which way the gateway is being switched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switching {
    /// Starting the listener.
    On,
    /// Stopping it.
    Off,
}

/// The gateway item's label: "Gateway running", or what it is doing while it switches.
pub fn gateway_label(labels: &TrayLabels, switching: Option<Switching>) -> &'static str {
    match switching {
        None => labels.gateway_running,
        Some(Switching::On) => labels.gateway_starting,
        Some(Switching::Off) => labels.gateway_stopping,
    }
}

/// Shows the gateway item busy (disabled, "Starting…" / "Stopping…") while `switching` is `Some`,
/// and back to normal afterwards. The UI's start and stop commands call it too.
pub fn show_switching<R: Runtime>(app: &AppHandle<R>, switching: Option<Switching>) {
    let Some(menu) = app.try_state::<TrayMenu<R>>() else {
        return;
    };
    if let Ok(mut current) = menu.switching.lock() {
        *current = switching;
    }
    let result = menu
        .gateway
        .set_text(gateway_label(menu.labels(), switching))
        .and_then(|()| menu.gateway.set_enabled(switching.is_none()))
        .and_then(|()| {
            let listening = app.state::<AppState>().listener().is_listening();
            menu.gateway.set_checked(listening)
        });
    if let Err(error) = result {
        tracing::warn!(%error, "could not show the gateway item's state");
    }
}

impl<R: Runtime> TrayMenu<R> {
    fn labels(&self) -> &'static TrayLabels {
        self.language
            .lock()
            .map_or(UiLanguage::En, |language| *language)
            .tray()
    }
}

/// The tray icon's id, for `app.tray_by_id`.
pub const TRAY_ID: &str = "main";

/// Menu item ids; the menu event handler matches on these.
mod item {
    pub const OPEN: &str = "open";
    pub const OPEN_CHAT: &str = "open-chat";
    pub const COPY_ADDRESS: &str = "copy-address";
    pub const COPY_KEY: &str = "copy-key";
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

/// The tooltip for a status, e.g. "Taiji Gateway: running at http://127.0.0.1:8760", with a second
/// line of requests in flight and queued while the gateway listens.
pub fn tooltip(
    labels: &TrayLabels,
    status: &GatewayStatus,
    url: Option<&str>,
    gauges: AdmissionGauges,
) -> String {
    let product = labels.product;
    let described = labels.status(status);
    match (status, url) {
        (GatewayStatus::Running | GatewayStatus::NeedsLogin, Some(url)) => {
            format!(
                "{product}: {described}{}{url}\n{}: {} · {}: {}",
                labels.at, labels.in_flight, gauges.in_flight, labels.queued, gauges.queued
            )
        }
        _ => format!("{product}: {described}"),
    }
}

/// The admission gauges as last published, from the same core `forward` forwards them from.
fn gauges_now<R: Runtime>(app: &AppHandle<R>) -> AdmissionGauges {
    *app.state::<AppState>().core.dispatcher().gauges().borrow()
}

/// The tooltip marked as the demo while demo mode is on.
pub fn demo_label(labels: &TrayLabels, tooltip: String, demo: bool) -> String {
    if !demo {
        return tooltip;
    }
    // The simulator is named on the status line, before the request counts.
    match tooltip.split_once('\n') {
        Some((status, counts)) => format!("{} · {status}{}\n{counts}", labels.demo, labels.simulator),
        None => format!("{} · {tooltip}{}", labels.demo, labels.simulator),
    }
}

/// Relabels the menu and the tooltip in `language` (no-op without a tray, e.g. in tests).
pub fn set_language<R: Runtime>(app: &AppHandle<R>, language: UiLanguage) {
    let Some(menu) = app.try_state::<TrayMenu<R>>() else {
        return;
    };
    if let Ok(mut current) = menu.language.lock() {
        *current = language;
    }
    let labels = language.tray();
    let switching = menu.switching.lock().ok().and_then(|s| *s);
    let state = app.state::<AppState>();
    let listener = state.listener();
    let tip = demo_label(
        labels,
        tooltip(labels, &state.gateway_status(), listener.url(), gauges_now(app)),
        state.is_demo(),
    );
    let result = menu
        .open
        .set_text(labels.open)
        .and_then(|()| menu.open_chat.set_text(labels.open_chat))
        .and_then(|()| menu.copy_address.set_text(labels.copy_address))
        .and_then(|()| menu.copy_key.set_text(labels.copy_key))
        .and_then(|()| menu.gateway.set_text(gateway_label(labels, switching)))
        .and_then(|()| menu.autostart.set_text(labels.start_at_login))
        .and_then(|()| menu.quit.set_text(labels.quit))
        .and_then(|()| menu.tray.set_tooltip(Some(tip)));
    if let Err(error) = result {
        tracing::warn!(%error, "could not relabel the tray menu");
    }
}

/// Shows in the tray's check mark whether the app starts at login (after Settings changed it).
pub fn show_autostart<R: Runtime>(app: &AppHandle<R>, enabled: bool) {
    if let Some(menu) = app.try_state::<TrayMenu<R>>()
        && let Err(error) = menu.autostart.set_checked(enabled)
    {
        tracing::warn!(%error, "could not update the start-at-login check mark");
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

    let language = UiLanguage::from_env();
    let labels = language.tray();
    let open = MenuItem::with_id(app, item::OPEN, labels.open, true, None::<&str>)?;
    let open_chat = MenuItem::with_id(app, item::OPEN_CHAT, labels.open_chat, true, None::<&str>)?;
    let copy_address = MenuItem::with_id(app, item::COPY_ADDRESS, labels.copy_address, true, None::<&str>)?;
    let copy_key = MenuItem::with_id(app, item::COPY_KEY, labels.copy_key, true, None::<&str>)?;
    let gateway = CheckMenuItem::with_id(
        app,
        item::GATEWAY,
        labels.gateway_running,
        true,
        listener.is_listening(),
        None::<&str>,
    )?;
    let autostart = CheckMenuItem::with_id(
        app,
        item::AUTOSTART,
        labels.start_at_login,
        autostart_available,
        autostart_enabled,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, item::QUIT, labels.quit, true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &open_chat,
            &copy_address,
            &copy_key,
            &PredefinedMenuItem::separator(app)?,
            &gateway,
            &autostart,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;

    let tray = TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(icon_png(status.kind()))?)
        .tooltip(tooltip(labels, &status, listener.url(), gauges_now(app)))
        .menu(&menu)
        // Left click opens the window and right click the menu (Windows, macOS). Linux trays
        // (AppIndicator) always open the menu and report no clicks, hence the "Open" item.
        .show_menu_on_left_click(false)
        .on_menu_event({
            let autostart = autostart.clone();
            move |app, event| on_menu_event(app, &event, &autostart)
        })
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

    app.manage(TrayMenu {
        tray,
        open,
        open_chat,
        copy_address,
        copy_key,
        gateway,
        autostart,
        quit,
        language: std::sync::Mutex::new(language),
        switching: std::sync::Mutex::new(None),
    });
    let handle = app.clone();
    app.listen_any(events::GATEWAY_STATE, move |event| {
        match serde_json::from_str::<GatewayStateEvent>(event.payload()) {
            Ok(GatewayStateEvent { status, url, demo }) => {
                if let Some(menu) = handle.try_state::<TrayMenu<R>>() {
                    show_status(&menu, &status, url.as_deref(), demo);
                }
            }
            Err(error) => tracing::warn!(%error, "ignoring a malformed gateway-state event"),
        }
    });
    // The counts change far more often than the status; the rest of the tooltip is read afresh.
    let handle = app.clone();
    app.listen_any(events::GAUGES, move |event| {
        match serde_json::from_str::<AdmissionGauges>(event.payload()) {
            Ok(gauges) => {
                if let Some(menu) = handle.try_state::<TrayMenu<R>>() {
                    let state = handle.state::<AppState>();
                    let listener = state.listener();
                    let labels = menu.labels();
                    let tip = demo_label(
                        labels,
                        tooltip(labels, &state.gateway_status(), listener.url(), gauges),
                        state.is_demo(),
                    );
                    if let Err(error) = menu.tray.set_tooltip(Some(tip)) {
                        tracing::warn!(%error, "could not update the tray tooltip");
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "ignoring a malformed admission-gauges event"),
        }
    });
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: &MenuEvent, autostart: &CheckMenuItem<R>) {
    match event.id().as_ref() {
        item::OPEN => window::show_main(app),
        item::OPEN_CHAT => window::show_chat(app),
        item::COPY_ADDRESS => copy_address(app),
        item::COPY_KEY => copy_key(app),
        item::GATEWAY => {
            let app = app.clone();
            let switching = if app.state::<AppState>().listener().is_listening() {
                Switching::Off
            } else {
                Switching::On
            };
            show_switching(&app, Some(switching));
            tauri::async_runtime::spawn(async move {
                if let Err(error) = app.state::<AppState>().toggle_gateway().await {
                    tracing::warn!(%error, "the tray could not switch the gateway");
                }
                show_switching(&app, None);
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

/// "Copy API address": the OpenAI-compatible base URL, as the Status view shows it.
fn copy_address<R: Runtime>(app: &AppHandle<R>) {
    let listener = app.state::<AppState>().listener();
    match listener.url() {
        Some(url) => copy(app, format!("{url}/v1")),
        None => tracing::info!("the gateway is not listening; there is no address to copy"),
    }
}

/// "Copy API key": the first key, the one the app made at first start (the value never goes into
/// the log).
fn copy_key<R: Runtime>(app: &AppHandle<R>) {
    let core = &app.state::<AppState>().core;
    let settings = core.overrides().apply(core.settings_store().get());
    match settings.access.api_keys.iter().next() {
        Some(key) => copy(app, key.secret.expose().to_owned()),
        None => tracing::info!("there is no API key to copy"),
    }
}

fn copy<R: Runtime>(app: &AppHandle<R>, text: String) {
    if let Err(error) = app.clipboard().write_text(text) {
        tracing::warn!(%error, "could not write to the clipboard");
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

fn show_status<R: Runtime>(menu: &TrayMenu<R>, status: &GatewayStatus, url: Option<&str>, demo: bool) {
    let listening = matches!(status, GatewayStatus::Running | GatewayStatus::NeedsLogin);
    let labels = menu.labels();
    let result = Image::from_bytes(icon_png(status.kind()))
        .and_then(|icon| menu.tray.set_icon(Some(icon)))
        .and_then(|()| {
            menu.tray.set_tooltip(Some(demo_label(
                labels,
                tooltip(labels, status, url, gauges_now(menu.tray.app_handle())),
                demo,
            )))
        })
        .and_then(|()| menu.gateway.set_checked(listening));
    if let Err(error) = result {
        tracing::warn!(%error, status = %status.describe(), "could not update the tray for the new status");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &TrayLabels = UiLanguage::En.tray();
    const IDLE: AdmissionGauges = AdmissionGauges {
        in_flight: 0,
        queued: 0,
        limit: 3,
    };

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
    fn the_gateway_item_says_what_it_is_doing_while_switching() {
        assert_eq!(gateway_label(EN, None), "Gateway running");
        assert_eq!(gateway_label(EN, Some(Switching::On)), "Starting…");
        assert_eq!(gateway_label(EN, Some(Switching::Off)), "Stopping…");
        let zh = UiLanguage::ZhCn.tray();
        assert_eq!(gateway_label(zh, Some(Switching::On)), "正在启动…");
        assert_eq!(gateway_label(zh, Some(Switching::Off)), "正在停止…");
    }

    #[test]
    fn tooltip_names_the_status_the_address_and_the_error() {
        assert_eq!(
            tooltip(
                EN,
                &GatewayStatus::NeedsLogin,
                Some("http://127.0.0.1:8760"),
                IDLE
            ),
            "Taiji Gateway: sign-in needed at http://127.0.0.1:8760\nin flight: 0 · queued: 0"
        );
        assert_eq!(
            tooltip(EN, &GatewayStatus::Stopped, None, IDLE),
            "Taiji Gateway: stopped"
        );
        let busy = GatewayStatus::Error {
            message: String::from("port 8760 is in use on 127.0.0.1"),
        };
        assert_eq!(
            tooltip(EN, &busy, None, IDLE),
            "Taiji Gateway: error: port 8760 is in use on 127.0.0.1"
        );
    }

    #[test]
    fn the_demo_is_named_in_the_tooltip() {
        let running = tooltip(EN, &GatewayStatus::Running, Some("http://127.0.0.1:8760"), IDLE);
        assert_eq!(
            demo_label(EN, running.clone(), true),
            "DEMO · Taiji Gateway: running at http://127.0.0.1:8760 (built-in simulator)\nin flight: 0 · queued: 0"
        );
        assert_eq!(demo_label(EN, running.clone(), false), running);
    }

    #[test]
    fn the_tooltip_speaks_chinese_and_keeps_the_error_message() {
        let zh = UiLanguage::ZhCn.tray();
        assert_eq!(
            tooltip(zh, &GatewayStatus::Running, Some("http://127.0.0.1:8760"), IDLE),
            "太极网关: 运行中，地址 http://127.0.0.1:8760\n进行中: 0 · 排队: 0"
        );
        let busy = GatewayStatus::Error {
            message: String::from("端口 8760 已被占用"),
        };
        assert_eq!(
            tooltip(zh, &busy, None, IDLE),
            "太极网关: 出错: 端口 8760 已被占用"
        );
    }

    #[test]
    fn the_tooltip_counts_requests_in_flight_and_queued_while_listening() {
        let busy = AdmissionGauges {
            in_flight: 3,
            queued: 2,
            limit: 3,
        };
        assert_eq!(
            tooltip(EN, &GatewayStatus::Running, Some("http://127.0.0.1:8760"), busy),
            "Taiji Gateway: running at http://127.0.0.1:8760\nin flight: 3 · queued: 2"
        );
        assert_eq!(
            tooltip(
                UiLanguage::ZhCn.tray(),
                &GatewayStatus::Running,
                Some("http://127.0.0.1:8760"),
                busy
            ),
            "太极网关: 运行中，地址 http://127.0.0.1:8760\n进行中: 3 · 排队: 2"
        );
        // Stopped, there is nothing to count.
        assert_eq!(
            tooltip(EN, &GatewayStatus::Stopped, None, busy),
            "Taiji Gateway: stopped"
        );
    }
}
