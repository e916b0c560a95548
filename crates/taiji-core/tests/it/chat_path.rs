//! The built-in chat's path through the core against `taiji-sim`: a streamed answer stored with
//! its usage and logged with source `chat`; Stop mid-stream cancelling the upstream and deleting
//! its session; a failed turn stored as failed with the upstream's own message; an answer cut by
//! shutdown kept as stopped; image limits refused before anything is stored or sent.

use std::sync::Arc;
use std::time::Duration;

use taiji_core::conversations::{ChatStreamEvent, ImageAttachment, MessageStatus};
use taiji_core::request_log::{EntryStatus, LogFilter};
use taiji_core::runtime::{ChatService, ChatSink, Core};
use taiji_sim::{ScriptedReply, SimAccount, SimConfig, SimStats, Simulator};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(20);

async fn start(config: SimConfig) -> (Simulator, tempfile::TempDir, Core) {
    let sim = Simulator::start(config).await.expect("sim");
    let dir = tempfile::tempdir().expect("temp dir");
    let core = open(&sim, dir.path()).await;
    (sim, dir, core)
}

use crate::support::signed_in_core;

async fn open(sim: &Simulator, dir: &std::path::Path) -> Core {
    signed_in_core(sim, dir).await
}

/// A new conversation with the simulator's default model; its id.
async fn new_conversation(chat: &ChatService) -> String {
    chat.create(Some("gpt-4.1-mini".to_owned()), None)
        .await
        .expect("create")
        .summary
        .id
}

fn new_sink() -> (ChatSink, mpsc::UnboundedReceiver<ChatStreamEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Arc::new(move |event| drop(tx.send(event))), rx)
}

/// Events until the answer ends (finished, stopped or failed), that one last.
async fn until_end(rx: &mut mpsc::UnboundedReceiver<ChatStreamEvent>) -> Vec<ChatStreamEvent> {
    let mut events = Vec::new();
    loop {
        let event = tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("the answer ends in time")
            .expect("the sink stays open");
        let last = matches!(
            event,
            ChatStreamEvent::Finished { .. }
                | ChatStreamEvent::Stopped { .. }
                | ChatStreamEvent::Failed { .. }
        );
        events.push(event);
        if last {
            return events;
        }
    }
}

async fn wait_stats(sim: &Simulator, what: &str, check: impl Fn(&SimStats) -> bool) {
    assert!(
        sim.control().wait_for(check, WAIT).await,
        "waited for {what}: {:?}",
        sim.control().stats()
    );
}

#[tokio::test]
async fn a_streamed_answer_is_stored_with_usage_and_logged_as_chat() {
    let (sim, _dir, core) = start(SimConfig::default()).await;
    sim.control()
        .script_replies([ScriptedReply::text("巴黎是法国的首都。").with_thinking("想一想")]);
    let chat = core.chat();
    let conversation = chat
        .create(
            Some("gpt-4.1-mini".to_owned()),
            Some("Answer in Chinese.".to_owned()),
        )
        .await
        .expect("create");
    let id = conversation.summary.id;
    let (sink, mut rx) = new_sink();
    chat.send(&id, "法国的首都是哪里？".to_owned(), Vec::new(), sink)
        .await
        .expect("send");
    let events = until_end(&mut rx).await;

    let ChatStreamEvent::Started {
        user_message,
        assistant_message,
    } = &events[0]
    else {
        panic!("started first: {events:?}");
    };
    assert_eq!(
        user_message.as_ref().map(|m| m.content.as_str()),
        Some("法国的首都是哪里？")
    );
    assert_eq!(assistant_message.status, MessageStatus::Streaming);
    let text: String = events
        .iter()
        .filter_map(|e| match e {
            ChatStreamEvent::Text { delta } => Some(delta.as_str()),
            _ => None,
        })
        .collect();
    let reasoning: String = events
        .iter()
        .filter_map(|e| match e {
            ChatStreamEvent::Reasoning { delta } => Some(delta.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, "巴黎是法国的首都。");
    assert_eq!(reasoning, "想一想");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ChatStreamEvent::Usage(u) if u.points == 1)),
        "{events:?}"
    );
    let ChatStreamEvent::Finished { message } = events.last().expect("an end") else {
        panic!("finished: {events:?}");
    };
    assert_eq!(message.status, MessageStatus::Complete);
    assert_eq!(message.usage.map(|u| u.points), Some(1));
    assert!(message.usage.is_some_and(|u| u.total_tokens > 0));
    assert!(message.model_label.is_some());

    let stored = chat.get(&id).await.expect("get");
    assert_eq!(stored.messages.len(), 2);
    assert_eq!(stored.messages[1].content, "巴黎是法国的首都。");
    assert_eq!(stored.messages[1].reasoning, "想一想");
    assert_eq!(stored.summary.title, "法国的首都是哪里？");
    assert_eq!(stored.summary.total_points, 1);
    assert!(stored.context_tokens > 0 && !stored.context_long);

    // The one upstream message carried the system prompt and the question.
    let sent = sim.control().recent_completions();
    let body = &sent.last().expect("a completion").body;
    let text = body["text"].as_str().expect("text");
    assert!(
        text.contains("Answer in Chinese.") && text.contains("法国的首都是哪里？"),
        "{text}"
    );

    // The log entry is finished by the request's own task, just after the answer's end (its
    // writes are committed together, within the log writer's gathering window).
    let entry = tokio::time::timeout(WAIT, async {
        loop {
            let filter = LogFilter {
                api: Some("chat".to_owned()),
                ..LogFilter::default()
            };
            let log = core.request_log().query(filter, 0, 10).await.expect("log");
            assert!(log.entries.len() <= 1, "one request for one answer: {log:?}");
            if log
                .entries
                .first()
                .is_some_and(|entry| entry.status == EntryStatus::Done)
            {
                break log.entries[0].clone();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the request is logged as done");
    assert_eq!(
        (entry.source.api.as_str(), entry.endpoint.as_str()),
        ("chat", "chat")
    );
    assert_eq!(entry.points, Some(1));
    wait_stats(&sim, "the session's deletion", |s| s.sessions_open == 0).await;

    // Regenerating keeps the first answer as version 0 and sends only the turns before it.
    sim.control().script_replies([ScriptedReply::text("Paris.")]);
    let (sink, mut rx) = new_sink();
    chat.regenerate(&id, &message.id, sink).await.expect("regenerate");
    let events = until_end(&mut rx).await;
    assert!(
        matches!(
            &events[0],
            ChatStreamEvent::Started {
                user_message: None,
                ..
            }
        ),
        "{events:?}"
    );
    let stored = chat.get(&id).await.expect("get");
    assert_eq!(stored.messages[1].content, "Paris.");
    assert_eq!(
        (stored.messages[1].version, stored.messages[1].version_count),
        (1, 2)
    );
    assert_eq!(stored.summary.total_points, 2);
    let sent = sim.control().recent_completions();
    let text = sent.last().expect("a completion").body["text"]
        .as_str()
        .expect("text")
        .to_owned();
    assert!(
        !text.contains("巴黎是法国的首都"),
        "the replaced answer is not resent: {text}"
    );
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn stop_mid_stream_cancels_the_upstream_and_deletes_the_session() {
    let (sim, _dir, core) = start(SimConfig::default()).await;
    sim.control().set_frame_delay(Duration::from_millis(20));
    let chat = core.chat();
    let id = new_conversation(&chat).await;
    let (sink, mut rx) = new_sink();
    chat.send(&id, "[[sim:long=3000]] go".to_owned(), Vec::new(), sink)
        .await
        .expect("send");
    // A second send while this one streams is refused: one click, one answer.
    let (other, _other_rx) = new_sink();
    let busy = chat.send(&id, "again".to_owned(), Vec::new(), other).await;
    assert_eq!(busy.expect_err("busy").kind(), "busy");

    loop {
        match tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("events")
            .expect("open")
        {
            ChatStreamEvent::Text { .. } => break,
            ChatStreamEvent::Started { .. } | ChatStreamEvent::Reasoning { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(chat.stop(&id), "an answer was running");
    let events = until_end(&mut rx).await;
    let ChatStreamEvent::Stopped { message } = events.last().expect("an end") else {
        panic!("stopped: {events:?}");
    };
    assert_eq!(message.status, MessageStatus::Stopped);
    assert!(!message.content.is_empty(), "the partial answer is kept");

    wait_stats(&sim, "the aborted stream", |s| s.completions_aborted == 1).await;
    wait_stats(&sim, "the session's deletion", |s| {
        s.sessions_open == 0 && s.sessions_deleted == s.sessions_created
    })
    .await;
    assert_eq!(
        sim.control().stats().completions_started,
        1,
        "sent once, never resent"
    );
    let stored = chat.get(&id).await.expect("get");
    assert_eq!(stored.messages[1].status, MessageStatus::Stopped);
    assert!(!chat.is_running(&id));
    assert!(!chat.stop(&id), "nothing left to stop");

    // The stopped answer can be retried in place.
    sim.control().set_frame_delay(Duration::ZERO);
    sim.control().script_replies([ScriptedReply::text("short")]);
    let (sink, mut rx) = new_sink();
    chat.retry(&id, &message.id, sink).await.expect("retry");
    let events = until_end(&mut rx).await;
    let ChatStreamEvent::Finished { message: retried } = events.last().expect("an end") else {
        panic!("finished: {events:?}");
    };
    assert_eq!(
        (retried.id.as_str(), retried.content.as_str()),
        (message.id.as_str(), "short")
    );
    core.shutdown(Duration::from_secs(5)).await;
}

/// An answer's task that dies (here: a sink that panics) must not leave the conversation busy
/// for good, nor its answer marked streaming, nor its upstream session alive.
#[tokio::test]
async fn an_answer_task_that_panics_releases_the_conversation() {
    let (sim, _dir, core) = start(SimConfig::default()).await;
    sim.control().set_frame_delay(Duration::from_millis(20));
    let chat = core.chat();
    let id = new_conversation(&chat).await;
    let sink: ChatSink = Arc::new(|event| {
        if matches!(event, ChatStreamEvent::Text { .. }) {
            panic!("a sink that fails mid-answer");
        }
    });
    chat.send(&id, "[[sim:long=3000]] go".to_owned(), Vec::new(), sink)
        .await
        .expect("send");
    let released = tokio::time::timeout(WAIT, async {
        while chat.is_running(&id) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        released.is_ok(),
        "the conversation is released after the task died"
    );
    wait_stats(&sim, "the session's deletion", |s| {
        s.sessions_open == 0 && s.sessions_deleted == s.sessions_created
    })
    .await;
    let stored = chat.get(&id).await.expect("get");
    assert_eq!(stored.messages[1].status, MessageStatus::Stopped);

    sim.control().set_frame_delay(Duration::ZERO);
    sim.control().script_replies([ScriptedReply::text("again")]);
    let (sink, mut rx) = new_sink();
    chat.send(&id, "once more".to_owned(), Vec::new(), sink)
        .await
        .expect("the conversation takes a new message");
    let events = until_end(&mut rx).await;
    assert!(
        matches!(events.last(), Some(ChatStreamEvent::Finished { .. })),
        "{events:?}"
    );
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn a_failed_turn_is_stored_as_failed_with_the_upstream_message() {
    let config = SimConfig {
        accounts: vec![SimAccount {
            points: 0,
            ..SimAccount::demo()
        }],
        ..SimConfig::default()
    };
    let (sim, _dir, core) = start(config).await;
    let chat = core.chat();
    let id = new_conversation(&chat).await;
    let (sink, mut rx) = new_sink();
    chat.send(&id, "hi".to_owned(), Vec::new(), sink)
        .await
        .expect("send");
    let events = until_end(&mut rx).await;
    let ChatStreamEvent::Failed { message } = events.last().expect("an end") else {
        panic!("failed: {events:?}");
    };
    let error = message.error.clone().expect("an error");
    assert_eq!(error.kind, "quota");
    assert_eq!(error.message, "套餐余量不足", "the upstream's words as they are");
    let stored = chat.get(&id).await.expect("get");
    assert_eq!(stored.messages[1].status, MessageStatus::Failed);
    assert_eq!(stored.messages[1].error, Some(error));
    wait_stats(&sim, "the session's deletion", |s| s.sessions_open == 0).await;
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn shutdown_keeps_a_partial_answer_as_stopped() {
    let (sim, dir, core) = start(SimConfig::default()).await;
    sim.control().set_frame_delay(Duration::from_millis(20));
    let chat = core.chat();
    let id = new_conversation(&chat).await;
    let (sink, mut rx) = new_sink();
    chat.send(&id, "[[sim:long=3000]] story".to_owned(), Vec::new(), sink)
        .await
        .expect("send");
    let mut seen = String::new();
    while seen.len() < 20 {
        if let ChatStreamEvent::Text { delta } = tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("events")
            .expect("open")
        {
            seen.push_str(&delta);
        }
    }
    // The growing answer is saved while it streams, so a killed app keeps it.
    let saved = tokio::time::timeout(WAIT, async {
        loop {
            let stored = chat.get(&id).await.expect("get");
            let answer = stored.messages[1].clone();
            if !answer.content.is_empty() {
                break answer;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("progress is saved while streaming");
    assert_eq!(saved.status, MessageStatus::Streaming);

    core.shutdown(Duration::from_secs(5)).await;
    let events = until_end(&mut rx).await;
    assert!(
        matches!(events.last(), Some(ChatStreamEvent::Stopped { .. })),
        "{events:?}"
    );
    wait_stats(&sim, "the session's deletion", |s| s.sessions_open == 0).await;
    drop(core);

    let reopened = open(&sim, dir.path()).await;
    let stored = reopened.chat().get(&id).await.expect("get");
    let answer = &stored.messages[1];
    assert_eq!(answer.status, MessageStatus::Stopped);
    assert!(
        answer.content.starts_with(&seen),
        "kept: {:?}, seen: {seen:?}",
        answer.content
    );
    reopened.shutdown(Duration::from_secs(5)).await;
}

fn png(bytes: usize) -> ImageAttachment {
    use base64::Engine;
    let mut data = vec![0_u8; bytes.max(8)];
    data[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
    ImageAttachment {
        name: "shot.png".to_owned(),
        mime: "image/png".to_owned(),
        data_url: format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(data)
        ),
    }
}

#[tokio::test]
async fn image_limits_are_refused_before_anything_is_stored_or_sent() {
    let (sim, _dir, core) = start(SimConfig::default()).await;
    let chat = core.chat();
    let text_only = new_conversation(&chat).await;
    let (sink, _rx) = new_sink();
    let refused = chat
        .send(
            &text_only,
            "what is this?".to_owned(),
            vec![png(100)],
            sink.clone(),
        )
        .await;
    assert_eq!(refused.expect_err("refused").kind(), "model_refused_images");

    let vision = chat
        .create(Some("gpt-4o".to_owned()), None)
        .await
        .expect("create")
        .summary
        .id;
    let six = vec![png(100); 6];
    let refused = chat.send(&vision, "six".to_owned(), six, sink.clone()).await;
    assert_eq!(refused.expect_err("refused").kind(), "too_many_images");
    let large = png(5 * 1024 * 1024 + 1);
    let refused = chat
        .send(&vision, "large".to_owned(), vec![large], sink.clone())
        .await;
    assert_eq!(refused.expect_err("refused").kind(), "image_too_large");

    for id in [&text_only, &vision] {
        assert!(
            chat.get(id).await.expect("get").messages.is_empty(),
            "nothing stored"
        );
        assert!(
            !chat.is_running(id),
            "a refused send leaves the conversation free"
        );
    }
    assert_eq!(sim.control().stats().completions_started, 0, "nothing sent");
    assert_eq!(sim.control().stats().sessions_created, 0);

    // Within the limits, the image goes upstream as a file and stays with the message.
    let (sink, mut rx) = new_sink();
    chat.send(&vision, "看图".to_owned(), vec![png(100)], sink)
        .await
        .expect("send");
    let events = until_end(&mut rx).await;
    assert!(
        matches!(events.last(), Some(ChatStreamEvent::Finished { .. })),
        "{events:?}"
    );
    let sent = sim.control().recent_completions();
    assert_eq!(
        sent.last().expect("a completion").body["files"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let stored = chat.get(&vision).await.expect("get");
    assert_eq!(stored.messages[0].images.len(), 1);
    core.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn summarize_into_new_starts_a_conversation_with_the_summary() {
    let (sim, _dir, core) = start(SimConfig::default()).await;
    let chat = core.chat();
    let id = new_conversation(&chat).await;
    sim.control().script_replies([
        ScriptedReply::text("42 is the answer."),
        ScriptedReply::text("- The user asked about 42.").when_text_contains("总结"),
    ]);
    let (sink, mut rx) = new_sink();
    chat.send(&id, "What is the answer?".to_owned(), Vec::new(), sink)
        .await
        .expect("send");
    until_end(&mut rx).await;

    let fresh = chat.summarize_into_new(&id).await.expect("summary");
    assert_ne!(fresh.summary.id, id);
    assert!(
        fresh.system_prompt.contains("- The user asked about 42."),
        "{}",
        fresh.system_prompt
    );
    assert_eq!(fresh.summary.model.as_deref(), Some("gpt-4.1-mini"));
    assert!(fresh.messages.is_empty());
    wait_stats(&sim, "two answers", |s| s.completions_finished == 2).await;
    wait_stats(&sim, "the sessions' deletion", |s| s.sessions_open == 0).await;
    core.shutdown(Duration::from_secs(5)).await;
}
