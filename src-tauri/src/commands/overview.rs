//! The Overview's account data from the site: the points balance with its plans, this month's
//! check-in calendar and today's claim. In demo mode they come from the demo account.

use taiji_core::runtime::{CheckInMonth, CoreError};
use taiji_core::upstream::{CheckInReward, PointsBalance, UpstreamError};
use tauri::State;

use super::{CommandError, ErrorKind};
use crate::state::AppState;

/// The remaining points (non-expired plans) and every plan.
#[tauri::command]
pub async fn points_balance(state: State<'_, AppState>) -> Result<PointsBalance, CommandError> {
    Ok(state.active_core().points_balance().await?)
}

/// The check-ins of `year`/`month` (both or neither; by default the site's current month).
#[tauri::command(rename_all = "snake_case")]
pub async fn check_in_calendar(
    state: State<'_, AppState>,
    year: Option<i32>,
    month: Option<u8>,
) -> Result<CheckInMonth, CommandError> {
    let month = match (year, month) {
        (Some(year), Some(month)) => Some((year, month_of(month)?)),
        (None, None) => None,
        _ => {
            return Err(CommandError::new(
                ErrorKind::Invalid,
                "give both a year and a month, or neither",
            ));
        }
    };
    Ok(state.active_core().check_in_calendar(month).await?)
}

/// Claims today's check-in. When the site refuses (already checked in today), the message is the
/// site's own words, shown as they are.
#[tauri::command]
pub async fn check_in(state: State<'_, AppState>) -> Result<CheckInReward, CommandError> {
    state.active_core().check_in().await.map_err(claim_error)
}

fn month_of(month: u8) -> Result<time::Month, CommandError> {
    time::Month::try_from(month)
        .map_err(|_| CommandError::new(ErrorKind::Invalid, format!("there is no month {month}")))
}

/// A business refusal of the claim keeps the site's message alone; anything else is an ordinary
/// command error.
fn claim_error(error: CoreError) -> CommandError {
    match error {
        CoreError::Upstream(UpstreamError::Api { msg, .. }) if !msg.trim().is_empty() => {
            CommandError::new(ErrorKind::Upstream, msg)
        }
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_already_claimed_day_shows_the_sites_message_alone() {
        let refused = CoreError::Upstream(UpstreamError::Api {
            code: 1,
            msg: String::from("今日已签到"),
            http_status: 200,
            reached_model: false,
        });
        assert_eq!(
            claim_error(refused),
            CommandError::new(ErrorKind::Upstream, "今日已签到")
        );
        assert_eq!(claim_error(CoreError::NotSignedIn).kind, ErrorKind::NotSignedIn);
    }

    #[test]
    fn months_outside_the_year_are_refused() {
        assert_eq!(month_of(12).expect("December"), time::Month::December);
        assert_eq!(month_of(0).expect_err("no month 0").kind, ErrorKind::Invalid);
        assert_eq!(month_of(13).expect_err("no month 13").kind, ErrorKind::Invalid);
    }
}
