//! The built-in chat's conversation store on real SQLite in temporary directories: migrations and
//! file mode, positions and versions, concurrent writers, search (Chinese included), Markdown
//! export, and answers left streaming by a killed app coming back as stopped.

use taiji_core::conversations::{
    ChatUsage, ConversationError, ConversationStore, DATABASE_FILE_NAME, ImageAttachment, MessageEnd,
    MessageRole, MessageStatus, NewUserMessage, SCHEMA_VERSION, TurnError,
};

fn user(text: &str) -> NewUserMessage {
    NewUserMessage {
        content: text.to_owned(),
        images: Vec::new(),
    }
}

fn complete(text: &str, points: i64) -> MessageEnd {
    MessageEnd {
        status: MessageStatus::Complete,
        content: text.to_owned(),
        reasoning: String::new(),
        usage: Some(ChatUsage {
            prompt_tokens: 10,
            completion_tokens: 5,
            total_tokens: 15,
            points,
        }),
        model_label: Some("GT-4.1-mini".to_owned()),
        error: None,
    }
}

/// A new conversation with model `m`; its id.
async fn conversation(store: &ConversationStore) -> String {
    store
        .create(Some("m".to_owned()), None)
        .await
        .expect("create")
        .summary
        .id
}

#[tokio::test]
async fn opening_migrates_a_private_file_and_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ConversationStore::open(dir.path()).expect("opens");
    let created = store.create(None, None).await.expect("create");
    drop(store);

    let path = dir.path().join(DATABASE_FILE_NAME);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the database is private");
    }
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .expect("journal mode");
    assert_eq!(mode, "wal");

    // Reopening keeps the data and migrates nothing twice.
    let store = ConversationStore::open(dir.path()).expect("reopens");
    store.load(&created.summary.id).await.expect("still there");
    drop(store);

    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .expect("bump");
    drop(conn);
    let newer = ConversationStore::open(dir.path());
    assert!(
        matches!(newer, Err(ConversationError::NewerSchema { .. })),
        "{newer:?}"
    );
}

#[tokio::test]
async fn turns_versions_titles_and_totals() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ConversationStore::open(dir.path()).expect("opens");
    let conversation = store
        .create(
            Some("openai::gpt-4.1-mini".to_owned()),
            Some("Be brief.".to_owned()),
        )
        .await
        .expect("create");
    let id = conversation.summary.id.clone();
    assert_eq!(conversation.summary.title, "");

    let long_question =
        "请问  这是一个非常长的问题，它的标题应该被截断到四十个字符以内，后面的内容不应该出现在标题里面";
    let (question, answer) = store
        .append_turn(&id, user(long_question), "openai::gpt-4.1-mini")
        .await
        .expect("turn");
    assert_eq!((question.position, answer.position), (0, 1));
    assert_eq!(answer.status, MessageStatus::Streaming);
    store
        .finish(&id, &answer.id, complete("first", 1))
        .await
        .expect("finish");

    let second = store
        .add_version(&id, &answer.id, "openai::gpt-4.1-mini")
        .await
        .expect("regenerate");
    assert_eq!((second.position, second.version, second.version_count), (1, 1, 2));
    store
        .finish(&id, &second.id, complete("second", 2))
        .await
        .expect("finish");

    let loaded = store.load(&id).await.expect("load");
    assert_eq!(
        loaded.summary.title.chars().count(),
        40,
        "{}",
        loaded.summary.title
    );
    assert!(
        loaded.summary.title.starts_with("请问 这是"),
        "whitespace collapsed: {}",
        loaded.summary.title
    );
    assert_eq!(loaded.messages.len(), 2, "one selected version per position");
    assert_eq!(loaded.messages[1].content, "second");
    assert_eq!(loaded.summary.total_points, 3, "every version's points count");
    assert_eq!(loaded.summary.total_tokens, 30);
    assert_eq!(loaded.system_prompt, "Be brief.");

    store.select_version(&id, &second.id, 0).await.expect("select");
    let loaded = store.load(&id).await.expect("load");
    assert_eq!(loaded.messages[1].content, "first");
    assert_eq!(loaded.messages[1].model_label.as_deref(), Some("GT-4.1-mini"));

    // Deleting the shown version shows the other one, renumbered.
    store
        .delete_message(&id, &answer.id)
        .await
        .expect("delete version");
    let loaded = store.load(&id).await.expect("load");
    assert_eq!(loaded.messages[1].content, "second");
    assert_eq!(
        (loaded.messages[1].version, loaded.messages[1].version_count),
        (0, 1)
    );

    // A second turn, then editing the first question drops everything after it.
    let (_, third) = store
        .append_turn(&id, user("more"), "openai::gpt-4.1-mini")
        .await
        .expect("turn");
    store
        .finish(&id, &third.id, complete("more answer", 1))
        .await
        .expect("finish");
    let image = ImageAttachment {
        name: "dot.png".to_owned(),
        mime: "image/png".to_owned(),
        data_url: "data:image/png;base64,iVBORw0KGgo=".to_owned(),
    };
    let (edited, fresh) = store
        .edit_user(
            &id,
            &question.id,
            NewUserMessage {
                content: "edited".to_owned(),
                images: vec![image.clone()],
            },
            "openai::gpt-4o",
        )
        .await
        .expect("edit");
    assert_eq!(edited.content, "edited");
    assert_eq!(edited.images, vec![image]);
    assert_eq!(fresh.position, 1);
    let loaded = store.load(&id).await.expect("load");
    assert_eq!(loaded.messages.len(), 2);
    assert_eq!(loaded.messages[1].model.as_deref(), Some("openai::gpt-4o"));

    // A failed answer can be retried in place; a user message cannot be regenerated.
    let failed = MessageEnd {
        status: MessageStatus::Failed,
        content: String::new(),
        reasoning: String::new(),
        usage: None,
        model_label: None,
        error: Some(TurnError {
            kind: "quota".to_owned(),
            message: "套餐余量不足".to_owned(),
        }),
    };
    let stored = store.finish(&id, &fresh.id, failed).await.expect("finish");
    assert_eq!(
        stored.error.as_ref().map(|e| e.message.as_str()),
        Some("套餐余量不足")
    );
    let retried = store
        .reset_for_retry(&id, &fresh.id, "openai::gpt-4o")
        .await
        .expect("retry");
    assert_eq!(
        (retried.id.as_str(), retried.status, retried.error.clone()),
        (fresh.id.as_str(), MessageStatus::Streaming, None)
    );
    let refused = store.add_version(&id, &edited.id, "m").await;
    assert!(
        matches!(refused, Err(ConversationError::Invalid(_))),
        "{refused:?}"
    );

    // Deleting the only version of a position closes the gap.
    store.delete_message(&id, &edited.id).await.expect("delete");
    let loaded = store.load(&id).await.expect("load");
    assert_eq!(loaded.messages.len(), 1);
    assert_eq!(
        (loaded.messages[0].position, loaded.messages[0].role),
        (0, MessageRole::Assistant)
    );

    store.rename(&id, "  Renamed  ").await.expect("rename");
    assert_eq!(store.summary(&id).await.expect("summary").title, "Renamed");
    store.delete(&id).await.expect("delete");
    assert!(matches!(
        store.load(&id).await,
        Err(ConversationError::NotFound(_))
    ));
    assert!(matches!(
        store.delete(&id).await,
        Err(ConversationError::NotFound(_))
    ));
}

#[tokio::test]
async fn concurrent_writers_lose_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ConversationStore::open(dir.path()).expect("opens");
    let shared = conversation(&store).await;
    let mut tasks = Vec::new();
    for writer in 0..8 {
        let store = store.clone();
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            let own = store
                .create(Some("m".to_owned()), None)
                .await
                .expect("create")
                .summary
                .id;
            for turn in 0..10 {
                for id in [&own, &shared] {
                    let (_, answer) = store
                        .append_turn(id, user(&format!("writer {writer} turn {turn}")), "m")
                        .await
                        .expect("append");
                    store
                        .save_progress(&answer.id, "partial".to_owned(), String::new())
                        .await
                        .expect("progress");
                    store
                        .finish(id, &answer.id, complete("done", 1))
                        .await
                        .expect("finish");
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer");
    }
    let list = store.list(None).await.expect("list");
    assert_eq!(list.len(), 9);
    let shared = store.load(&shared).await.expect("load");
    assert_eq!(shared.messages.len(), 160, "8 writers × 10 turns × 2 messages");
    let positions: Vec<u32> = shared.messages.iter().map(|m| m.position).collect();
    assert_eq!(positions, (0..160).collect::<Vec<_>>(), "no position taken twice");
    assert_eq!(shared.summary.total_points, 80);
    assert!(
        list.iter()
            .filter(|s| s.id != shared.summary.id)
            .all(|s| s.message_count == 20)
    );
}

#[tokio::test]
async fn search_matches_titles_and_text_in_any_script() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ConversationStore::open(dir.path()).expect("opens");
    let duck = conversation(&store).await;
    let (_, answer) = store
        .append_turn(&duck, user("北京有什么好吃的？"), "m")
        .await
        .expect("turn");
    store
        .finish(
            &duck,
            &answer.id,
            complete("推荐你去尝一尝全聚德的北京烤鸭，还有炸酱面。", 1),
        )
        .await
        .expect("finish");
    let rust = conversation(&store).await;
    store
        .append_turn(&rust, user("Explain Rust lifetimes, 100% clearly"), "m")
        .await
        .expect("turn");
    store.rename(&rust, "Rust questions").await.expect("rename");

    let found = store.list(Some("烤鸭".to_owned())).await.expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, duck);
    let snippet = found[0].snippet.as_deref().expect("a snippet");
    assert!(snippet.contains("北京烤鸭"), "{snippet}");

    let by_title = store
        .list(Some("rust QUESTIONS".to_owned()))
        .await
        .expect("search");
    assert_eq!(
        by_title.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        vec![rust.as_str()]
    );
    let literal = store.list(Some("100%".to_owned())).await.expect("search");
    assert_eq!(literal.len(), 1, "% is matched literally");
    let wildcard = store.list(Some("%".to_owned())).await.expect("search");
    assert_eq!(wildcard.len(), 1, "a lone % is not a wildcard");
    assert!(
        store
            .list(Some("不存在".to_owned()))
            .await
            .expect("search")
            .is_empty()
    );
    assert_eq!(store.list(Some("   ".to_owned())).await.expect("all").len(), 2);
}

#[tokio::test]
async fn export_writes_markdown_without_image_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ConversationStore::open(dir.path()).expect("opens");
    let id = store
        .create(
            Some("openai::gpt-4o".to_owned()),
            Some("你是一位诗人。".to_owned()),
        )
        .await
        .expect("create")
        .summary
        .id;
    let image = ImageAttachment {
        name: "moon.png".to_owned(),
        mime: "image/png".to_owned(),
        data_url: "data:image/png;base64,iVBORw0KGgoSECRETPIXELS=".to_owned(),
    };
    let (_, answer) = store
        .append_turn(
            &id,
            NewUserMessage {
                content: "写一首关于月亮的诗".to_owned(),
                images: vec![image],
            },
            "openai::gpt-4o",
        )
        .await
        .expect("turn");
    let mut end = complete("床前明月光", 2);
    end.reasoning = "想一想李白".to_owned();
    store.finish(&id, &answer.id, end).await.expect("finish");

    let markdown = store.export_markdown(&id).await.expect("export");
    assert!(markdown.starts_with("# 写一首关于月亮的诗\n"), "{markdown}");
    assert!(
        markdown.contains("## System prompt\n\n你是一位诗人。"),
        "{markdown}"
    );
    assert!(markdown.contains("## User\n\n写一首关于月亮的诗"), "{markdown}");
    assert!(markdown.contains("## Assistant (GT-4.1-mini)"), "{markdown}");
    assert!(markdown.contains("> 想一想李白"), "{markdown}");
    assert!(markdown.contains("床前明月光"), "{markdown}");
    assert!(markdown.contains("*[image: moon.png]*"), "{markdown}");
    assert!(
        !markdown.contains("SECRETPIXELS"),
        "image data stays out: {markdown}"
    );
}

#[tokio::test]
async fn answers_left_streaming_by_a_killed_app_reopen_as_stopped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ConversationStore::open(dir.path()).expect("opens");
    let id = conversation(&store).await;
    let (_, answer) = store
        .append_turn(&id, user("tell me a story"), "m")
        .await
        .expect("turn");
    store
        .save_progress(&answer.id, "Once upon a time".to_owned(), "thinking".to_owned())
        .await
        .expect("progress");
    // The app dies here: no finish.
    drop(store);

    let store = ConversationStore::open(dir.path()).expect("reopens");
    let message = store.message(&id, &answer.id).await.expect("message");
    assert_eq!(message.status, MessageStatus::Stopped);
    assert_eq!(message.content, "Once upon a time");
    assert_eq!(message.reasoning, "thinking");
}
