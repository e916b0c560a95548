//! Wall-clock helpers: Unix seconds for JWTs and the site's "YYYY-MM-DD HH:MM:SS" China-time strings.

use time::{OffsetDateTime, UtcOffset};

/// The site runs on China time (UTC+8) and prints local times without a zone.
const CHINA: UtcOffset = time::macros::offset!(+8);

pub fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

pub fn china_now() -> OffsetDateTime {
    OffsetDateTime::now_utc().to_offset(CHINA)
}

/// `2026-02-26 18:37:31`, formatted by hand because it cannot fail that way.
pub fn datetime(t: OffsetDateTime) -> String {
    format!("{} {:02}:{:02}:{:02}", date(t), t.hour(), t.minute(), t.second())
}

/// `2026-02-26`.
pub fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

pub fn now_string() -> String {
    datetime(china_now())
}
