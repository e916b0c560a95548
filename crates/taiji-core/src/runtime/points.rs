//! The account's points and daily check-in (taiji-protocol.md §3.10) as the hosts use them: the
//! balance (`user_plan`), this month's check-in calendar and the claim (`gift_sign`). The last
//! balance read is published on a watch channel, so a host can warn about low points without
//! asking the site itself.

use time::{Month, OffsetDateTime, UtcOffset};

use super::{Core, CoreError};
use crate::upstream::{CheckInCalendar, CheckInReward, PointsBalance};

/// The site counts days in China time (UTC+8), whatever the user's zone.
const CHINA: UtcOffset = time::macros::offset!(+8);

/// Today on the site's calendar, "YYYY-MM-DD".
pub fn site_today() -> String {
    let now = OffsetDateTime::now_utc().to_offset(CHINA);
    format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
}

/// A month's check-ins with the site's today, so a host can tell whether today is claimed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckInMonth {
    /// The month's check-ins.
    #[serde(flatten)]
    pub calendar: CheckInCalendar,
    /// Today on the site's calendar ("YYYY-MM-DD", China time).
    pub today: String,
    /// Whether today is among the month's check-ins.
    pub checked_in_today: bool,
}

impl Core {
    /// The remaining points and the plans they come from; published to
    /// [`Core::subscribe_points`] too. Safe to retry (no points are spent).
    pub async fn points_balance(&self) -> Result<PointsBalance, CoreError> {
        self.require_credentials()?;
        let balance = self.inner.account.user_plan().await?;
        self.inner.points.send_replace(Some(balance.clone()));
        Ok(balance)
    }

    /// The last balance read by [`Core::points_balance`] (`None` before the first).
    pub fn subscribe_points(&self) -> tokio::sync::watch::Receiver<Option<PointsBalance>> {
        self.inner.points.subscribe()
    }

    /// The check-ins of one month, by default the site's current month.
    pub async fn check_in_calendar(&self, month: Option<(i32, Month)>) -> Result<CheckInMonth, CoreError> {
        self.require_credentials()?;
        let now = OffsetDateTime::now_utc().to_offset(CHINA);
        let (year, month) = month.unwrap_or((now.year(), now.month()));
        let calendar = self
            .inner
            .account
            .check_in_calendar(year, u8::from(month))
            .await?;
        let today = site_today();
        let checked_in_today = calendar.days.iter().any(|day| day.ymd == today);
        Ok(CheckInMonth {
            calendar,
            today,
            checked_in_today,
        })
    }

    /// Claims today's check-in. "Already checked in today" is the site's business error
    /// ([`crate::upstream::UpstreamError::Api`] inside [`CoreError::Upstream`]); its message is
    /// the site's own. A successful claim adds points, so the balance is read again after it.
    pub async fn check_in(&self) -> Result<CheckInReward, CoreError> {
        self.require_credentials()?;
        let reward = self.inner.account.check_in().await?;
        if let Ok(balance) = self.inner.account.user_plan().await {
            self.inner.points.send_replace(Some(balance));
        }
        Ok(reward)
    }
}
