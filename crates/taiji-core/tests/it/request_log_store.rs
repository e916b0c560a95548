//! Integration tests of the request log: restart, concurrent writers, live broadcast, queries,
//! aggregates, exports, retention and the pending session deletions. Every test opens its own
//! database in a temporary directory.

use std::time::Duration;

use taiji_core::chat::{RequestSource, Usage};
use taiji_core::request_log::{
    EntryPatch, EntryStatus, FailureClass, LogFilter, NewEntry, PreviewPolicy, RequestLog, RequestLogError,
    RequestLogOptions, RetentionPolicy,
};
use taiji_core::upstream::ErrorClass;
use time::{OffsetDateTime, UtcOffset};

fn source(api: &str, key: &str) -> RequestSource {
    RequestSource {
        api: api.to_owned(),
        key_name: Some(key.to_owned()),
        user_agent: Some("test-agent/1.0".to_owned()),
    }
}

fn entry(model: &str) -> NewEntry {
    NewEntry::new(source("openai", "cherry"), "/v1/chat/completions", model, true)
}

fn entry_at(model: &str, started_at: OffsetDateTime) -> NewEntry {
    NewEntry {
        started_at,
        ..entry(model)
    }
}

fn usage(total: u64, points: i64) -> Usage {
    Usage {
        prompt_tokens: total / 2,
        completion_tokens: total - total / 2,
        total_tokens: total,
        points,
    }
}

fn open(dir: &std::path::Path) -> RequestLog {
    RequestLog::open(dir, RetentionPolicy::default()).expect("opens")
}

/// The filter for one model's entries.
fn model_filter(model: &str) -> LogFilter {
    LogFilter {
        model: Some(model.to_owned()),
        ..LogFilter::default()
    }
}

#[tokio::test]
async fn an_entry_goes_through_its_life_cycle_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let id = {
        let log = open(dir.path());
        let id = log.begin(entry("gpt-4.1-mini")).await.expect("begins");
        log.update(&id, EntryPatch::streaming(12))
            .await
            .expect("streaming");
        log.update(
            &id,
            EntryPatch {
                first_token_ms: Some(340),
                ..EntryPatch::default()
            },
        )
        .await
        .expect("first token");
        let done = log
            .update(&id, EntryPatch::done(200, 1500, Some(usage(100, 3000))))
            .await
            .expect("done");
        assert_eq!(done.status, EntryStatus::Done);
        id
    };
    let log = open(dir.path());
    let stored = log.get(&id).await.expect("kept across the restart");
    assert_eq!(stored.status, EntryStatus::Done);
    assert_eq!(stored.source, source("openai", "cherry"));
    assert_eq!(stored.endpoint, "/v1/chat/completions");
    assert!(stored.stream);
    assert_eq!(stored.http_status, Some(200));
    assert_eq!(stored.queue_wait_ms, Some(12));
    assert_eq!(stored.first_token_ms, Some(340));
    assert_eq!(stored.duration_ms, Some(1500));
    assert_eq!(stored.total_tokens, Some(100));
    assert_eq!(stored.prompt_tokens, Some(50));
    assert_eq!(stored.points, Some(3000));
    assert_eq!(stored.error_class, None);
}

#[tokio::test]
async fn updating_an_unknown_entry_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = open(dir.path());
    let error = log
        .update("no-such-id", EntryPatch::cancelled(1))
        .await
        .expect_err("unknown id");
    assert!(matches!(error, RequestLogError::NotFound(_)), "{error}");
}

/// Concurrent writes are committed in groups; each caller is answered only after its group's
/// commit, so what it wrote is visible to every reader as soon as its call returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_writers_lose_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = open(dir.path());
    let tasks: Vec<_> = (0..200)
        .map(|index| {
            let log = log.clone();
            tokio::spawn(async move {
                let id = log
                    .begin(entry(&format!("model-{}", index % 5)))
                    .await
                    .expect("begins");
                log.update_in_background(&id, EntryPatch::streaming(1));
                log.update(&id, EntryPatch::done(200, 10, Some(usage(10, 1))))
                    .await
                    .expect("finishes");
                let stored = log.get(&id).await.expect("reads back");
                assert_eq!(stored.status, EntryStatus::Done);
                assert_eq!(stored.queue_wait_ms, Some(1));
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task joined");
    }
    let page = log.query(LogFilter::default(), 0, 10).await.expect("queries");
    assert_eq!(page.total, 200);
    let done = log
        .query(
            LogFilter {
                statuses: vec![EntryStatus::Done],
                ..LogFilter::default()
            },
            0,
            1,
        )
        .await
        .expect("queries");
    assert_eq!(done.total, 200);
}

#[tokio::test]
async fn changes_are_broadcast_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = open(dir.path());
    let mut live = log.subscribe();
    let id = log.begin(entry("m")).await.expect("begins");
    log.update(&id, EntryPatch::streaming(0))
        .await
        .expect("streaming");
    log.update(
        &id,
        EntryPatch::failed(
            Some(429),
            FailureClass::Upstream(ErrorClass::QuotaExhausted),
            "积分不足",
            5,
        ),
    )
    .await
    .expect("failed");
    let mut seen = Vec::new();
    for _ in 0..3 {
        let entry = live.recv().await.expect("an event");
        assert_eq!(entry.id, id);
        seen.push(entry.status);
    }
    assert_eq!(
        seen,
        [EntryStatus::Queued, EntryStatus::Streaming, EntryStatus::Failed]
    );
}

#[tokio::test]
async fn queries_filter_and_paginate_newest_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = open(dir.path());
    let base = OffsetDateTime::now_utc() - Duration::from_secs(3600);
    for index in 0..25u64 {
        let model = if index % 2 == 0 {
            "gpt-4.1-mini"
        } else {
            "claude-sonnet-4-6"
        };
        let mut new = entry_at(model, base + Duration::from_secs(index * 60));
        if index % 5 == 0 {
            new.source = source("anthropic", "claude-code");
        }
        let id = log.begin(new).await.expect("begins");
        let patch = if index % 3 == 0 {
            EntryPatch::failed(
                Some(502),
                FailureClass::Upstream(ErrorClass::LoginExpired),
                format!("upstream said no #{index}"),
                9,
            )
        } else {
            EntryPatch::done(200, 9, None)
        };
        log.update(&id, patch).await.expect("updates");
    }

    let all = log.query(LogFilter::default(), 0, 10).await.expect("page 0");
    assert_eq!(all.total, 25);
    assert_eq!(all.entries.len(), 10);
    assert!(
        all.entries
            .windows(2)
            .all(|pair| pair[0].started_at >= pair[1].started_at),
        "newest first"
    );
    let last = log.query(LogFilter::default(), 2, 10).await.expect("page 2");
    assert_eq!(last.entries.len(), 5);
    let beyond = log.query(LogFilter::default(), 9, 10).await.expect("page 9");
    assert!(beyond.entries.is_empty());
    assert_eq!(beyond.total, 25);
    let mut ids: Vec<String> = Vec::new();
    for page in 0..3 {
        let page = log.query(LogFilter::default(), page, 10).await.expect("page");
        ids.extend(page.entries.into_iter().map(|entry| entry.id));
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 25, "pages neither overlap nor skip");

    let by_model = model_filter("GPT-4.1-MINI");
    assert_eq!(log.query(by_model, 0, 100).await.expect("q").total, 13);

    let failed = LogFilter {
        statuses: vec![EntryStatus::Failed],
        ..LogFilter::default()
    };
    assert_eq!(log.query(failed, 0, 100).await.expect("q").total, 9);

    let by_source = LogFilter {
        api: Some("anthropic".to_owned()),
        key_name: Some("claude-code".to_owned()),
        ..LogFilter::default()
    };
    assert_eq!(log.query(by_source, 0, 100).await.expect("q").total, 5);

    let text = LogFilter {
        text: Some("said no #12".to_owned()),
        ..LogFilter::default()
    };
    let found = log.query(text, 0, 100).await.expect("q");
    assert_eq!(found.total, 1);
    assert_eq!(
        found.entries[0].error_message.as_deref(),
        Some("upstream said no #12")
    );

    let wildcard = LogFilter {
        text: Some("%".to_owned()),
        ..LogFilter::default()
    };
    assert_eq!(
        log.query(wildcard, 0, 100).await.expect("q").total,
        0,
        "LIKE wildcards match literally"
    );

    let window = LogFilter {
        from: Some(base + Duration::from_secs(10 * 60)),
        to: Some(base + Duration::from_secs(20 * 60)),
        ..LogFilter::default()
    };
    assert_eq!(log.query(window, 0, 100).await.expect("q").total, 10);
}

#[tokio::test]
async fn aggregates_group_by_day_and_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = open(dir.path());
    let day_one = time::macros::datetime!(2026-03-01 10:00 UTC);
    let day_two = time::macros::datetime!(2026-03-02 23:30 UTC);
    let rows = [
        (day_one, "a", true, 100, 10),
        (day_one, "a", false, 50, 5),
        (day_one, "b", true, 10, 1),
        (day_two, "a", true, 7, 2),
    ];
    for (at, model, ok, tokens, points) in rows {
        let id = log.begin(entry_at(model, at)).await.expect("begins");
        let patch = if ok {
            EntryPatch::done(200, 1, Some(usage(tokens, points)))
        } else {
            EntryPatch {
                usage: Some(usage(tokens, points)),
                ..EntryPatch::failed(Some(500), FailureClass::Upstream(ErrorClass::Upstream), "boom", 1)
            }
        };
        log.update(&id, patch).await.expect("updates");
    }
    // Retention would remove these old rows at the next pass; the test queries before that and
    // filters by time so it is independent of the clock.
    let filter = LogFilter {
        from: Some(day_one - Duration::from_secs(86_400)),
        to: Some(day_two + Duration::from_secs(86_400)),
        ..LogFilter::default()
    };
    let stats = log
        .aggregates(filter.clone(), UtcOffset::UTC)
        .await
        .expect("aggregates");
    let summary: Vec<_> = stats
        .iter()
        .map(|row| {
            (
                row.day.as_str(),
                row.model.as_str(),
                row.requests,
                row.errors,
                row.total_tokens,
                row.points,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("2026-03-01", "a", 2, 1, 150, 15),
            ("2026-03-01", "b", 1, 0, 10, 1),
            ("2026-03-02", "a", 1, 0, 7, 2),
        ]
    );
    // Shanghai time moves the 23:30 UTC request to the next day.
    let shanghai = UtcOffset::from_hms(8, 0, 0).expect("offset");
    let local = log.aggregates(filter, shanghai).await.expect("aggregates");
    assert!(local.iter().any(|row| row.day == "2026-03-03"));
}

#[tokio::test]
async fn exports_write_csv_and_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = open(dir.path());
    let id = log.begin(entry("gpt-4.1-mini")).await.expect("begins");
    log.update(
        &id,
        EntryPatch::failed(
            Some(400),
            FailureClass::Upstream(ErrorClass::InputTooLong),
            "too long, \"quoted\"",
            3,
        ),
    )
    .await
    .expect("updates");
    log.begin(entry("claude-sonnet-4-6")).await.expect("begins");

    let csv = log
        .export_csv(LogFilter::default(), Vec::new())
        .await
        .expect("csv");
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(&headers[0], "id");
    assert!(headers.iter().any(|name| name == "points"));
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("records");
    assert_eq!(records.len(), 2);
    let message_column = headers
        .iter()
        .position(|name| name == "error_message")
        .expect("column");
    assert_eq!(&records[0][message_column], "too long, \"quoted\"");

    let json = log
        .export_json(model_filter("gpt-4.1-mini"), Vec::new())
        .await
        .expect("json");
    let parsed: Vec<serde_json::Value> = serde_json::from_slice(&json).expect("a JSON array");
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0]["id"], id);
    assert_eq!(parsed[0]["status"], "failed");
    assert_eq!(parsed[0]["source"]["key_name"], "cherry");

    let empty = log
        .export_csv(model_filter("none"), Vec::new())
        .await
        .expect("csv");
    let text = String::from_utf8(empty).expect("utf-8");
    assert!(text.starts_with("id,started_at,"), "{text}");
    let empty_json = log
        .export_json(model_filter("none"), Vec::new())
        .await
        .expect("json");
    let parsed: Vec<serde_json::Value> = serde_json::from_slice(&empty_json).expect("array");
    assert!(parsed.is_empty());
}

#[tokio::test]
async fn retention_deletes_by_age_and_by_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = RequestLog::open(
        dir.path(),
        RetentionPolicy {
            max_age_days: 30,
            max_rows: 10,
            max_mb: 200,
        },
    )
    .expect("opens");
    let now = OffsetDateTime::now_utc();
    for days in [45, 40, 31] {
        log.begin(entry_at("old", now - Duration::from_secs(days * 86_400)))
            .await
            .expect("old entry");
    }
    for minutes in 0..15u64 {
        log.begin(entry_at("new", now - Duration::from_secs(minutes * 60)))
            .await
            .expect("new entry");
    }
    let report = log.enforce_retention_now().await.expect("retention");
    assert_eq!(report.by_age, 3);
    assert_eq!(report.by_count, 5);
    let kept = log.query(LogFilter::default(), 0, 100).await.expect("q");
    assert_eq!(kept.total, 10);
    assert!(kept.entries.iter().all(|entry| entry.model == "new"));
    // The newest ten are the ones kept.
    let oldest_kept = kept
        .entries
        .iter()
        .map(|entry| entry.started_at)
        .min()
        .expect("some");
    assert!(oldest_kept >= now - Duration::from_secs(9 * 60 + 1));

    // Limits change live.
    log.set_retention(RetentionPolicy {
        max_age_days: 30,
        max_rows: 3,
        max_mb: 200,
    })
    .expect("set");
    let report = log.enforce_retention_now().await.expect("retention");
    assert_eq!(report.by_count, 7);
}

#[tokio::test]
async fn retention_keeps_the_database_under_its_size_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = RequestLog::open_with(
        dir.path(),
        RequestLogOptions {
            retention: RetentionPolicy {
                max_age_days: 30,
                max_rows: 1_000_000,
                max_mb: 1,
            },
            previews: PreviewPolicy {
                enabled: true,
                max_bytes: 16 * 1024,
            },
            ..RequestLogOptions::default()
        },
    )
    .expect("opens");
    // Distinct, incompressible-looking text so SQLite really stores ~32 KiB per row.
    let filler = |seed: usize| -> String {
        (0..16 * 1024)
            .map(|index| char::from(b'a' + ((index * 7 + seed * 13) % 26) as u8))
            .collect()
    };
    for index in 0..120 {
        let mut new = entry("big");
        new.prompt_preview = Some(filler(index));
        let id = log.begin(new).await.expect("begins");
        log.update(
            &id,
            EntryPatch {
                reply_preview: Some(filler(index + 1)),
                ..EntryPatch::done(200, 1, None)
            },
        )
        .await
        .expect("updates");
    }
    let before = std::fs::metadata(log.path()).expect("db").len()
        + std::fs::metadata(log.path().with_extension("sqlite3-wal"))
            .map(|meta| meta.len())
            .unwrap_or(0);
    assert!(before > 2 * 1024 * 1024, "the test wrote {before} bytes");

    let report = log.enforce_retention_now().await.expect("retention");
    assert!(report.by_size > 0);
    let kept = log.query(LogFilter::default(), 0, 1000).await.expect("q");
    assert!(kept.total > 0 && kept.total < 120, "kept {}", kept.total);
    let size = std::fs::metadata(log.path()).expect("db").len();
    assert!(size <= 1024 * 1024 + 64 * 1024, "database is {size} bytes");
}

#[tokio::test]
async fn previews_are_stored_only_when_enabled_and_capped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = open(dir.path());
    let mut new = entry("m");
    new.prompt_preview = Some("private prompt".to_owned());
    let id = log.begin(new).await.expect("begins");
    assert_eq!(log.get(&id).await.expect("get").prompt_preview, None);

    log.set_previews(PreviewPolicy {
        enabled: true,
        max_bytes: 64,
    })
    .expect("set");
    let reply = "x".repeat(500);
    let stored = log
        .update(
            &id,
            EntryPatch {
                reply_preview: Some(reply),
                ..EntryPatch::default()
            },
        )
        .await
        .expect("updates");
    assert_eq!(stored.reply_preview.map(|text| text.len()), Some(64));
}

#[tokio::test]
async fn pending_deletions_back_off_and_survive_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first_id = {
        let log = open(dir.path());
        let first = log
            .add_pending_deletion("462993", "alice@example.com")
            .await
            .expect("added");
        log.add_pending_deletion("462994", "alice@example.com")
            .await
            .expect("added");
        assert_eq!(first.attempts, 0);
        assert!(first.is_due(OffsetDateTime::now_utc()));
        let failed = log
            .record_deletion_attempt(first.id, "connection reset")
            .await
            .expect("recorded")
            .expect("known id");
        assert_eq!(failed.attempts, 1);
        assert_eq!(failed.last_error.as_deref(), Some("connection reset"));
        assert!(!failed.is_due(OffsetDateTime::now_utc()), "backs off");
        let again = log
            .record_deletion_attempt(first.id, "timeout")
            .await
            .expect("recorded")
            .expect("known id");
        assert_eq!(again.attempts, 2);
        assert!(again.next_attempt_at > failed.next_attempt_at);
        assert_eq!(log.record_deletion_attempt(999, "x").await.expect("ok"), None);
        first.id
    };
    let log = open(dir.path());
    let pending = log.pending_deletions().await.expect("listed");
    assert_eq!(pending.len(), 2);
    // The one that is due comes first.
    assert_eq!(pending[0].session_id, "462994");
    assert_eq!(pending[1].id, first_id);
    assert!(log.remove_pending_deletion(first_id).await.expect("removed"));
    assert!(!log.remove_pending_deletion(first_id).await.expect("gone"));
    // Retention never touches the to-do list.
    log.enforce_retention_now().await.expect("retention");
    assert_eq!(log.pending_deletions().await.expect("listed").len(), 1);
}

#[tokio::test]
async fn retention_also_runs_in_the_background_when_the_log_opens() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let log = open(dir.path());
        let old = OffsetDateTime::now_utc() - Duration::from_secs(90 * 86_400);
        log.begin(entry_at("old", old)).await.expect("old entry");
    }
    let log = open(dir.path());
    // The writer thread runs a retention pass before its first job, so once this write is
    // acknowledged the pass has happened.
    log.begin(entry("new")).await.expect("new entry");
    let kept = log.query(LogFilter::default(), 0, 10).await.expect("q");
    assert_eq!(kept.total, 1);
    assert_eq!(kept.entries[0].model, "new");
}
