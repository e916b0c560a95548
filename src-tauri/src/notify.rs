//! Desktop notifications (`tauri-plugin-notification`): the sign-in failing at start, the gateway
//! stopping on an error, and points falling below the threshold, each switchable in the core's
//! `notifications` settings.
//!
//! [`Decider`] holds the decision, apart from Tauri so it is unit-tested: it notifies once when a
//! condition begins and is quiet until it has ended, so the background sign-in's retries, repeated
//! listener announcements and every new balance read do not each raise a notification. The tasks
//! below feed it from the real core's channels (the demo's account is not the user's), in the
//! `forward.rs` style, and keep the balance fresh: read after the sign-in succeeds and, at most
//! once a minute, after a request finished (a `user_plan` read costs no points).

use std::time::{Duration, Instant};

use taiji_core::runtime::SignInState;
use taiji_core::settings::NotificationSettings;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::broadcast::error::RecvError;

use crate::state::AppState;
use crate::status::ListenerState;
use crate::ui_language::UiLanguage;

/// The least time between two balance reads prompted by finished requests.
const POINTS_REFRESH: Duration = Duration::from_secs(60);

/// Something worth a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The sign-in failed (wrong password, or the site did not answer).
    SignInFailed {
        /// Why, in the core's or the site's words.
        reason: String,
    },
    /// The gateway could not listen (any more).
    GatewayFailed {
        /// Why, in words for the user.
        message: String,
    },
    /// Points fell below the threshold.
    LowPoints {
        /// Points left.
        points: i64,
        /// The threshold from the settings.
        threshold: u64,
    },
}

/// Which conditions are under way, so each is announced once per occurrence.
#[derive(Debug, Default)]
pub struct Decider {
    sign_in_failed: bool,
    gateway_failed: bool,
    points_low: bool,
}

impl Decider {
    /// A new state of the background sign-in. A failure is announced when it begins; it ends
    /// only when the sign-in succeeds or the account goes (the retries in between pass through
    /// "signing in" and must not announce it again).
    pub fn sign_in(&mut self, state: &SignInState, settings: &NotificationSettings) -> Option<Notice> {
        let reason = match state {
            SignInState::WrongPassword { message } => message.clone(),
            SignInState::Unreachable { reason, .. } => reason.clone(),
            SignInState::SignedIn { .. } | SignInState::NoAccount | SignInState::OnDemand => {
                self.sign_in_failed = false;
                return None;
            }
            SignInState::SigningIn { .. } => return None,
        };
        let begins = !std::mem::replace(&mut self.sign_in_failed, true);
        (begins && settings.sign_in_failure).then_some(Notice::SignInFailed { reason })
    }

    /// A new state of the listener: a failure begins with `Failed` and ends when it listens or
    /// the user stops it.
    pub fn listener(&mut self, state: &ListenerState, settings: &NotificationSettings) -> Option<Notice> {
        let ListenerState::Failed { message } = state else {
            self.gateway_failed = false;
            return None;
        };
        let begins = !std::mem::replace(&mut self.gateway_failed, true);
        (begins && settings.gateway_error).then(|| Notice::GatewayFailed {
            message: message.clone(),
        })
    }

    /// A new balance: low points are announced when the balance first drops below the threshold,
    /// and again only after it has been back at or above it (a check-in, a new plan).
    pub fn points(&mut self, points: i64, settings: &NotificationSettings) -> Option<Notice> {
        let threshold = settings.low_points_threshold;
        let low = u64::try_from(points).map_or(true, |points| points < threshold);
        if !low {
            self.points_low = false;
            return None;
        }
        let begins = !std::mem::replace(&mut self.points_low, true);
        (begins && settings.low_points).then_some(Notice::LowPoints { points, threshold })
    }
}

/// The notification's title and body in `language`.
pub fn text(notice: &Notice, language: UiLanguage) -> (String, String) {
    let labels = language.notifications();
    let body = match notice {
        Notice::SignInFailed { reason } => format!("{}{reason}", labels.sign_in_failed),
        Notice::GatewayFailed { message } => format!("{}{message}", labels.gateway_failed),
        Notice::LowPoints { points, threshold } => labels.low_points(*points, *threshold),
    };
    (language.tray().product.to_owned(), body)
}

/// The UI's language for notifications, managed by Tauri; `set_ui_language` updates it.
#[derive(Debug)]
pub struct NoticeLanguage(pub std::sync::Mutex<UiLanguage>);

/// Remembers the UI's language for later notifications.
pub fn set_language<R: Runtime>(app: &AppHandle<R>, language: UiLanguage) {
    if let Some(current) = app.try_state::<NoticeLanguage>()
        && let Ok(mut current) = current.0.lock()
    {
        *current = language;
    }
}

fn show<R: Runtime>(app: &AppHandle<R>, notice: &Notice) {
    use tauri_plugin_notification::NotificationExt as _;
    // The plugin is registered in `run()` only; the mock runtime of the tests has none.
    if app
        .try_state::<tauri_plugin_notification::Notification<R>>()
        .is_none()
    {
        tracing::debug!(?notice, "no notification plugin; not shown");
        return;
    }
    let language = app
        .try_state::<NoticeLanguage>()
        .and_then(|language| language.0.lock().ok().map(|l| *l))
        .unwrap_or_else(UiLanguage::from_env);
    let (title, body) = text(notice, language);
    if let Err(error) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(%error, "could not show a notification");
    }
}

/// Starts the tasks that watch the real core and notify.
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    app.manage(NoticeLanguage(std::sync::Mutex::new(UiLanguage::from_env())));
    let state = app.state::<AppState>();
    let core = state.core.clone();
    let mut sign_in = core.subscribe_sign_in();
    let mut listener = state.subscribe_listener();
    let mut points = core.subscribe_points();
    let mut entries = core.request_log().subscribe();
    let mut settings = core.subscribe_settings();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut decider = Decider::default();
        let mut last_read: Option<Instant> = None;
        // The state at start counts too: a wrong password found before this task ran.
        let initial = sign_in.borrow_and_update().clone();
        if let Some(notice) = decide_sign_in(&core, &mut decider, &initial, &mut last_read) {
            show(&app, &notice);
        }
        loop {
            let notice = tokio::select! {
                changed = sign_in.changed() => {
                    if changed.is_err() { return }
                    let now = sign_in.borrow_and_update().clone();
                    decide_sign_in(&core, &mut decider, &now, &mut last_read)
                }
                changed = listener.changed() => {
                    if changed.is_err() { return }
                    let now = listener.borrow_and_update().clone();
                    decider.listener(&now, &core.settings().notifications)
                }
                changed = points.changed() => {
                    if changed.is_err() { return }
                    let now = points.borrow_and_update().as_ref().map(|b| b.points);
                    now.and_then(|now| decider.points(now, &core.settings().notifications))
                }
                // A new threshold applies to the balance already known.
                changed = settings.changed() => {
                    if changed.is_err() { return }
                    let notifications = settings.borrow_and_update().notifications.clone();
                    let now = points.borrow().as_ref().map(|b| b.points);
                    now.and_then(|now| decider.points(now, &notifications))
                }
                entry = entries.recv() => {
                    match entry {
                        Err(RecvError::Closed) => return,
                        // Points move only once a request ends with points spent.
                        Ok(entry) if entry.points.is_none_or(|points| points == 0) => {}
                        _ => refresh_points(&core, &mut last_read, false),
                    }
                    None
                }
            };
            if let Some(notice) = notice {
                show(&app, &notice);
            }
        }
    });
}

/// The sign-in's notice, after starting a balance read when it just succeeded.
fn decide_sign_in(
    core: &taiji_core::runtime::Core,
    decider: &mut Decider,
    state: &SignInState,
    last_read: &mut Option<Instant>,
) -> Option<Notice> {
    if matches!(state, SignInState::SignedIn { .. }) {
        refresh_points(core, last_read, true);
    }
    decider.sign_in(state, &core.settings().notifications)
}

/// Reads the balance in the background (it is published to the points channel) unless it was
/// read less than [`POINTS_REFRESH`] ago; `now` reads it regardless.
fn refresh_points(core: &taiji_core::runtime::Core, last_read: &mut Option<Instant>, now: bool) {
    if !now && last_read.is_some_and(|at| at.elapsed() < POINTS_REFRESH) {
        return;
    }
    *last_read = Some(Instant::now());
    let core = core.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = core.points_balance().await {
            tracing::debug!(%error, "could not read the points balance");
        }
    });
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;

    fn on() -> NotificationSettings {
        NotificationSettings::default()
    }

    fn unreachable(failures: u32) -> SignInState {
        SignInState::Unreachable {
            since: OffsetDateTime::UNIX_EPOCH,
            next_attempt_at: OffsetDateTime::UNIX_EPOCH,
            failures,
            reason: String::from("connection refused"),
        }
    }

    #[test]
    fn a_failing_sign_in_is_announced_once_until_it_succeeds() {
        let mut decider = Decider::default();
        let signing_in = SignInState::SigningIn {
            since: OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(decider.sign_in(&signing_in, &on()), None);
        assert_eq!(
            decider.sign_in(&unreachable(1), &on()),
            Some(Notice::SignInFailed {
                reason: String::from("connection refused")
            })
        );
        // Retries go through "signing in" and fail again: no new notification.
        assert_eq!(decider.sign_in(&signing_in, &on()), None);
        assert_eq!(decider.sign_in(&unreachable(2), &on()), None);
        let wrong = SignInState::WrongPassword {
            message: String::from("账号或密码错误"),
        };
        assert_eq!(decider.sign_in(&wrong, &on()), None);
        let signed_in = SignInState::SignedIn {
            since: OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(decider.sign_in(&signed_in, &on()), None);
        assert!(matches!(
            decider.sign_in(&wrong, &on()),
            Some(Notice::SignInFailed { reason }) if reason == "账号或密码错误"
        ));
    }

    #[test]
    fn switched_off_notices_stay_quiet_but_are_still_tracked() {
        let off = NotificationSettings {
            sign_in_failure: false,
            gateway_error: false,
            low_points: false,
            ..NotificationSettings::default()
        };
        let mut decider = Decider::default();
        assert_eq!(decider.sign_in(&unreachable(1), &off), None);
        // Switched on during the same failure: still the same occurrence.
        assert_eq!(decider.sign_in(&unreachable(2), &on()), None);
        let failed = ListenerState::Failed {
            message: String::from("port in use"),
        };
        assert_eq!(decider.listener(&failed, &off), None);
        assert_eq!(decider.points(5, &off), None);
    }

    #[test]
    fn the_gateway_failing_is_announced_once_per_failure() {
        let mut decider = Decider::default();
        let failed = ListenerState::Failed {
            message: String::from("port 8760 is in use"),
        };
        assert!(decider.listener(&failed, &on()).is_some());
        assert_eq!(
            decider.listener(&failed, &on()),
            None,
            "a repeat is the same failure"
        );
        assert_eq!(decider.listener(&ListenerState::Stopped, &on()), None);
        assert_eq!(
            decider.listener(&failed, &on()),
            Some(Notice::GatewayFailed {
                message: String::from("port 8760 is in use")
            })
        );
    }

    #[test]
    fn low_points_are_announced_when_crossing_the_threshold() {
        let settings = NotificationSettings {
            low_points_threshold: 100,
            ..NotificationSettings::default()
        };
        let mut decider = Decider::default();
        assert_eq!(decider.points(500, &settings), None);
        assert_eq!(
            decider.points(99, &settings),
            Some(Notice::LowPoints {
                points: 99,
                threshold: 100
            })
        );
        assert_eq!(decider.points(50, &settings), None, "still low: no spam");
        assert_eq!(
            decider.points(100, &settings),
            None,
            "at the threshold is not low"
        );
        assert!(
            decider.points(-1, &settings).is_some(),
            "a negative balance is low"
        );
    }

    #[test]
    fn texts_speak_the_uis_language_and_keep_the_reason() {
        let notice = Notice::SignInFailed {
            reason: String::from("账号或密码错误"),
        };
        let (title, body) = text(&notice, UiLanguage::En);
        assert_eq!(title, "Taiji Gateway");
        assert_eq!(body, "Sign-in failed: 账号或密码错误");
        let (title, body) = text(
            &Notice::LowPoints {
                points: 42,
                threshold: 100,
            },
            UiLanguage::ZhCn,
        );
        assert_eq!(title, "太极网关");
        assert_eq!(body, "积分不足：剩余 42（低于 100）");
    }
}
