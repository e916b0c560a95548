//! Completions: exact §4 framing, token arithmetic, history replay, model behaviours, pre-generation errors.

use serde_json::{Value, json};
use taiji_sim::{COMPLIANCE_PROMPT, SimAccount, SimConfig};

use crate::common::{Api, estimate_tokens, png_file, start, v2};

#[tokio::test]
async fn frames_have_the_exact_shape_and_order() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let session = api.create_session("gpt-4.1-mini").await;
    let completion = api.complete(session, "你好 **hi** 🌍", json!([])).await;
    assert_eq!(completion.status, 200);
    assert_eq!(completion.content_type(), "text/event-stream");
    assert!(
        completion.headers.get("x-chat-task-id").is_none(),
        "2.x has no task id header"
    );

    let frames = completion.frames();
    assert_eq!(frames.last().map(String::as_str), Some("[DONE]"));
    let (object, strings) = frames[..frames.len() - 1].split_last().unwrap();
    assert!(strings.len() > 10);
    let first: Value = serde_json::from_str(&strings[0]).unwrap();
    let task_id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(task_id.len(), 19);
    assert!(task_id.chars().all(|c| c.is_ascii_digit()));

    let mut text = String::new();
    for raw in strings {
        let frame: Value = serde_json::from_str(raw).unwrap();
        let piece = frame["data"].as_str().unwrap();
        // Exactly four keys in the order id, type, data, code.
        let expected = format!(
            r#"{{"id":"{task_id}","type":"string","data":{},"code":0}}"#,
            json!(piece)
        );
        assert_eq!(raw, &expected);
        assert!(!piece.is_empty() && piece.chars().count() <= 7, "{piece:?}");
        text.push_str(piece);
    }
    let object: Value = serde_json::from_str(object).unwrap();
    assert!(frames[frames.len() - 2].starts_with(&format!(
        r#"{{"id":"{task_id}","type":"object","code":0,"data":{{"#
    )));
    let record = &object["data"];
    assert_eq!(record["aiText"], text);
    assert_eq!(record["taskId"], task_id);
    assert_eq!(record["userText"], "你好 **hi** 🌍");
    assert_eq!(record["model"], "GT-4.1-mini", "the label, not the value");
    assert_eq!(record["sessionId"], session);
    assert_eq!(record["uid"], 10001);
    assert_eq!(record["ip"], "127.0.0.1");
    assert_eq!(record["deductCount"], 1);
    assert_eq!(record["userStop"], false);
    assert_eq!(record["useImages"], Value::Null);
    let keys: Vec<&str> = record.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 21, "{keys:?}");

    // The reply shows what the model received, and splits awkwardly (markdown markers, emoji).
    assert!(text.contains("你好 **hi** 🌍") && text.contains("GT-4.1-mini"));
    assert!(text.contains("history=0") && text.contains("files=0"));
    assert!(
        strings
            .iter()
            .any(|f| f.contains(r#""data":"**""#) || f.contains(r#""data":"*""#))
    );
}

#[tokio::test]
async fn token_arithmetic_matches_the_record() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let session = api.create_session("gpt-4.1-mini").await;
    let text = "请用一句话介绍你自己 please";
    let record = api.complete(session, text, json!([])).await.record();
    let context = estimate_tokens(COMPLIANCE_PROMPT);
    assert!(
        (150..=230).contains(&context),
        "compliance prompt ≈195 tokens, got {context}"
    );
    assert_eq!(record["contextTokens"], context);
    assert_eq!(record["promptTokens"], context + estimate_tokens(text));
    let completion = estimate_tokens(record["aiText"].as_str().unwrap());
    assert_eq!(record["completionTokens"], completion);
    assert_eq!(record["useTokens"], context + estimate_tokens(text) + completion);
}

#[tokio::test]
async fn history_is_replayed_into_later_turns_up_to_context_count() {
    let sim = start(SimConfig {
        context_count: 3,
        ..v2()
    })
    .await;
    let api = Api::login(&sim).await;
    let session = api.create_session("gpt-4.1-mini").await;
    let first = api.complete(session, "第一轮", json!([])).await.record();
    let second = api.complete(session, "第二轮", json!([])).await.record();
    let first_ai = first["aiText"].as_str().unwrap();
    assert_eq!(
        second["contextTokens"],
        first["contextTokens"].as_u64().unwrap() + estimate_tokens("第一轮") + estimate_tokens(first_ai)
    );
    assert!(second["aiText"].as_str().unwrap().contains("history=2"));
    let third = api.complete(session, "第三轮", json!([])).await.record();
    assert!(
        third["aiText"].as_str().unwrap().contains("history=3"),
        "capped by contextCount 3"
    );

    // A fresh session starts without history.
    let other = api.create_session("gpt-4.1-mini").await;
    let fresh = api.complete(other, "新会话", json!([])).await.record();
    assert!(fresh["aiText"].as_str().unwrap().contains("history=0"));
    assert_eq!(fresh["contextTokens"], first["contextTokens"]);
}

#[tokio::test]
async fn long_texts_are_echoed_head_and_tail_and_too_long_is_refused() {
    let sim = start(SimConfig {
        max_text_chars: 5000,
        ..v2()
    })
    .await;
    let api = Api::login(&sim).await;
    let session = api.create_session("gpt-4.1-mini").await;
    let text = format!("{}{}", "甲".repeat(2500), "乙".repeat(2500));
    let ai_text = api.complete(session, &text, json!([])).await.ai_text();
    assert!(ai_text.contains(&format!("{}…{}", "甲".repeat(1500), "乙".repeat(1500))));

    let too_long = "x".repeat(5001);
    let refused = api.complete(session, &too_long, json!([])).await;
    assert_eq!(refused.status, 200);
    let envelope = refused.envelope();
    assert_eq!(envelope["code"], 1);
    assert!(
        envelope["msg"].as_str().unwrap().contains("message-length error"),
        "{envelope}"
    );
    let stats = sim.control().stats();
    assert_eq!((stats.completions_started, stats.completions_failed), (1, 1));
}

#[tokio::test]
async fn images_need_a_multimodal_model_and_valid_limits() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let plain = api.create_session("gpt-4.1-mini").await;
    let refused = api.complete(plain, "看图", json!([png_file()])).await.envelope();
    assert_eq!(refused["code"], 1);
    assert!(
        refused["msg"].as_str().unwrap().contains("不支持图片"),
        "{refused}"
    );

    let vision = api.create_session("gpt-4o").await;
    let record = api.complete(vision, "看图", json!([png_file()])).await.record();
    assert!(record["aiText"].as_str().unwrap().contains("files=1"));
    assert_eq!(record["useImages"].as_array().unwrap().len(), 1);
    assert_eq!(
        record["promptTokens"],
        record["contextTokens"].as_u64().unwrap() + estimate_tokens("看图") + 85
    );

    let six = json!([
        png_file(),
        png_file(),
        png_file(),
        png_file(),
        png_file(),
        png_file()
    ]);
    assert_eq!(api.complete(vision, "看图", six).await.envelope()["code"], 1);
    let pdf = json!([{"name": "a.pdf", "data": "data:application/pdf;base64,JVBERi0="}]);
    assert_eq!(api.complete(vision, "看图", pdf).await.envelope()["code"], 1);
    let huge = format!("data:image/png;base64,{}", "A".repeat(8 * 1024 * 1024));
    let huge = json!([{"name": "big.png", "data": huge}]);
    assert_eq!(api.complete(vision, "看图", huge).await.envelope()["code"], 1);
    assert_eq!(sim.control().stats().completions_failed, 4);
}

#[tokio::test]
async fn insufficient_points_and_expired_login_are_json_before_the_stream() {
    let poor = SimAccount {
        points: 10,
        ..SimAccount::demo()
    };
    let sim = start(SimConfig {
        accounts: vec![poor],
        ..v2()
    })
    .await;
    let api = Api::login(&sim).await;
    let opus = api.create_session("claude-opus-4-6").await;
    let refused = api.complete(opus, "hi", json!([])).await;
    assert_eq!(
        refused.envelope(),
        json!({"code": 1, "data": null, "msg": "套餐余量不足"})
    );

    sim.control().expire_all_tokens();
    let expired = api.complete(opus, "hi", json!([])).await;
    assert_eq!(expired.status, 200);
    assert_eq!(
        expired.envelope(),
        json!({"code": 2, "data": null, "msg": "登录已过期"})
    );
    let stats = sim.control().stats();
    assert_eq!(
        (
            stats.completions_started,
            stats.completions_failed,
            stats.points_deducted
        ),
        (0, 2, 0)
    );
}

#[tokio::test]
async fn thinking_image_and_long_models_have_their_shapes() {
    let sim = start(SimConfig {
        slow_frame_delay: std::time::Duration::ZERO,
        ..v2()
    })
    .await;
    let api = Api::login(&sim).await;

    let thinking = api.create_session("deepseek-reasoner").await;
    let completion = api.complete(thinking, "想一想", json!([])).await;
    let pieces: Vec<String> = completion
        .json_frames()
        .iter()
        .filter(|f| f["type"] == "string")
        .map(|f| f["data"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(&pieces[..2], ["<thi", "nk>"]);
    assert!(
        !pieces.iter().any(|p| p.contains("</think>")),
        "closing tag split too"
    );
    let ai_text = completion.ai_text();
    assert!(ai_text.starts_with("<think>") && ai_text.contains("</think>\n\n"));

    let claude = api.create_session("claude-sonnet-4-5-thinking").await;
    assert!(
        api.complete(claude, "hi", json!([]))
            .await
            .ai_text()
            .starts_with("<think>")
    );

    let banana = api.create_session("gemini-2.5-flash-image").await;
    let record = api.complete(banana, "一只猫", json!([])).await.record();
    assert!(
        record["aiText"]
            .as_str()
            .unwrap()
            .contains("\n\n![image](https://cdn.sim.invalid/img/")
    );
    assert_eq!(record["deductCount"], 100_000);

    let vip = api.create_session("gpt-4o-image-vip").await;
    let record = api.complete(vip, "一只狗", json!([])).await.record();
    let text = record["aiText"].as_str().unwrap();
    assert!(text.contains("✅ 生成完成") && text.contains("![gen_"), "{text}");
    assert_eq!(record["model"], "GT-4o-image-vip（绘图模型）");

    let slow = api.create_session("o3-pro").await;
    let text = api
        .complete(slow, "请写长文 [[sim:long=50]]", json!([]))
        .await
        .ai_text();
    let words: Vec<String> = (1..=50).map(|i| format!("w{i}")).collect();
    assert_eq!(text, words.join(" "));
}

#[tokio::test]
async fn recent_completions_show_what_the_client_sent() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let session = api.create_session("gpt-4o").await;
    let body =
        json!({"text": "原样", "sessionId": session, "files": [png_file()], "model": "gpt-4o", "extra": 1});
    let response = api
        .request(reqwest::Method::POST, "/api/chat/completions")
        .json(&body)
        .send()
        .await
        .unwrap();
    response.text().await.unwrap();
    let recent = sim.control().recent_completions();
    assert_eq!(recent.len(), 1);
    let seen = &recent[0];
    assert_eq!(
        (seen.session_id, seen.model.as_str(), seen.text.as_str()),
        (session, "gpt-4o", "原样")
    );
    assert_eq!(seen.files, vec![png_file()]);
    assert_eq!(seen.body, body);
    let header = |name: &str| {
        seen.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("authorization"), Some(api.token.clone()));
    assert_eq!(header("x-app-version").as_deref(), Some("2.16.0"));
}

#[tokio::test]
async fn v3_catalog_and_task_id_header() {
    // The default dialect is 3.4.0.
    let sim = start(SimConfig::default()).await;
    let api = Api::login(&sim).await;
    let tmpl = api.get("/api/chat/tmpl").await["data"].clone();
    assert_eq!(tmpl["defModel"], "openai::gpt-4.1-mini");
    assert_eq!(tmpl["thinkModel"], "deepseek::deepseek-reasoner");
    assert!(
        tmpl["providers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["idKey"].is_string() && p["name"].is_string())
    );
    let models = tmpl["models"].as_array().unwrap();
    let reasoner = models
        .iter()
        .find(|m| m["value"] == "deepseek::deepseek-reasoner")
        .unwrap();
    let attr = &reasoner["attr"];
    assert_eq!(attr["providerKey"], "deepseek");
    assert_eq!(attr["modelType"], "chat");
    let caps = &attr["capabilities"];
    assert_eq!(caps["thinking"], true);
    for key in [
        "imageInput",
        "stream",
        "autoDetectThinking",
        "reasoningEfforts",
        "tools",
    ] {
        assert!(caps.get(key).is_some(), "{key}");
    }

    assert_eq!(
        api.send(
            reqwest::Method::POST,
            "/api/chat/session",
            json!({"model": "gpt-4.1-mini"})
        )
        .await["code"],
        1,
        "3.x needs the full provider::model value"
    );
    let session = api.create_session("openai::gpt-4.1-mini").await;
    let completion = api.complete(session, "hi", json!([])).await;
    let header = completion
        .headers
        .get("x-chat-task-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(completion.record()["taskId"], header);
}

#[tokio::test]
async fn v2_catalog_has_the_captured_shape() {
    let sim = start(v2()).await;
    let api = Api::login(&sim).await;
    let tmpl = api.get("/api/chat/tmpl").await["data"].clone();
    assert_eq!(tmpl["defModel"], "gpt-4.1-mini");
    assert_eq!(tmpl["thinkModel"], "deepseek-reasoner");
    assert_eq!(
        (tmpl["mFileCount"].clone(), tmpl["mFileSize"].clone()),
        (json!(5), json!(5))
    );
    assert!(tmpl.get("providers").is_none());
    let models = tmpl["models"].as_array().unwrap();
    assert!(models.len() >= 18);
    let tags: Vec<&str> = models
        .iter()
        .filter(|m| m["value"] == "gpt-5-all")
        .map(|m| m["attr"]["tag"].as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"联网模型") && tags.contains(&"文件多模态"),
        "{tags:?}"
    );
    for model in models {
        let attr = model["attr"].as_object().unwrap();
        let mut keys: Vec<&str> = attr.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "icon",
                "integral",
                "multimodal",
                "note",
                "onlyImg",
                "plugin",
                "tag"
            ]
        );
        assert!(attr["integral"].as_str().unwrap().ends_with("积分"));
    }
    let find = |v: &str| models.iter().find(|m| m["value"] == v).unwrap().clone();
    assert_eq!(find("gpt-4.1-mini")["attr"]["integral"], "1积分");
    assert_eq!(find("gpt-4o")["attr"]["multimodal"], true);
    assert_eq!(find("gpt-4o-image-vip")["attr"]["integral"], "300000积分");
    assert_eq!(find("claude-opus-4-6")["attr"]["integral"], "1000000积分");
    assert_eq!(find("gemini-2.5-flash-image")["attr"]["integral"], "100000积分");
}
