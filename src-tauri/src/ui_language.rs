//! The UI's language as the shell knows it, and the few strings the shell itself shows (the tray
//! menu and tooltip) in each language. The UI owns its own catalogs (`ui/src/locales/`); it tells
//! the shell its choice through the `set_ui_language` command so the tray speaks the same language.

use serde::Deserialize;

use crate::status::GatewayStatus;

/// A language the UI and the tray speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum UiLanguage {
    /// Simplified Chinese, the site's own language.
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[default]
    #[serde(rename = "en")]
    En,
}

/// The tray's strings in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrayLabels {
    /// The product name, first in the tooltip.
    pub product: &'static str,
    pub open: &'static str,
    /// Opens the chat window.
    pub open_chat: &'static str,
    pub copy_address: &'static str,
    pub copy_key: &'static str,
    pub gateway_running: &'static str,
    /// The gateway item while the listener is being started or stopped (disabled meanwhile).
    pub gateway_starting: &'static str,
    pub gateway_stopping: &'static str,
    pub start_at_login: &'static str,
    pub quit: &'static str,
    pub running: &'static str,
    pub needs_login: &'static str,
    pub stopped: &'static str,
    pub error: &'static str,
    /// Joins the status and the address: "running at http://…".
    pub at: &'static str,
    /// The tooltip's request counts: "in flight: 2 · queued: 1".
    pub in_flight: &'static str,
    pub queued: &'static str,
    pub demo: &'static str,
    pub simulator: &'static str,
}

const EN: TrayLabels = TrayLabels {
    product: "Taiji Gateway",
    open: "Open Taiji Gateway",
    open_chat: "Open chat",
    copy_address: "Copy API address",
    copy_key: "Copy API key",
    gateway_running: "Gateway running",
    gateway_starting: "Starting…",
    gateway_stopping: "Stopping…",
    start_at_login: "Start at login",
    quit: "Quit",
    running: "running",
    needs_login: "sign-in needed",
    stopped: "stopped",
    error: "error",
    at: " at ",
    in_flight: "in flight",
    queued: "queued",
    demo: "DEMO",
    simulator: " (built-in simulator)",
};

const ZH_CN: TrayLabels = TrayLabels {
    product: "太极网关",
    open: "打开太极网关",
    open_chat: "打开对话",
    copy_address: "复制 API 地址",
    copy_key: "复制 API 密钥",
    gateway_running: "网关运行中",
    gateway_starting: "正在启动…",
    gateway_stopping: "正在停止…",
    start_at_login: "登录时启动",
    quit: "退出",
    running: "运行中",
    needs_login: "需要登录",
    stopped: "已停止",
    error: "出错",
    at: "，地址 ",
    in_flight: "进行中",
    queued: "排队",
    demo: "演示",
    simulator: "（内置模拟器）",
};

/// The notifications' strings in one language (the title is the product name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationLabels {
    /// Before the reason: "Sign-in failed: ".
    pub sign_in_failed: &'static str,
    /// Before the message: "The gateway stopped: ".
    pub gateway_failed: &'static str,
    /// Around the numbers of the low-points notice.
    pub low_points_left: &'static str,
    pub low_points_below: &'static str,
    pub low_points_end: &'static str,
}

impl NotificationLabels {
    /// "Points are low: 42 left (below 100)".
    pub fn low_points(&self, points: i64, threshold: u64) -> String {
        format!(
            "{}{points}{}{threshold}{}",
            self.low_points_left, self.low_points_below, self.low_points_end
        )
    }
}

const EN_NOTIFICATIONS: NotificationLabels = NotificationLabels {
    sign_in_failed: "Sign-in failed: ",
    gateway_failed: "The gateway stopped: ",
    low_points_left: "Points are low: ",
    low_points_below: " left (below ",
    low_points_end: ")",
};

const ZH_CN_NOTIFICATIONS: NotificationLabels = NotificationLabels {
    sign_in_failed: "登录失败：",
    gateway_failed: "网关已停止：",
    low_points_left: "积分不足：剩余 ",
    low_points_below: "（低于 ",
    low_points_end: "）",
};

impl UiLanguage {
    /// The notifications' strings in this language.
    pub const fn notifications(self) -> &'static NotificationLabels {
        match self {
            Self::ZhCn => &ZH_CN_NOTIFICATIONS,
            Self::En => &EN_NOTIFICATIONS,
        }
    }

    /// The language of a locale tag such as `zh-CN`, `zh_CN.UTF-8` or `en-US`: any Chinese tag is
    /// Simplified Chinese (the site's language), anything else English.
    pub fn from_locale(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("zh") {
            Self::ZhCn
        } else {
            Self::En
        }
    }

    /// The language of the process's locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), used by the tray
    /// until the UI says which language it chose.
    pub fn from_env() -> Self {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .map_or(Self::En, |value| Self::from_locale(&value))
    }

    /// The tray's strings in this language.
    pub const fn tray(self) -> &'static TrayLabels {
        match self {
            Self::ZhCn => &ZH_CN,
            Self::En => &EN,
        }
    }
}

impl TrayLabels {
    /// A status in this language, with the error's own message (the core's or the site's words).
    pub fn status(&self, status: &GatewayStatus) -> String {
        match status {
            GatewayStatus::Running => self.running.to_owned(),
            GatewayStatus::NeedsLogin => self.needs_login.to_owned(),
            GatewayStatus::Stopped => self.stopped.to_owned(),
            GatewayStatus::Error { message } => format!("{}: {message}", self.error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_locales_pick_chinese_and_the_rest_english() {
        assert_eq!(UiLanguage::from_locale("zh-CN"), UiLanguage::ZhCn);
        assert_eq!(UiLanguage::from_locale("zh_CN.UTF-8"), UiLanguage::ZhCn);
        assert_eq!(UiLanguage::from_locale("zh-TW"), UiLanguage::ZhCn);
        assert_eq!(UiLanguage::from_locale("en_US.UTF-8"), UiLanguage::En);
        assert_eq!(UiLanguage::from_locale("C"), UiLanguage::En);
    }

    #[test]
    fn the_ui_tags_deserialise_and_unknown_ones_are_refused() {
        let zh: UiLanguage = serde_json::from_str("\"zh-CN\"").expect("zh-CN");
        assert_eq!(zh, UiLanguage::ZhCn);
        let en: UiLanguage = serde_json::from_str("\"en\"").expect("en");
        assert_eq!(en, UiLanguage::En);
        assert!(serde_json::from_str::<UiLanguage>("\"fr\"").is_err());
    }

    #[test]
    fn both_tables_label_every_item() {
        for language in [UiLanguage::ZhCn, UiLanguage::En] {
            let labels = language.tray();
            for text in [
                labels.open,
                labels.copy_address,
                labels.copy_key,
                labels.gateway_running,
                labels.gateway_starting,
                labels.gateway_stopping,
                labels.start_at_login,
                labels.quit,
            ] {
                assert!(!text.is_empty(), "{language:?}");
            }
        }
        assert_ne!(UiLanguage::ZhCn.tray().quit, UiLanguage::En.tray().quit);
    }
}
