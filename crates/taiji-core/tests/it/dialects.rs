//! The same client journeys against both dialects of the site (taiji-protocol.md §9): the 3.4.0 site of
//! today (the simulator's default) and the 2.x site of the captures. Login, catalog, a streamed chat, the
//! `<think>` split and an image turn, through the real gateway; plus what only 3.4.0 has
//! (`reasoningEffort`).

use crate::gateway_support::{Fetch, Harness, KEY, Setup, parse_sse};
use serde_json::{Value, json};
use taiji_core::runtime::SettingsOverrides;
use taiji_core::secret::Secret;
use taiji_sim::{CatalogVersion, SimConfig};

const DIALECTS: [CatalogVersion; 2] = [CatalogVersion::V3, CatalogVersion::V2];

/// A signed-in gateway in front of a simulator speaking `dialect`, sending that dialect's version.
async fn harness(dialect: CatalogVersion) -> Harness {
    Harness::with(Setup {
        sim: SimConfig {
            catalog: dialect,
            ..SimConfig::default()
        },
        overrides: SettingsOverrides {
            api_keys: Some(vec![Secret::new(KEY)]),
            api_keys_required: Some(true),
            app_version: Some(dialect.app_version().to_owned()),
            ..SettingsOverrides::default()
        },
        ..Setup::default()
    })
    .await
}

/// The upstream value of a bare model id in `dialect`.
fn upstream_id(dialect: CatalogVersion, provider: &str, bare: &str) -> String {
    match dialect {
        CatalogVersion::V2 => bare.to_owned(),
        CatalogVersion::V3 => format!("{provider}::{bare}"),
    }
}

#[tokio::test]
async fn login_and_catalog_in_both_dialects() {
    for dialect in DIALECTS {
        let h = harness(dialect).await;
        let logins = h.sim.control().recent_logins();
        let login = logins.last().expect("the gateway signed in");
        let header = |name: &str| {
            login
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("x-app-version").as_deref(), Some(dialect.app_version()));
        assert_eq!(header("x-locale").as_deref(), Some("zh-CN"));
        assert_eq!(login.body["password"], "<redacted>");
        match dialect {
            CatalogVersion::V3 => {
                assert_eq!(login.body["registrationCode"], "", "{dialect:?}");
                assert_eq!(login.body["agreement"], false);
            }
            CatalogVersion::V2 => {
                assert!(login.body.get("registrationCode").is_none());
                assert_eq!(login.body["agreement"], true);
            }
        }

        let models: Value = h.get("/v1/models").bearer_auth(KEY).json_body().await;
        let ids: Vec<&str> = models["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["id"].as_str())
            .collect();
        let expected = upstream_id(dialect, "openai", "gpt-4.1-mini");
        assert!(ids.contains(&expected.as_str()), "{dialect:?}: {ids:?}");
        h.finish().await;
    }
}

#[tokio::test]
async fn chat_streams_and_splits_thinking_in_both_dialects() {
    for dialect in DIALECTS {
        let h = harness(dialect).await;
        // Bare ids resolve in both dialects; the full value is what goes upstream.
        let body = json!({"model": "gpt-4.1-mini", "stream": true,
                          "messages": [{"role": "user", "content": "hello"}]});
        let text = h
            .openai("/v1/chat/completions", &body)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let (events, _) = parse_sse(&text);
        assert_eq!(events.last().unwrap().data, "[DONE]", "{dialect:?}");
        let content: String = events
            .iter()
            .filter(|e| e.data != "[DONE]")
            .filter_map(|e| {
                e.json()["choices"][0]["delta"]["content"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect();
        assert!(!content.is_empty(), "{dialect:?}: {text}");
        let sent = h.sim.control().recent_completions();
        let last = sent.last().unwrap();
        assert_eq!(last.model, upstream_id(dialect, "openai", "gpt-4.1-mini"));
        assert_eq!(last.body["model"], upstream_id(dialect, "openai", "gpt-4.1-mini"));

        let body = json!({"model": "deepseek-reasoner",
                          "messages": [{"role": "user", "content": "think first"}]});
        let reply: Value = h.openai("/v1/chat/completions", &body).json_body().await;
        let message = &reply["choices"][0]["message"];
        assert!(
            !message["reasoning_content"]
                .as_str()
                .unwrap_or_default()
                .is_empty(),
            "{dialect:?}: {reply}"
        );
        assert!(
            !message["content"].as_str().unwrap().contains("<think>"),
            "{reply}"
        );
        h.finish().await;
    }
}

#[tokio::test]
async fn images_reach_multimodal_models_in_both_dialects() {
    for dialect in DIALECTS {
        let h = harness(dialect).await;
        let body = json!({"model": "claude-sonnet-4-5", "max_tokens": 256, "messages": [{"role": "user", "content": [
            {"type": "text", "text": "what is this?"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]}]});
        let response = h.anthropic("/v1/messages", &body).send().await.unwrap();
        assert_eq!(response.status(), 200, "{dialect:?}");
        let sent = h.sim.control().recent_completions();
        let last = sent.last().unwrap();
        assert_eq!(last.files.len(), 1);
        assert_eq!(last.files[0]["data"], "data:image/png;base64,iVBORw0KGgo=");
        h.finish().await;
    }
}

/// Sends `request`, which must succeed, and returns the `reasoningEffort` the simulator received.
async fn sent_effort(h: &Harness, request: reqwest::RequestBuilder) -> Option<Value> {
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let sent = h.sim.control().recent_completions();
    sent.last().unwrap().body.get("reasoningEffort").cloned()
}

#[tokio::test]
async fn reasoning_effort_goes_upstream_only_where_the_model_declares_it() {
    let h = harness(CatalogVersion::V3).await;
    let ask = |model: &str, effort: &str| {
        json!({"model": model, "reasoning_effort": effort,
               "messages": [{"role": "user", "content": "hi"}]})
    };
    // gpt-5-mini declares low/medium/high: the level is forwarded and accepted.
    let sent = sent_effort(&h, h.openai("/v1/chat/completions", &ask("gpt-5-mini", "HIGH"))).await;
    assert_eq!(sent, Some(json!("high")));

    // gpt-4.1-mini declares none: the 3.4.0 site would refuse the field, so it is left out.
    let sent = sent_effort(&h, h.openai("/v1/chat/completions", &ask("gpt-4.1-mini", "high"))).await;
    assert_eq!(sent, None);

    // Anthropic's effort maps the same way.
    let body = json!({"model": "gpt-5-mini", "max_tokens": 64, "output_config": {"effort": "low"},
                      "messages": [{"role": "user", "content": "hi"}]});
    let sent = sent_effort(&h, h.anthropic("/v1/messages", &body)).await;
    assert_eq!(sent, Some(json!("low")));
    h.finish().await;
}
