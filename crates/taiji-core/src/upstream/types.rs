//! Typed results of the non-streaming calls (user info, sessions, points plans) and the input of
//! a completions call. Parsing is lenient about extra and missing fields, because the site adds
//! fields between versions (taiji-protocol.md §9).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::chat::UpstreamFile;

/// `GET /api/user/info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// The upstream user id.
    #[serde(deserialize_with = "lenient_u64")]
    pub id: u64,
    /// Display name.
    #[serde(default)]
    pub nickname: String,
    /// E-mail, when the account has one.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number, when the account has one.
    #[serde(default)]
    pub phone: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
}

/// A chat session (`POST /api/chat/session`, and the records of the session list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The session id used by completions and delete.
    #[serde(deserialize_with = "lenient_u64")]
    pub id: u64,
    /// The model id the session answers with.
    #[serde(default)]
    pub model: String,
    /// The session title ("新对话" for new ones).
    #[serde(default)]
    pub name: String,
    /// How many past messages the server replays into each turn.
    #[serde(rename = "contextCount", default)]
    pub context_count: Option<i64>,
    /// The platform-injected system prompt.
    #[serde(default)]
    pub prompt: Option<String>,
    /// Creation time as the server wrote it ("YYYY-MM-DD HH:MM:SS", China time).
    #[serde(default)]
    pub created: Option<String>,
}

/// One page of `GET /api/chat/session?page=N`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPage {
    /// This page's number (1-based).
    #[serde(default)]
    pub page: u32,
    /// The number of pages.
    #[serde(default)]
    pub pages: u32,
    /// The number of sessions in all pages.
    #[serde(default)]
    pub total: u64,
    /// The sessions on this page, newest first.
    #[serde(default)]
    pub records: Vec<SessionInfo>,
}

/// One points plan of `GET /api/user_plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PointsPlan {
    /// Plan name.
    #[serde(default)]
    pub name: String,
    /// Points still usable.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub usable: i64,
    /// Points the plan started with.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub total: i64,
    /// Points spent from it (`use`).
    #[serde(rename = "use", default, deserialize_with = "lenient_i64")]
    pub used: i64,
    /// Points it grants each day (`eachDay`; 0 for a one-off plan).
    #[serde(rename = "eachDay", default, deserialize_with = "lenient_i64")]
    pub each_day: i64,
    /// Expiry time as the server wrote it.
    #[serde(default)]
    pub expire: Option<String>,
    /// Whether the plan has expired (`isExpire`, a boolean or 0/1).
    #[serde(rename = "isExpire", default, deserialize_with = "lenient_bool")]
    pub expired: bool,
}

/// The account's points: the sum of `usable` over plans that have not expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PointsBalance {
    /// Remaining points.
    pub points: i64,
    /// Every plan, expired ones included.
    pub plans: Vec<PointsPlan>,
}

impl PointsBalance {
    /// Sums the non-expired plans.
    pub fn from_plans(plans: Vec<PointsPlan>) -> Self {
        let points = plans.iter().filter(|p| !p.expired).map(|p| p.usable).sum();
        Self { points, plans }
    }
}

/// One day of the check-in calendar (`GET /api/gift_sign`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckInDay {
    /// The day checked in, "YYYY-MM-DD" (China time).
    pub ymd: String,
    /// Points granted that day.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub integral: i64,
}

/// The check-ins of one month (`GET /api/gift_sign?year=YYYY&month=M`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckInCalendar {
    /// The year asked for.
    pub year: i32,
    /// The month asked for (1–12).
    pub month: u8,
    /// The days checked in, as the site listed them.
    pub days: Vec<CheckInDay>,
}

/// The answer of a successful claim (`POST /api/gift_sign`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckInReward {
    /// Points granted (`data.integral`; 10 observed).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub integral: i64,
}

/// One message to send with `POST /api/chat/completions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRequest {
    /// The session (its model answers).
    pub session_id: u64,
    /// The session's model id. Sent as `model`, which 3.x sites require and 2.x sites ignore.
    pub model: Option<String>,
    /// The one user text (the flattened transcript).
    pub text: String,
    /// Image attachments as data URLs.
    pub files: Vec<UpstreamFile>,
    /// `reasoningEffort` (3.x): sent only when `Some`; the caller checked the model declares it.
    pub reasoning_effort: Option<String>,
}

fn lenient_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| serde::de::Error::custom("id is not a u64")),
        Value::String(s) => s.trim().parse().map_err(serde::de::Error::custom),
        other => Err(serde::de::Error::custom(format!("id is not a number: {other}"))),
    }
}

fn lenient_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)).unwrap_or(0),
        Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

fn lenient_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Bool(b) => b,
        Value::Number(n) => n.as_i64().is_some_and(|n| n != 0),
        Value::String(s) => matches!(s.trim(), "1" | "true"),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn balance_skips_expired_plans() {
        let plans: Vec<PointsPlan> = serde_json::from_value(json!([
            {"name": "月卡", "usable": 1000, "total": 2000, "use": 1000, "expire": "2026-12-01 00:00:00", "isExpire": false},
            {"name": "旧卡", "usable": "500", "total": 500, "isExpire": 1},
            {"name": "赠送", "usable": 10}
        ]))
        .expect("plans parse");
        let balance = PointsBalance::from_plans(plans);
        assert_eq!(balance.points, 1010);
        assert_eq!(balance.plans.len(), 3);
    }

    #[test]
    fn session_object_parses() {
        let session: SessionInfo = serde_json::from_value(json!({
            "id": 493584, "created": "2026-02-26 18:37:31", "uid": 12345, "name": "新对话",
            "model": "gpt-4.1-mini", "maxToken": 0, "contextCount": 10, "prompt": "请做一名合规助手",
            "plugins": [], "mcp": [], "localPlugins": null
        }))
        .expect("session parses");
        assert_eq!(session.id, 493584);
        assert_eq!(session.context_count, Some(10));
    }
}
