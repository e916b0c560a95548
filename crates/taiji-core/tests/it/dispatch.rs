//! The dispatcher against the simulator, through the public API of `taiji-core`: isolation of
//! concurrent conversations, the concurrency limit, cancellation, login expiry, the never-resend
//! rule, retries before anything is billed, guaranteed session deletion (also across a restart)
//! and the request log. Every test ends with no session left open upstream.

use std::collections::HashSet;
use std::time::Duration;

use futures::StreamExt;
use futures::future::join_all;
use taiji_core::account::{Account, Credentials};
use taiji_core::chat::{ChatEvent, ChatRequest, RequestSource, Usage};
use taiji_core::dispatch::{
    ChatStream, DispatchError, DispatchEventKind, Dispatcher, DispatcherConfig, PacingConfig,
};
use taiji_core::model::Catalog;
use taiji_core::request_log::{EntryStatus, RequestLog, RetentionPolicy};
use taiji_core::upstream::{ErrorClass, UpstreamClient, UpstreamConfig};
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, Fault, FaultKind, FaultTarget, SimConfig, SimStats, Simulator};
use tempfile::TempDir;

const WAIT: Duration = Duration::from_secs(5);

struct Harness {
    sim: Simulator,
    dispatcher: Dispatcher,
    catalog: Catalog,
    dir: TempDir,
}

fn test_config() -> DispatcherConfig {
    DispatcherConfig {
        pacing: PacingConfig::disabled(),
        retry_backoff: Duration::from_millis(10),
        max_retry_wait: Duration::from_millis(50),
        ..DispatcherConfig::default()
    }
}

fn account_for(sim: &Simulator) -> Account {
    let config = UpstreamConfig {
        base_url: sim.base_url().to_owned(),
        ..UpstreamConfig::default()
    };
    let client = UpstreamClient::new(config).expect("valid upstream config");
    Account::new(client, Credentials::new(DEMO_ACCOUNT, DEMO_PASSWORD))
}

async fn harness_with(sim_config: SimConfig, config: DispatcherConfig) -> Harness {
    let sim = Simulator::start(sim_config).await.expect("simulator starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let log = RequestLog::open(dir.path(), RetentionPolicy::default()).expect("request log opens");
    let account = account_for(&sim);
    let catalog = account.catalog().await.expect("catalog");
    let dispatcher = Dispatcher::new(account, log, config);
    Harness {
        sim,
        dispatcher,
        catalog,
        dir,
    }
}

async fn harness() -> Harness {
    harness_with(SimConfig::default(), test_config()).await
}

/// A simulator that streams one frame every `delay`, so a request is still running when the
/// test acts on it.
fn paced(delay_ms: u64) -> SimConfig {
    SimConfig {
        frame_delay: Duration::from_millis(delay_ms),
        ..SimConfig::default()
    }
}

impl Harness {
    fn request(&self, model: &str, text: &str) -> ChatRequest {
        let model = self
            .catalog
            .models
            .iter()
            // A bare id matches the 3.4.0 dialect's `provider::model` value too.
            .find(|m| m.id == model || m.id.rsplit("::").next() == Some(model))
            .unwrap_or_else(|| panic!("{model} is in the simulator's catalog"))
            .clone();
        let mut request = ChatRequest::new(model, text, Vec::new(), RequestSource::default());
        request.endpoint = "/v1/chat/completions".to_owned();
        request
    }

    /// Dispatches `text` to `gpt-4.1-mini` and collects everything the request produces.
    async fn run(&self, text: &str) -> Collected {
        collect(self.dispatcher.dispatch(self.request("gpt-4.1-mini", text))).await
    }

    /// Starts a long answer; returns the request's id, its stream and the first event, which
    /// must arrive.
    async fn start_long(&self) -> (String, ChatStream, ChatEvent) {
        let request = self.request("gpt-4.1-mini", "[[sim:long=5000]]");
        let id = request.id.clone();
        let mut stream = self.dispatcher.dispatch(request);
        let first = stream.next().await.expect("a first event").expect("not an error");
        (id, stream, first)
    }

    fn stats(&self) -> SimStats {
        self.sim.control().stats()
    }

    async fn wait_for(&self, what: &str, pred: impl Fn(&SimStats) -> bool) {
        let ok = self.sim.control().wait_for(pred, WAIT).await;
        assert!(ok, "timed out waiting for {what}: {:?}", self.stats());
    }

    /// The invariant every test ends with: nothing left open upstream.
    async fn assert_no_open_session(&self) {
        self.wait_for("all sessions deleted", |s| s.sessions_open == 0)
            .await;
    }
}

/// Everything one request produced.
#[derive(Debug, Default)]
struct Collected {
    reasoning: String,
    text: String,
    usage: Option<Usage>,
    finished: bool,
    error: Option<DispatchError>,
}

async fn collect(mut stream: ChatStream) -> Collected {
    let mut out = Collected::default();
    while let Some(item) = stream.next().await {
        match item {
            Ok(ChatEvent::ReasoningDelta(piece)) => out.reasoning.push_str(&piece),
            Ok(ChatEvent::TextDelta(piece)) => out.text.push_str(&piece),
            Ok(ChatEvent::Usage(usage)) => out.usage = Some(usage),
            Ok(ChatEvent::Finished { .. }) => out.finished = true,
            Err(error) => out.error = Some(error),
        }
    }
    out
}

fn upstream_class(error: &Option<DispatchError>) -> Option<ErrorClass> {
    error.as_ref().and_then(DispatchError::upstream_class)
}

#[tokio::test]
async fn a_request_streams_its_answer_with_usage_and_deletes_its_session() {
    let h = harness().await;
    let mut events = h.dispatcher.subscribe();
    let request = h.request("gpt-4.1-mini", "请用一句话介绍太极");
    let id = request.id.clone();

    let out = collect(h.dispatcher.dispatch(request)).await;

    assert!(out.finished, "{out:?}");
    assert!(out.error.is_none(), "{out:?}");
    assert!(
        out.text.contains("请用一句话介绍太极"),
        "the reply echoes what the model received: {}",
        out.text
    );
    let usage = out.usage.expect("usage from the final record");
    assert!(
        usage.prompt_tokens > 0 && usage.completion_tokens > 0,
        "{usage:?}"
    );
    assert_eq!(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
    assert_eq!(usage.points, 1, "gpt-4.1-mini costs one point per message");
    h.wait_for("the session deleted", |s| {
        s.sessions_created == 1 && s.sessions_deleted == 1
    })
    .await;

    let mut kinds = Vec::new();
    while let Ok(event) = events.try_recv() {
        assert_eq!(event.request_id, id);
        kinds.push(event.kind);
    }
    assert!(
        matches!(kinds.first(), Some(DispatchEventKind::Queued { .. })),
        "{kinds:?}"
    );
    assert!(
        matches!(kinds.get(1), Some(DispatchEventKind::Started { .. })),
        "{kinds:?}"
    );
    assert!(
        matches!(kinds.get(2), Some(DispatchEventKind::FirstToken { .. })),
        "{kinds:?}"
    );
    assert!(
        matches!(kinds.last(), Some(DispatchEventKind::Finished { usage: u, .. }) if *u == usage),
        "{kinds:?}"
    );

    let entry = h
        .dispatcher
        .request_log()
        .get(&id)
        .await
        .expect("the request is logged");
    assert_eq!(entry.status, EntryStatus::Done);
    assert_eq!(entry.model.rsplit("::").next(), Some("gpt-4.1-mini"));
    assert_eq!(entry.endpoint, "/v1/chat/completions");
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn twenty_concurrent_conversations_stay_isolated() {
    let h = harness_with(
        SimConfig::default(),
        DispatcherConfig {
            concurrency: 5,
            ..test_config()
        },
    )
    .await;
    let markers: Vec<String> = (0..20)
        .map(|i| format!("conversation-marker-{i:02}-zq"))
        .collect();
    let streams: Vec<_> = markers
        .iter()
        .map(|marker| h.dispatcher.dispatch(h.request("gpt-4.1-mini", marker)))
        .collect();

    let results = join_all(streams.into_iter().map(collect)).await;

    for (i, out) in results.iter().enumerate() {
        assert!(out.finished, "conversation {i}: {out:?}");
        assert!(
            out.text.contains(&markers[i]),
            "conversation {i} got its own reply"
        );
        for (j, other) in markers.iter().enumerate() {
            if i != j {
                assert!(
                    !out.text.contains(other.as_str()),
                    "conversation {i} mentions conversation {j}"
                );
            }
        }
    }
    let sessions: HashSet<u64> = h
        .sim
        .control()
        .recent_completions()
        .iter()
        .map(|c| c.session_id)
        .collect();
    assert_eq!(sessions.len(), 20, "every upstream session is used exactly once");
    assert_eq!(h.stats().sessions_created, 20);
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn the_concurrency_limit_holds_and_changes_at_runtime() {
    let h = harness_with(
        paced(20),
        DispatcherConfig {
            concurrency: 1,
            ..test_config()
        },
    )
    .await;
    let long = "[[sim:long=15]]";
    let first_wave: Vec<_> = (0..4)
        .map(|_| h.dispatcher.dispatch(h.request("gpt-4.1-mini", long)))
        .collect();
    let results = join_all(first_wave.into_iter().map(collect)).await;
    assert!(results.iter().all(|out| out.finished), "{results:?}");
    assert_eq!(h.stats().max_concurrent_completions, 1, "limit 1 holds");

    h.dispatcher.set_concurrency(3);
    assert_eq!(h.dispatcher.gauges().borrow().limit, 3);
    let second_wave: Vec<_> = (0..9)
        .map(|_| h.dispatcher.dispatch(h.request("gpt-4.1-mini", long)))
        .collect();
    let results = join_all(second_wave.into_iter().map(collect)).await;
    assert!(results.iter().all(|out| out.finished), "{results:?}");
    let max = h.stats().max_concurrent_completions;
    assert!(max <= 3, "limit 3 holds, saw {max}");
    assert!(
        max > 1,
        "the raised limit lets more than one request run at once, saw {max}"
    );
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn a_client_disconnect_aborts_the_upstream_stream_and_deletes_the_session() {
    let h = harness_with(paced(10), test_config()).await;
    let (id, stream, first) = h.start_long().await;
    assert!(matches!(first, ChatEvent::TextDelta(_)), "{first:?}");

    drop(stream);

    let aborted = h
        .sim
        .control()
        .wait_for(|s| s.completions_aborted == 1, Duration::from_secs(1))
        .await;
    assert!(
        aborted,
        "the simulator sees the abort within 1 s: {:?}",
        h.stats()
    );
    h.wait_for("the session deleted", |s| s.sessions_deleted == 1)
        .await;
    assert_eq!(h.stats().completions_finished, 0);
    assert_eq!(
        h.stats().points_deducted,
        0,
        "an aborted generation is not billed by the simulator"
    );
    h.assert_no_open_session().await;
    let entry = wait_for_final_status(&h, &id).await;
    assert_eq!(entry, EntryStatus::Cancelled);
}

async fn wait_for_final_status(h: &Harness, id: &str) -> EntryStatus {
    // The log is written by the request's own task after the upstream work; poll briefly for it.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(entry) = h.dispatcher.request_log().get(id).await
            && entry.status.is_final()
        {
            return entry.status;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "request {id} never reached a final status"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A dispatcher that runs one request at a time.
async fn one_at_a_time() -> Harness {
    harness_with(
        paced(10),
        DispatcherConfig {
            concurrency: 1,
            ..test_config()
        },
    )
    .await
}

/// With [`one_at_a_time`]: a long request streaming and a second one (`text`) waiting behind it,
/// each with its id, once the first has streamed and the second is queued.
async fn one_running_one_queued(h: &Harness, text: &str) -> ((String, ChatStream), (String, ChatStream)) {
    let mut gauges = h.dispatcher.gauges();
    let first = h.request("gpt-4.1-mini", "[[sim:long=60]]");
    let first_id = first.id.clone();
    let mut running = h.dispatcher.dispatch(first);
    running
        .next()
        .await
        .expect("the first request streams")
        .expect("no error");
    let second = h.request("gpt-4.1-mini", text);
    let second_id = second.id.clone();
    let queued = h.dispatcher.dispatch(second);
    gauges
        .wait_for(|g| g.queued == 1)
        .await
        .expect("the second request queues");
    ((first_id, running), (second_id, queued))
}

#[tokio::test]
async fn a_request_admitted_at_once_is_logged_running_in_one_write_and_a_queued_one_queued_first() {
    let h = one_at_a_time().await;
    let mut log = h.dispatcher.request_log().subscribe();
    let ((first_id, first), (second_id, second)) = one_running_one_queued(&h, "after the first").await;
    assert!(collect(first).await.finished);
    assert!(collect(second).await.finished);
    assert_eq!(wait_for_final_status(&h, &first_id).await, EntryStatus::Done);
    assert_eq!(wait_for_final_status(&h, &second_id).await, EntryStatus::Done);

    // Every write is broadcast once committed; the final ones are in by now.
    let mut writes: Vec<(String, EntryStatus, Option<u64>)> = Vec::new();
    while let Ok(entry) = log.try_recv() {
        writes.push((entry.id, entry.status, entry.queue_wait_ms));
    }
    let of = |id: &str| -> Vec<(EntryStatus, Option<u64>)> {
        writes
            .iter()
            .filter(|(entry, ..)| entry == id)
            .map(|(_, status, wait)| (*status, *wait))
            .collect()
    };
    let first_writes = of(&first_id);
    assert!(
        matches!(first_writes.first(), Some((EntryStatus::Streaming, Some(_)))),
        "admitted at once, the entry is written running, with its wait: {first_writes:?}"
    );
    assert_eq!(
        first_writes.len(),
        2,
        "the entry and its outcome: {first_writes:?}"
    );
    let second_writes = of(&second_id);
    assert!(
        matches!(second_writes.first(), Some((EntryStatus::Queued, None))),
        "{second_writes:?}"
    );
    assert!(
        matches!(second_writes.get(1), Some((EntryStatus::Streaming, Some(_)))),
        "{second_writes:?}"
    );
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn a_client_that_leaves_the_queue_never_reaches_the_upstream() {
    let h = one_at_a_time().await;
    let mut gauges = h.dispatcher.gauges();
    let ((_, running), (queued_id, queued)) = one_running_one_queued(&h, "never sent").await;
    drop(queued);
    gauges
        .wait_for(|g| g.queued == 0)
        .await
        .expect("it leaves the queue");

    let out = collect(running).await;
    assert!(out.finished, "{out:?}");
    assert_eq!(
        h.stats().sessions_created,
        1,
        "the abandoned request created no session"
    );
    assert_eq!(h.stats().completions_started, 1);
    assert_eq!(
        wait_for_final_status(&h, &queued_id).await,
        EntryStatus::Cancelled
    );
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn token_expiry_with_five_concurrent_requests_logs_in_exactly_once_more() {
    let h = harness().await;
    assert_eq!(h.stats().logins_ok, 1, "the catalog fetch logged in");
    h.sim.control().expire_all_tokens();

    let streams: Vec<_> = (0..5)
        .map(|i| {
            h.dispatcher
                .dispatch(h.request("gpt-4.1-mini", &format!("after expiry {i}")))
        })
        .collect();
    let results = join_all(streams.into_iter().map(collect)).await;

    assert!(results.iter().all(|out| out.finished), "{results:?}");
    assert_eq!(h.stats().logins_ok, 2, "exactly one extra login");
    assert_eq!(h.stats().completions_started, 5, "nothing was sent twice");
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn eof_without_done_is_an_error_and_the_message_is_not_resent() {
    let h = harness().await;
    h.sim
        .control()
        .inject_fault(Fault::new(FaultTarget::Completions, FaultKind::EofWithoutDone, 1));

    let out = h.run("hello").await;

    assert!(!out.finished, "{out:?}");
    assert_eq!(upstream_class(&out.error), Some(ErrorClass::Malformed), "{out:?}");
    assert_eq!(
        h.stats().completions_started,
        1,
        "a completions request is never resent"
    );
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn an_in_stream_error_frame_fails_the_request_without_resending() {
    let h = harness().await;
    h.sim.control().inject_fault(Fault::new(
        FaultTarget::Completions,
        FaultKind::StreamErrorFrame,
        1,
    ));

    let out = h.run("hello").await;

    assert!(out.error.is_some() && !out.finished, "{out:?}");
    assert_eq!(h.stats().completions_started, 1);
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn an_expired_login_before_generation_is_retried_once_after_one_login() {
    let h = harness().await;
    h.sim.control().inject_fault(Fault::new(
        FaultTarget::Completions,
        FaultKind::JsonError {
            code: 2,
            msg: "登录已过期".to_owned(),
        },
        1,
    ));

    let out = h.run("hello").await;

    assert!(out.finished, "{out:?}");
    assert_eq!(h.stats().logins_ok, 2);
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn rate_limited_session_creation_is_retried_with_backoff() {
    let h = harness().await;
    h.sim.control().inject_fault(Fault::new(
        FaultTarget::SessionCreate,
        FaultKind::RateLimited429,
        1,
    ));
    h.sim
        .control()
        .inject_fault(Fault::new(FaultTarget::SessionCreate, FaultKind::Waf403, 1));

    let out = h.run("hello").await;

    assert!(out.finished, "{out:?}");
    assert_eq!(h.stats().sessions_created, 1);
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn retries_before_sending_are_bounded() {
    let h = harness().await;
    h.sim.control().inject_fault(Fault::new(
        FaultTarget::SessionCreate,
        FaultKind::RateLimited429,
        10,
    ));

    let out = h.run("hello").await;

    assert_eq!(
        upstream_class(&out.error),
        Some(ErrorClass::RateLimited),
        "{out:?}"
    );
    assert_eq!(h.stats().sessions_created, 0);
    assert_eq!(h.stats().completions_started, 0);
    h.sim.control().reset_faults();
}

#[tokio::test]
async fn a_text_over_the_upstream_limit_fails_as_input_too_long() {
    let h = harness().await;
    let text = "长".repeat(50_000);

    let out = collect(h.dispatcher.dispatch(h.request("gpt-4.1-mini", &text))).await;

    assert_eq!(
        upstream_class(&out.error),
        Some(ErrorClass::InputTooLong),
        "{:?}",
        out.error
    );
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn thinking_models_stream_reasoning_apart_from_the_answer() {
    let h = harness().await;

    let out = collect(h.dispatcher.dispatch(h.request("deepseek-reasoner", "1+1=?"))).await;

    assert!(out.finished, "{out:?}");
    assert!(!out.reasoning.is_empty(), "reasoning was split out");
    assert!(
        !out.text.contains("<think>") && !out.text.contains("</think>"),
        "{}",
        out.text
    );
    assert!(out.text.contains("1+1=?"), "{}", out.text);
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn a_failed_deletion_is_persisted_and_retried_after_a_restart() {
    let h = harness().await;
    h.sim
        .control()
        .inject_fault(Fault::new(FaultTarget::SessionDelete, FaultKind::Http500, 2));

    let out = h.run("hello").await;
    assert!(out.finished, "{out:?}");
    h.dispatcher.shutdown(WAIT).await;
    let pending = h
        .dispatcher
        .request_log()
        .pending_deletions()
        .await
        .expect("pending list");
    let open = h.stats().sessions_open;
    // The first deletion failed; an immediate retry may have failed too (both faults) or not run
    // before shutdown. Either way the session is still open and recorded.
    assert_eq!(open, 1, "{:?}", h.stats());
    assert_eq!(pending.len(), 1, "{pending:?}");

    // "Restart": a new dispatcher over the same data directory, with the upstream healthy again.
    h.sim.control().reset_faults();
    let Harness {
        sim, dispatcher, dir, ..
    } = h;
    drop(dispatcher);
    let log = RequestLog::open(dir.path(), RetentionPolicy::default()).expect("request log reopens");
    let restarted = Dispatcher::new(account_for(&sim), log, test_config());
    let gone = sim.control().wait_for(|s| s.sessions_open == 0, WAIT).await;
    assert!(
        gone,
        "the restarted dispatcher deleted the leftover session: {:?}",
        sim.control().stats()
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    while !restarted
        .request_log()
        .pending_deletions()
        .await
        .expect("list")
        .is_empty()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the pending deletion was removed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn shutdown_ends_running_requests_and_deletes_their_sessions() {
    let h = harness_with(paced(10), test_config()).await;
    let mut stream = h
        .dispatcher
        .dispatch(h.request("gpt-4.1-mini", "[[sim:long=5000]]"));
    stream.next().await.expect("streaming").expect("no error");

    h.dispatcher.shutdown(WAIT).await;

    let out = collect(stream).await;
    assert!(matches!(out.error, Some(DispatchError::ShuttingDown)), "{out:?}");
    h.wait_for("the abort", |s| s.completions_aborted == 1).await;
    h.assert_no_open_session().await;
}

#[tokio::test]
async fn finishing_early_stops_the_upstream_and_records_the_request_as_done() {
    let h = harness_with(paced(10), test_config()).await;
    let (id, stream, _) = h.start_long().await;
    let estimate = Usage {
        prompt_tokens: 7,
        completion_tokens: 3,
        total_tokens: 10,
        points: 0,
    };

    stream.finish_early(Some(estimate));

    h.wait_for("the abort", |s| s.completions_aborted == 1).await;
    h.assert_no_open_session().await;
    assert_eq!(wait_for_final_status(&h, &id).await, EntryStatus::Done);
    let entry = h.dispatcher.request_log().get(&id).await.expect("logged");
    assert_eq!(entry.http_status, Some(200));
}
