//! Builds the real app (our tauri.conf.json, capabilities, commands, a real core in a temporary
//! data directory and a real gateway on a free loopback port) on the mock runtime, and calls the
//! commands the way the UI does, so the capability checks apply too. The Taiji site is the
//! simulator on loopback; nothing touches the network or the real home directory.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use taiji_core::credentials::BackendChoice;
use taiji_core::settings::SettingsStore;
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, Manager, WebviewWindow};
use tempfile::TempDir;

use super::*;
use crate::events::GATEWAY_STATE;

/// One app under test with what it depends on; dropping it drops the data directory.
struct Harness {
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    _sim: Simulator,
    _dir: TempDir,
}

impl Harness {
    /// The app started normally, with its main window.
    fn new() -> Self {
        let (app, sim, dir) = start(false);
        let window = app
            .get_webview_window(window::MAIN)
            .expect("the main window from tauri.conf.json");
        Self {
            app,
            window,
            _sim: sim,
            _dir: dir,
        }
    }

    /// Calls a command the way the UI does.
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("static URL"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize().expect("JSON response"))
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args)
            .unwrap_or_else(|error| panic!("{cmd} failed: {error}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.invoke(cmd, args) {
            Ok(value) => panic!("{cmd} unexpectedly succeeded: {value}"),
            Err(error) => error,
        }
    }

    /// The address the gateway listens on, from the `status` command.
    fn gateway_addr(&self) -> SocketAddr {
        let status = self.ok("status", json!({}));
        let url = status["url"].as_str().expect("the gateway listens");
        url.trim_start_matches("http://").parse().expect("socket address")
    }

    /// Collects the payloads of `event` from now on.
    fn events(&self, event: &str) -> mpsc::Receiver<Value> {
        let (tx, rx) = mpsc::channel();
        self.app.listen_any(event, move |event| {
            if let Ok(payload) = serde_json::from_str(event.payload()) {
                let _ = tx.send(payload);
            }
        });
        rx
    }
}

/// Builds and sets up the app on the mock runtime, in a fresh data directory whose settings listen
/// on a free port and use the simulator; `hidden` as if launched with the start-at-login flag.
fn start(hidden: bool) -> (App<MockRuntime>, Simulator, TempDir) {
    let sim =
        tauri::async_runtime::block_on(Simulator::start(SimConfig::default())).expect("simulator starts");
    let dir = tempfile::tempdir().expect("temporary data directory");
    let store = SettingsStore::open(dir.path()).expect("settings store opens");
    store
        .update(|settings| {
            settings.listen.port = 0;
            settings.upstream.base_url = sim.base_url().to_owned();
        })
        .expect("settings saved");
    drop(store);

    let startup = Startup {
        data_dir: Some(dir.path().to_path_buf()),
        credential_backend: BackendChoice::File,
        hidden,
        ..Startup::default()
    };
    let mut app = build_app(mock_builder(), tauri::generate_context!(), startup)
        .expect("app builds on the mock runtime");
    // One iteration of the event loop runs the setup hook (core, state, tray, gateway) and creates
    // the main window from tauri.conf.json, as a real start does. It is deprecated only as a busy
    // loop; a single call is exactly what a test needs.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    (app, sim, dir)
}

/// Waits for a payload that satisfies `wanted`, skipping others.
fn wait_for(events: &mpsc::Receiver<Value>, wanted: impl Fn(&Value) -> bool) -> Value {
    loop {
        let payload = events
            .recv_timeout(Duration::from_secs(10))
            .expect("the expected event arrives");
        if wanted(&payload) {
            return payload;
        }
    }
}

fn accepts_connections(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_secs(5)).is_ok()
}

#[test]
fn main_window_may_call_app_info_and_gets_name_and_version() {
    let harness = Harness::new();
    assert_eq!(harness.window.label(), window::MAIN);
    assert_eq!(
        harness.ok("app_info", json!({})),
        json!({ "name": "Taiji Gateway", "version": env!("CARGO_PKG_VERSION") })
    );
}

#[test]
fn every_command_is_granted_to_the_main_window() {
    let capability: Value =
        serde_json::from_str(include_str!("../capabilities/default.json")).expect("capability JSON");
    let granted: Vec<&str> = capability["permissions"]
        .as_array()
        .expect("permission list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for command in commands::COMMANDS {
        let permission = format!("allow-{}", command.replace('_', "-"));
        assert!(
            granted.contains(&permission.as_str()),
            "{permission} is not granted"
        );
    }
}

#[test]
fn startup_opens_the_core_and_serves_the_gateway_awaiting_a_sign_in() {
    let harness = Harness::new();
    let status = harness.ok("status", json!({}));
    assert_eq!(status["gateway"], json!({ "state": "needs_login" }));
    assert_eq!(status["account"], Value::Null);
    assert_eq!(status["credentials"]["backend"], "file");
    assert_eq!(status["gauges"]["in_flight"], 0);
    assert!(accepts_connections(harness.gateway_addr()));
}

#[test]
fn stop_and_start_switch_the_listener_and_announce_the_status() {
    let harness = Harness::new();
    let addr = harness.gateway_addr();
    let states = harness.events(GATEWAY_STATE);

    let stopped = harness.ok("stop_gateway", json!({}));
    assert_eq!(stopped["gateway"], json!({ "state": "stopped" }));
    assert_eq!(stopped["url"], Value::Null);
    wait_for(&states, |event| event["status"]["state"] == "stopped");
    assert!(!accepts_connections(addr));

    let started = harness.ok("start_gateway", json!({}));
    assert_eq!(started["gateway"], json!({ "state": "needs_login" }));
    let event = wait_for(&states, |event| event["status"]["state"] == "needs_login");
    assert!(
        event["url"]
            .as_str()
            .is_some_and(|url| url.starts_with("http://127.0.0.1:"))
    );
}

#[test]
fn a_wrong_password_is_reported_as_such_and_the_right_one_signs_in() {
    let harness = Harness::new();
    let states = harness.events(GATEWAY_STATE);

    let error = harness.err(
        "login",
        json!({ "account": DEMO_ACCOUNT, "password": "not-the-password" }),
    );
    assert_eq!(error["kind"], "invalid_credentials");
    let message = error["message"].as_str().expect("message");
    assert!(!message.contains("not-the-password"), "{message}");

    let missing = harness.err("login", json!({ "account": " ", "password": "" }));
    assert_eq!(missing["kind"], "invalid");

    let account = harness.ok(
        "login",
        json!({ "account": DEMO_ACCOUNT, "password": DEMO_PASSWORD }),
    );
    assert_eq!(account["account"], DEMO_ACCOUNT);
    wait_for(&states, |event| event["status"]["state"] == "running");
    assert_eq!(
        harness.ok("status", json!({}))["gateway"],
        json!({ "state": "running" })
    );

    let models = harness.ok("list_models", json!({ "refresh": false }));
    let ids: Vec<&str> = models["models"]
        .as_array()
        .expect("models")
        .iter()
        .filter_map(|model| model["id"].as_str())
        .collect();
    assert!(ids.iter().any(|id| id.ends_with("gpt-4.1-mini")), "{ids:?}");

    harness.ok("logout", json!({}));
    wait_for(&states, |event| event["status"]["state"] == "needs_login");
    assert_eq!(
        harness.err("list_models", json!({ "refresh": true }))["kind"],
        "not_signed_in"
    );
}

#[test]
fn api_keys_can_be_added_regenerated_and_removed_but_not_the_last_required_one() {
    let harness = Harness::new();
    let keys = harness.ok("list_api_keys", json!({}));
    assert_eq!(keys["required"], true);
    assert_eq!(keys["keys"][0]["name"], "default");
    let first = keys["keys"][0]["key"].as_str().expect("key value").to_owned();
    assert!(first.starts_with("tj-"));

    let added = harness.ok("add_api_key", json!({ "name": "cherry" }));
    assert_eq!(added["name"], "cherry");
    assert_eq!(
        harness.err("add_api_key", json!({ "name": "Cherry" }))["kind"],
        "invalid"
    );

    let regenerated = harness.ok("regenerate_api_key", json!({ "name": "default" }));
    assert_ne!(regenerated["key"], first.as_str());
    assert_eq!(
        harness.err("regenerate_api_key", json!({ "name": "nope" }))["kind"],
        "not_found"
    );

    let after_remove = harness.ok("remove_api_key", json!({ "name": "cherry" }));
    assert_eq!(after_remove["keys"].as_array().map(Vec::len), Some(1));
    let last = harness.err("remove_api_key", json!({ "name": "default" }));
    assert_eq!(last["kind"], "invalid");
    assert!(
        last["message"].as_str().is_some_and(|m| m.contains("required")),
        "{last}"
    );

    let optional = harness.ok("set_keys_required", json!({ "required": false }));
    assert_eq!(optional["required"], false);
    harness.ok("remove_api_key", json!({ "name": "default" }));
}

#[test]
fn moving_to_a_busy_port_keeps_the_old_listener_and_the_stored_port() {
    let harness = Harness::new();
    let old = harness.gateway_addr();
    let busy = TcpListener::bind("127.0.0.1:0").expect("a port to occupy");
    let busy_port = busy.local_addr().expect("address").port();

    let error = harness.err("update_settings", json!({ "patch": { "port": busy_port } }));
    assert_eq!(error["kind"], "gateway");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains(&busy_port.to_string())),
        "{error}"
    );
    assert_eq!(harness.ok("get_settings", json!({}))["port"], 0);
    assert_eq!(harness.gateway_addr(), old);
    assert!(accepts_connections(old));

    let free_port = {
        let probe = TcpListener::bind("127.0.0.1:0").expect("a free port");
        probe.local_addr().expect("address").port()
    };
    let saved = harness.ok(
        "update_settings",
        json!({ "patch": { "port": free_port, "concurrency": 5 } }),
    );
    assert_eq!(saved["port"], free_port);
    assert_eq!(saved["concurrency"], 5);
    assert_eq!(harness.gateway_addr().port(), free_port);
    assert!(accepts_connections(harness.gateway_addr()));
}

#[test]
fn keys_cannot_be_turned_off_while_reachable_from_the_lan() {
    let harness = Harness::new();
    harness.ok("update_settings", json!({ "patch": { "lan_mode": true } }));
    let error = harness.err("set_keys_required", json!({ "required": false }));
    assert_eq!(error["kind"], "invalid");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("LAN mode requires API keys")),
        "{error}"
    );
    let invalid = harness.err("update_settings", json!({ "patch": { "concurrency": 0 } }));
    assert_eq!(invalid["kind"], "invalid");
}

#[test]
fn the_request_log_can_be_queried_and_exported_while_empty() {
    let harness = Harness::new();
    let page = harness.ok(
        "query_request_log",
        json!({ "filter": { "text": "nothing" }, "page": 0, "page_size": 50 }),
    );
    assert_eq!(page["total"], 0);
    let out = tempfile::tempdir().expect("export folder");
    let csv_path = out.path().join("log.csv");
    let answered = harness.ok("export_request_log", json!({ "format": "csv", "path": csv_path }));
    assert_eq!(answered, json!(csv_path));
    let csv = std::fs::read_to_string(&csv_path).expect("the shell wrote the CSV");
    assert!(csv.starts_with("id,"), "{csv}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&csv_path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the export is readable by the user only");
    }
    let json_path = out.path().join("log.json");
    harness.ok(
        "export_request_log",
        json!({ "format": "json", "filter": {}, "path": json_path }),
    );
    let json_export = std::fs::read_to_string(&json_path).expect("the shell wrote the JSON");
    assert_eq!(json_export.trim(), "[]");
    let nowhere = out.path().join("missing-folder").join("log.csv");
    let error = harness.err("export_request_log", json!({ "format": "csv", "path": nowhere }));
    assert_eq!(error["kind"], "storage");
    assert_eq!(
        std::fs::read_dir(out.path()).expect("folder").count(),
        2,
        "no partial file left"
    );
    let totals = harness.ok("aggregates", json!({ "utc_offset_minutes": 480 }));
    assert_eq!(totals, json!([]));
}

/// `GET /health` over a plain socket, as JSON.
fn health(addr: SocketAddr) -> Value {
    use std::io::{Read as _, Write as _};
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connects");
    write!(
        stream,
        "GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    let body = response.split("\r\n\r\n").nth(1).expect("a body");
    serde_json::from_str(body).expect("health is JSON")
}

#[test]
fn demo_mode_serves_the_simulator_and_leaving_it_restores_the_real_account() {
    let harness = Harness::new();
    let states = harness.events(GATEWAY_STATE);

    let demo = harness.ok("enter_demo", json!({}));
    assert_eq!(demo["demo"], true);
    assert_eq!(demo["account"], DEMO_ACCOUNT);
    wait_for(&states, |event| {
        event["demo"] == true && event["status"]["state"] == "running"
    });
    let served = health(harness.gateway_addr());
    assert_eq!(served["demo"], true, "{served}");
    assert_eq!(served["account"], DEMO_ACCOUNT, "{served}");

    let real = harness.ok("leave_demo", json!({}));
    assert_eq!(real["demo"], false);
    assert_eq!(real["account"], Value::Null);
    wait_for(&states, |event| {
        event["demo"] == false && event["status"]["state"] == "needs_login"
    });
    let served = health(harness.gateway_addr());
    assert_eq!(served["demo"], false, "{served}");
    // The demo stored no credentials, in the real data directory or its own.
    assert!(!harness._dir.path().join("credentials.json").exists());
    assert!(!harness._dir.path().join("demo").join("credentials.json").exists());
}

#[test]
fn the_ui_language_reaches_the_shell_and_autostart_says_when_it_is_unavailable() {
    let harness = Harness::new();
    assert_eq!(
        harness.ok("set_ui_language", json!({ "language": "zh-CN" })),
        Value::Null
    );
    assert_eq!(
        harness.ok("set_ui_language", json!({ "language": "en" })),
        Value::Null
    );
    // An unknown language is refused by deserialisation, not silently taken as English.
    harness.err("set_ui_language", json!({ "language": "fr" }));
    // The mock runtime has no autostart plugin: the UI gets a kind it can translate.
    let error = harness.err("autostart", json!({}));
    assert_eq!(error["kind"], "unsupported");
    let error = harness.err("set_autostart", json!({ "enabled": true }));
    assert_eq!(error["kind"], "unsupported");
}

#[test]
fn a_hidden_start_serves_the_gateway_without_a_window_until_the_user_opens_it() {
    let (app, _sim, _dir) = start(true);
    assert!(
        app.webview_windows().is_empty(),
        "a hidden start created {:?}",
        app.webview_windows().keys().collect::<Vec<_>>()
    );
    let listener = app.state::<state::AppState>().listener();
    let addr: SocketAddr = listener
        .url()
        .expect("the gateway listens while hidden")
        .trim_start_matches("http://")
        .parse()
        .expect("socket address");
    assert!(accepts_connections(addr));

    // The tray's "Open" (or a second launch) creates the window, and opening again reuses it.
    let opened = window::open_main(app.handle()).expect("the window opens");
    assert_eq!(opened.label(), window::MAIN);
    window::open_main(app.handle()).expect("the window opens again");
    assert_eq!(app.webview_windows().len(), 1);
}

#[test]
fn points_and_the_daily_check_in_reach_the_ui_with_the_sites_own_refusal() {
    let harness = Harness::new();
    assert_eq!(harness.err("points_balance", json!({}))["kind"], "not_signed_in");
    harness.ok(
        "login",
        json!({ "account": DEMO_ACCOUNT, "password": DEMO_PASSWORD }),
    );

    let balance = harness.ok("points_balance", json!({}));
    assert_eq!(balance["points"], 100_000_000);
    let plan = &balance["plans"][0];
    for key in ["name", "usable", "total", "use", "eachDay", "expire", "isExpire"] {
        assert!(plan.get(key).is_some(), "{key} missing in {plan}");
    }

    let month = harness.ok("check_in_calendar", json!({}));
    assert_eq!(month["days"], json!([]));
    assert_eq!(month["checked_in_today"], false);
    assert!(
        month["today"].as_str().is_some_and(|day| day.len() == 10),
        "{month}"
    );
    assert_eq!(harness.ok("check_in", json!({})), json!({ "integral": 10 }));
    let again = harness.err("check_in", json!({}));
    assert_eq!(again, json!({ "kind": "upstream", "message": "今日已签到" }));
    let month = harness.ok("check_in_calendar", json!({}));
    assert_eq!(month["checked_in_today"], true);
    assert_eq!(harness.ok("points_balance", json!({}))["points"], 100_000_010);

    let half = harness.err("check_in_calendar", json!({ "year": 2026 }));
    assert_eq!(half["kind"], "invalid");
    let no_month = harness.err("check_in_calendar", json!({ "year": 2026, "month": 13 }));
    assert_eq!(no_month["kind"], "invalid");
}

#[test]
fn the_notifications_section_is_shown_and_saved_through_the_settings() {
    let harness = Harness::new();
    let shown = harness.ok("get_settings", json!({}));
    assert_eq!(
        shown["notifications"],
        json!({ "sign_in_failure": true, "gateway_error": true, "low_points": true, "low_points_threshold": 100_000 })
    );
    let patch = json!({ "sign_in_failure": false, "gateway_error": true, "low_points": true, "low_points_threshold": 5 });
    let saved = harness.ok("update_settings", json!({ "patch": { "notifications": patch } }));
    assert_eq!(saved["notifications"], patch);
    let too_big = json!({ "low_points_threshold": 2_000_000_000_000_u64 });
    let error = harness.err(
        "update_settings",
        json!({ "patch": { "notifications": too_big } }),
    );
    assert_eq!(error["kind"], "invalid");
}

#[test]
fn chat_conversations_round_trip_and_announce_their_changes() {
    let harness = Harness::new();
    let changes = harness.events(crate::events::CHAT_CHANGED);

    let created = harness.ok(
        "chat_create_conversation",
        json!({ "model": "gpt-4.1-mini", "system_prompt": "简洁回答。" }),
    );
    let id = created["summary"]["id"].as_str().expect("an id").to_owned();
    assert_eq!(created["summary"]["title"], "");
    assert_eq!(created["system_prompt"], "简洁回答。");
    assert_eq!(created["messages"], json!([]));
    assert_eq!(created["context_long"], false);
    wait_for(&changes, |event| event["conversation_id"] == id.as_str());

    let renamed = harness.ok(
        "chat_rename_conversation",
        json!({ "id": id, "title": "北京美食" }),
    );
    assert_eq!(renamed["title"], "北京美食");
    let found = harness.ok("chat_list_conversations", json!({ "query": "美食" }));
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_eq!(found[0]["id"], id.as_str());
    let none = harness.ok("chat_list_conversations", json!({ "query": "不存在" }));
    assert_eq!(none, json!([]));

    let missing = harness.err("chat_get_conversation", json!({ "id": "nope" }));
    assert_eq!(missing["kind"], "conversation_not_found");

    let export = harness._dir.path().join("conversation.md");
    harness.ok("chat_export_conversation", json!({ "id": id, "path": export }));
    let markdown = std::fs::read_to_string(&export).expect("exported");
    assert!(markdown.starts_with("# 北京美食"), "{markdown}");

    harness.ok("chat_delete_conversation", json!({ "id": id }));
    assert_eq!(
        harness.ok("chat_list_conversations", json!({ "query": null })),
        json!([])
    );
    // Stopping a conversation with nothing running is harmless.
    harness.ok("chat_stop", json!({ "conversation_id": id }));
}

#[test]
fn the_chat_shortcut_is_stored_and_a_malformed_one_refused() {
    let harness = Harness::new();
    assert_eq!(harness.ok("get_chat_shortcut", json!({})), Value::Null);
    let refused = harness.err("set_chat_shortcut", json!({ "shortcut": "Shift+Nonsense" }));
    assert_eq!(refused["kind"], "invalid");
    harness.ok("set_chat_shortcut", json!({ "shortcut": " Alt+K " }));
    assert_eq!(harness.ok("get_chat_shortcut", json!({})), "Alt+K");
    harness.ok("set_chat_shortcut", json!({ "shortcut": null }));
    assert_eq!(harness.ok("get_chat_shortcut", json!({})), Value::Null);
}

#[test]
fn the_chat_window_opens_at_its_own_page() {
    let harness = Harness::new();
    let chat = window::open_chat(harness.app.handle()).expect("the chat window opens");
    assert_eq!(chat.label(), window::CHAT);
    let url = chat.url().expect("a URL");
    assert_eq!(url.fragment(), Some("chat"), "{url}");
    let again = window::open_chat(harness.app.handle()).expect("opens again");
    assert_eq!(again.label(), window::CHAT, "the one chat window is reused");
}

#[test]
fn a_chat_message_streams_through_a_channel_and_is_stored() {
    let harness = Harness::new();
    harness.ok(
        "login",
        json!({ "account": DEMO_ACCOUNT, "password": DEMO_PASSWORD }),
    );
    let changes = harness.events(crate::events::CHAT_CHANGED);
    let created = harness.ok(
        "chat_create_conversation",
        json!({ "model": "gpt-4.1-mini", "system_prompt": null }),
    );
    let id = created["summary"]["id"].as_str().expect("an id").to_owned();

    let refused = harness.err(
        "chat_send",
        json!({
            "conversation_id": id,
            "content": "看图",
            "images": [{ "name": "a.png", "mime": "image/png", "data_url": "data:image/png;base64,iVBORw0KGgo=" }],
            "on_event": "__CHANNEL__:1",
        }),
    );
    assert_eq!(refused["kind"], "model_refused_images");

    let started = harness.ok(
        "chat_send",
        json!({ "conversation_id": id, "content": "你好", "images": [], "on_event": "__CHANNEL__:2" }),
    );
    assert_eq!(started, Value::Null);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let conversation = loop {
        let conversation = harness.ok("chat_get_conversation", json!({ "id": id }));
        if conversation["messages"][1]["status"] == "complete" {
            break conversation;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the answer completes: {conversation}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(conversation["messages"][0]["content"], "你好");
    assert!(
        conversation["messages"][1]["content"]
            .as_str()
            .is_some_and(|text| !text.is_empty())
    );
    assert_eq!(conversation["summary"]["total_points"], 1);
    wait_for(&changes, |event| event["conversation_id"] == id.as_str());

    let entries = harness.ok(
        "query_request_log",
        json!({ "filter": { "api": "chat" }, "page": 0, "page_size": 10 }),
    );
    assert_eq!(entries["entries"][0]["source"]["api"], "chat");
}
