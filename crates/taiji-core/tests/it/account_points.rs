//! The points balance and the daily check-in through `Core` against the simulator: a chat moves
//! the balance, a claim adds points and shows in this month's calendar, a second claim is the
//! site's business error with its own message, and both calls log in again after an expiry.

use std::time::Duration;

use futures::StreamExt;
use taiji_core::runtime::{CoreError, site_today};
use taiji_core::upstream::UpstreamError;
use taiji_sim::{SimConfig, Simulator};

use crate::support::{dispatch_one, signed_in_core as signed_in};

#[tokio::test]
async fn a_chat_spends_points_from_the_balance() {
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");
    let core = signed_in(&sim, dir.path()).await;
    let mut published = core.subscribe_points();
    assert!(published.borrow().is_none(), "nothing read yet");

    let before = core.points_balance().await.expect("balance");
    assert_eq!(before.points, 100_000_000);
    assert_eq!(before.plans.len(), 1);
    assert_eq!(before.plans[0].usable, before.points);
    assert!(published.has_changed().expect("open"));
    assert_eq!(published.borrow_and_update().as_ref(), Some(&before));

    let mut stream = dispatch_one(&core, "gpt-4.1-mini", "hi").await;
    while let Some(event) = stream.next().await {
        event.expect("no error");
    }
    let spent = sim.control().stats().points_deducted;
    assert!(spent > 0);
    let after = core.points_balance().await.expect("balance");
    assert_eq!(after.points, before.points - spent);
    assert_eq!(after.plans[0].used, spent);
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn check_in_once_a_day_adds_points_and_marks_the_calendar() {
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");
    let core = signed_in(&sim, dir.path()).await;

    let month = core.check_in_calendar(None).await.expect("calendar");
    assert!(month.calendar.days.is_empty());
    assert!(!month.checked_in_today);
    assert_eq!(month.today, site_today());

    let reward = core.check_in().await.expect("first claim");
    assert_eq!(reward.integral, 10);
    assert_eq!(
        core.subscribe_points().borrow().as_ref().map(|b| b.points),
        Some(100_000_010),
        "the claim published the new balance"
    );

    let again = core.check_in().await;
    match again {
        Err(CoreError::Upstream(UpstreamError::Api { code, msg, .. })) => {
            assert_ne!(code, 0);
            assert_eq!(msg, "今日已签到");
        }
        other => panic!("a second claim is a business error: {other:?}"),
    }
    assert_eq!(core.points_balance().await.expect("balance").points, 100_000_010);

    let month = core.check_in_calendar(None).await.expect("calendar");
    assert!(month.checked_in_today);
    assert_eq!(month.calendar.days.len(), 1);
    assert_eq!(month.calendar.days[0].ymd, month.today);
    assert_eq!(month.calendar.days[0].integral, 10);

    let last_year = core
        .check_in_calendar(Some((month.calendar.year - 1, time::Month::January)))
        .await
        .expect("another month");
    assert!(last_year.calendar.days.is_empty());
    assert!(!last_year.checked_in_today);
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn points_and_check_in_log_in_again_after_an_expiry() {
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");
    let core = signed_in(&sim, dir.path()).await;
    core.points_balance().await.expect("balance");
    let logins = sim.control().stats().logins_ok;

    sim.control().expire_all_tokens();
    core.points_balance().await.expect("balance after expiry");
    assert_eq!(sim.control().stats().logins_ok, logins + 1);

    sim.control().expire_all_tokens();
    assert_eq!(core.check_in().await.expect("claim after expiry").integral, 10);
    sim.control().expire_all_tokens();
    let month = core.check_in_calendar(None).await.expect("calendar after expiry");
    assert!(month.checked_in_today, "the retried claim counted once");
    assert_eq!(sim.control().stats().logins_ok, logins + 3);
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn signed_out_cores_ask_nothing() {
    let sim = Simulator::start(SimConfig::default()).await.expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");
    let core = signed_in(&sim, dir.path()).await;
    core.logout().await.expect("logout");
    assert!(matches!(core.points_balance().await, Err(CoreError::NotSignedIn)));
    assert!(matches!(core.check_in().await, Err(CoreError::NotSignedIn)));
    assert!(matches!(
        core.check_in_calendar(None).await,
        Err(CoreError::NotSignedIn)
    ));
}
