//! Tool calling through both APIs over real HTTP, with the simulator playing an agent's model
//! through scripted replies: native tool-call output (stream and non-stream), parallel calls,
//! forced choices, result round trips into the upstream text, and fallback to text.

use crate::gateway_support::{Fetch, Harness, assert_sse_headers, parse_sse};
use serde_json::{Value, json};
use taiji_core::request_log::EntryStatus;
use taiji_sim::ScriptedReply;

const WEATHER_CALL: &str = r#"{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}]}"#;
const TWO_CALLS: &str = r#"{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"get_time","arguments":{"zone":"Europe/Paris"}}]}"#;

fn openai_tools() -> Value {
    json!([
        {"type": "function", "function": {"name": "get_weather", "description": "Current weather of a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false}}},
        {"type": "function", "function": {"name": "get_time", "description": "Local time in a time zone.",
            "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]}}}
    ])
}

fn anthropic_tools() -> Value {
    json!([
        {"name": "get_weather", "description": "Current weather of a city.",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
        {"name": "get_time", "description": "Local time in a time zone.",
            "input_schema": {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]}}
    ])
}

fn script(harness: &Harness, reply: ScriptedReply) {
    harness.sim.control().script_replies([reply]);
}

/// The JSON chunks of an OpenAI stream (asserting the `[DONE]` end).
fn openai_chunks(body: &str) -> Vec<Value> {
    let (events, _) = parse_sse(body);
    assert_eq!(events.last().map(|e| e.data.as_str()), Some("[DONE]"), "{body}");
    events[..events.len() - 1].iter().map(|e| e.json()).collect()
}

/// Text, reasoning and the accumulated calls `(id, name, arguments)` of an OpenAI stream, and the
/// finish reason; checks the first delta of each call carries id, type and name.
fn openai_accumulate(chunks: &[Value]) -> (String, String, Vec<(String, String, String)>, String) {
    let (mut text, mut reasoning, mut calls, mut finish) =
        (String::new(), String::new(), Vec::new(), String::new());
    for chunk in chunks {
        let choices = chunk["choices"].as_array().expect("choices");
        assert_eq!(choices.len(), 1, "one choice: {chunk}");
        let delta = &choices[0]["delta"];
        text.push_str(delta["content"].as_str().unwrap_or_default());
        reasoning.push_str(delta["reasoning_content"].as_str().unwrap_or_default());
        for call in delta["tool_calls"].as_array().into_iter().flatten() {
            let index = call["index"].as_u64().expect("index") as usize;
            assert!(call["function"].is_object(), "every delta has a function: {call}");
            if index == calls.len() {
                let id = call["id"].as_str().expect("the first delta has the id");
                assert!(id.starts_with("call_"), "{id}");
                assert_eq!(call["type"], "function");
                let name = call["function"]["name"]
                    .as_str()
                    .expect("the first delta has the name");
                calls.push((id.to_owned(), name.to_owned(), String::new()));
            } else {
                assert!(call.get("id").is_none() && call["function"].get("name").is_none());
            }
            calls[index]
                .2
                .push_str(call["function"]["arguments"].as_str().expect("arguments"));
        }
        if let Some(reason) = choices[0]["finish_reason"].as_str() {
            finish = reason.to_owned();
        }
    }
    (text, reasoning, calls, finish)
}

#[tokio::test]
async fn openai_stream_emits_parallel_tool_calls_after_text_and_reasoning() {
    let harness = Harness::start().await;
    let answer = format!("Let me check both.\n{TWO_CALLS}\nThe weather is surely sunny.");
    script(
        &harness,
        ScriptedReply::text(answer).with_thinking("Two tools are needed."),
    );
    let response = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "stream": true, "tools": openai_tools(),
                    "messages": [{"role": "user", "content": "Weather and time in Paris?"}]}),
        )
        .fetch()
        .await;
    assert_sse_headers(&response);
    let body = response.text().await.expect("body");
    let chunks = openai_chunks(&body);
    let (text, reasoning, calls, finish) = openai_accumulate(&chunks);
    assert_eq!(reasoning, "Two tools are needed.");
    assert_eq!(text, "Let me check both.\n");
    assert_eq!(finish, "tool_calls");
    assert_eq!(calls.len(), 2, "{body}");
    assert_eq!(
        (calls[0].1.as_str(), calls[1].1.as_str()),
        ("get_weather", "get_time")
    );
    assert_ne!(calls[0].0, calls[1].0);
    assert_eq!(
        serde_json::from_str::<Value>(&calls[0].2).expect("json"),
        json!({"city": "Paris"})
    );
    assert_eq!(
        serde_json::from_str::<Value>(&calls[1].2).expect("json"),
        json!({"zone": "Europe/Paris"})
    );
    assert!(
        !body.contains("surely sunny") && !body.contains("tool_calls\\\""),
        "{body}"
    );
    let sent = harness.last_sent_text();
    assert!(
        sent.contains("- get_weather: Current weather of a city. Arguments: {"),
        "{sent}"
    );
    assert!(sent.contains(r#"{"tool_calls":[{"name":"<tool name>""#));
    harness.finish().await;
}

#[tokio::test]
async fn openai_non_stream_tool_call_has_null_content_and_usage() {
    let harness = Harness::start().await;
    script(
        &harness,
        ScriptedReply::text(format!("```json\n{WEATHER_CALL}\n```")),
    );
    let response: Value = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "tools": openai_tools(),
                    "messages": [{"role": "user", "content": "Weather in Paris?"}]}),
        )
        .json_body()
        .await;
    let choice = &response["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls", "{response}");
    assert!(choice["message"]["content"].is_null(), "{response}");
    let call = &choice["message"]["tool_calls"][0];
    assert!(call["id"].as_str().expect("id").starts_with("call_"));
    assert_eq!(call["type"], "function");
    assert_eq!(call["function"]["name"], "get_weather");
    assert_eq!(call["function"]["arguments"], r#"{"city":"Paris"}"#);
    assert_eq!(response["choices"].as_array().map(Vec::len), Some(1));
    assert!(response["usage"]["completion_tokens"].as_u64().expect("usage") > 0);
    let log = harness
        .wait_log(|entries| entries.len() == 1 && entries[0].status == EntryStatus::Done)
        .await;
    assert_eq!(
        log[0].completion_tokens,
        response["usage"]["completion_tokens"].as_u64()
    );
    harness.finish().await;
}

#[tokio::test]
async fn anthropic_stream_emits_tool_use_blocks() {
    let harness = Harness::start().await;
    let answer = format!("I will look it up. {TWO_CALLS}");
    script(&harness, ScriptedReply::text(answer).with_thinking("Need tools."));
    let response = harness
        .anthropic(
            "/v1/messages?beta=true",
            &json!({"model": "gpt-4.1-mini", "max_tokens": 32000, "stream": true, "tools": anthropic_tools(),
                    "messages": [{"role": "user", "content": "Weather and time in Paris?"}]}),
        )
        .fetch()
        .await;
    assert_sse_headers(&response);
    let body = response.text().await.expect("body");
    let (events, _) = parse_sse(&body);
    let data: Vec<Value> = events.iter().map(|e| e.json()).collect();
    for (event, json) in events.iter().zip(&data) {
        assert_eq!(event.event.as_deref(), json["type"].as_str());
    }
    let starts: Vec<&Value> = data
        .iter()
        .filter(|d| d["type"] == "content_block_start")
        .collect();
    let kinds: Vec<&str> = starts
        .iter()
        .map(|s| s["content_block"]["type"].as_str().expect("type"))
        .collect();
    assert_eq!(kinds, ["thinking", "text", "tool_use", "tool_use"], "{body}");
    for (position, start) in starts.iter().enumerate() {
        assert_eq!(start["index"], position);
    }
    let tool = &starts[2]["content_block"];
    assert!(tool["id"].as_str().expect("id").starts_with("toolu_"));
    assert_eq!(tool["name"], "get_weather");
    assert_eq!(tool["input"], json!({}));
    let input: String = data
        .iter()
        .filter(|d| d["index"] == 2 && d["delta"]["type"] == "input_json_delta")
        .map(|d| d["delta"]["partial_json"].as_str().expect("partial"))
        .collect();
    assert_eq!(
        serde_json::from_str::<Value>(&input).expect("json"),
        json!({"city": "Paris"})
    );
    let text: String = data
        .iter()
        .filter(|d| d["delta"]["type"] == "text_delta")
        .map(|d| d["delta"]["text"].as_str().expect("text"))
        .collect();
    assert_eq!(text, "I will look it up. ");
    let stops = data.iter().filter(|d| d["type"] == "content_block_stop").count();
    assert_eq!(stops, 4);
    let delta = data
        .iter()
        .find(|d| d["type"] == "message_delta")
        .expect("message_delta");
    assert_eq!(delta["delta"]["stop_reason"], "tool_use");
    assert_eq!(data.last().expect("events")["type"], "message_stop");
    harness.finish().await;
}

#[tokio::test]
async fn anthropic_round_trip_renders_calls_and_results_into_the_upstream_text() {
    let harness = Harness::start().await;
    script(&harness, ScriptedReply::text(WEATHER_CALL));
    let request = json!({"model": "gpt-4.1-mini", "max_tokens": 1024, "tools": anthropic_tools(),
                         "messages": [{"role": "user", "content": "Weather in Paris?"}]});
    let first: Value = harness.anthropic("/v1/messages", &request).json_body().await;
    assert_eq!(first["stop_reason"], "tool_use", "{first}");
    let blocks = first["content"].as_array().expect("content");
    assert_eq!(blocks.len(), 1, "no empty text block before a call: {first}");
    assert_eq!(blocks[0]["type"], "tool_use");
    assert_eq!(blocks[0]["input"], json!({"city": "Paris"}));
    let id = blocks[0]["id"].as_str().expect("id").to_owned();

    script(
        &harness,
        ScriptedReply::text("It is 21°C and sunny in Paris.").when_text_contains("[result of get_weather"),
    );
    let second = json!({"model": "gpt-4.1-mini", "max_tokens": 1024, "tools": anthropic_tools(),
    "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": first["content"]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": id, "content": [{"type": "text", "text": "21°C, sunny"}]}
        ]}
    ]});
    let answer: Value = harness.anthropic("/v1/messages", &second).json_body().await;
    assert_eq!(answer["stop_reason"], "end_turn", "{answer}");
    assert_eq!(answer["content"][0]["text"], "It is 21°C and sunny in Paris.");
    let sent = harness.last_sent_text();
    assert!(sent.contains(&format!("助手：{WEATHER_CALL}")), "{sent}");
    assert!(
        sent.contains(&format!(
            "工具结果：[result of get_weather (id {id})]\n21°C, sunny"
        )),
        "{sent}"
    );
    assert!(harness.sim.control().scripted_replies().is_empty());
    harness.finish().await;
}

#[tokio::test]
async fn openai_round_trip_names_the_tool_of_each_result() {
    let harness = Harness::start().await;
    script(
        &harness,
        ScriptedReply::text("The weather service failed.").when_text_contains("[result of get_weather"),
    );
    let body = json!({"model": "gpt-4.1-mini", "tools": openai_tools(),
    "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_7", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_7", "content": "timeout"}
    ]});
    let answer: Value = harness.openai("/v1/chat/completions", &body).json_body().await;
    assert_eq!(
        answer["choices"][0]["message"]["content"],
        "The weather service failed."
    );
    assert_eq!(answer["choices"][0]["finish_reason"], "stop");
    let sent = harness.last_sent_text();
    assert!(sent.contains(&format!("助手：{WEATHER_CALL}")), "{sent}");
    assert!(
        sent.contains("工具结果：[result of get_weather (id call_7)]\ntimeout"),
        "{sent}"
    );
    harness.finish().await;
}

#[tokio::test]
async fn forced_choices_are_prompted_not_refused_and_a_model_that_ignores_them_gets_text() {
    let harness = Harness::start().await;
    // OpenAI named tool: no 400; the model ignores it (deterministic reply) → its text, one request.
    let named = json!({"type": "function", "function": {"name": "get_time"}});
    let response = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "tools": openai_tools(), "tool_choice": named,
                    "parallel_tool_calls": false, "messages": [{"role": "user", "content": "time?"}]}),
        )
        .fetch()
        .await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["choices"][0]["finish_reason"], "stop");
    assert!(
        answer["choices"][0]["message"]["content"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let sent = harness.last_sent_text();
    assert!(
        sent.contains("This reply must call the tool `get_time`. Call at most one tool per reply."),
        "{sent}"
    );
    assert_eq!(
        harness.sim.control().stats().completions_started,
        1,
        "never a second upstream message"
    );

    // Anthropic `any` with disable_parallel_tool_use: two calls answered, the first kept.
    script(&harness, ScriptedReply::text(TWO_CALLS));
    let answer: Value = harness
        .anthropic(
            "/v1/messages",
            &json!({"model": "gpt-4.1-mini", "max_tokens": 100, "tools": anthropic_tools(),
                    "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
                    "messages": [{"role": "user", "content": "Weather and time?"}]}),
        )
        .json_body()
        .await;
    assert_eq!(answer["stop_reason"], "tool_use", "{answer}");
    let blocks = answer["content"].as_array().expect("content");
    assert_eq!(blocks.len(), 1, "{answer}");
    assert_eq!(blocks[0]["name"], "get_weather");
    assert!(
        harness
            .last_sent_text()
            .contains("This reply must call at least one tool.")
    );
    harness.finish().await;
}

#[tokio::test]
async fn invalid_calls_and_tool_choice_none_answer_with_the_models_text() {
    let harness = Harness::start().await;
    // Arguments that break the schema (city must be a string): passed on as the text it was.
    let invalid = r#"Here: {"tool_calls":[{"name":"get_weather","arguments":{"city":42}}]}"#;
    script(&harness, ScriptedReply::text(invalid));
    let response = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "stream": true, "tools": openai_tools(),
                    "messages": [{"role": "user", "content": "Weather?"}]}),
        )
        .fetch()
        .await;
    let chunks = openai_chunks(&response.text().await.expect("body"));
    let (text, _, calls, finish) = openai_accumulate(&chunks);
    assert_eq!(
        (text.as_str(), calls.len(), finish.as_str()),
        (invalid, 0, "stop")
    );

    // An unknown tool, Anthropic stream: text, end_turn.
    let unknown = r#"{"tool_calls":[{"name":"rm","arguments":{}}]}"#;
    script(&harness, ScriptedReply::text(unknown));
    let body = harness
        .anthropic(
            "/v1/messages",
            &json!({"model": "gpt-4.1-mini", "max_tokens": 100, "stream": true, "tools": anthropic_tools(),
                    "messages": [{"role": "user", "content": "rm?"}]}),
        )
        .text_body()
        .await;
    let (events, _) = parse_sse(&body);
    let data: Vec<Value> = events.iter().map(|e| e.json()).collect();
    let text: String = data
        .iter()
        .filter(|d| d["delta"]["type"] == "text_delta")
        .map(|d| d["delta"]["text"].as_str().expect("text"))
        .collect();
    assert_eq!(text, unknown);
    assert!(!body.contains("tool_use\""), "{body}");

    // tool_choice none: tools not described, a call-shaped answer stays text.
    script(&harness, ScriptedReply::text(WEATHER_CALL));
    let answer: Value = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "tools": openai_tools(), "tool_choice": "none",
                    "messages": [{"role": "user", "content": "Weather?"}]}),
        )
        .json_body()
        .await;
    assert_eq!(answer["choices"][0]["message"]["content"], WEATHER_CALL);
    assert!(answer["choices"][0]["message"].get("tool_calls").is_none());
    let sent = harness.last_sent_text();
    assert!(
        sent.contains("Tools are not available") && !sent.contains("get_weather"),
        "{sent}"
    );
    harness.finish().await;
}

#[tokio::test]
async fn limits_apply_to_the_text_and_a_cut_call_is_text() {
    let harness = Harness::start().await;
    // A stop sequence in the text before a call ends the answer there: no call.
    script(&harness, ScriptedReply::text(format!("One. STOP {WEATHER_CALL}")));
    let answer: Value = harness
        .openai(
            "/v1/chat/completions",
            &json!({"model": "gpt-4.1-mini", "tools": openai_tools(), "stop": ["STOP"],
                    "messages": [{"role": "user", "content": "Weather?"}]}),
        )
        .json_body()
        .await;
    assert_eq!(answer["choices"][0]["message"]["content"], "One. ");
    assert_eq!(answer["choices"][0]["finish_reason"], "stop");

    // The budget runs out inside the call: what was written is text, stop reason max_tokens.
    script(&harness, ScriptedReply::text(WEATHER_CALL));
    let answer: Value = harness
        .anthropic(
            "/v1/messages",
            &json!({"model": "gpt-4.1-mini", "max_tokens": 4, "tools": anthropic_tools(),
                    "messages": [{"role": "user", "content": "Weather?"}]}),
        )
        .json_body()
        .await;
    assert_eq!(answer["stop_reason"], "max_tokens", "{answer}");
    let text = answer["content"][0]["text"].as_str().expect("text");
    assert!(!text.is_empty() && WEATHER_CALL.starts_with(text), "{text}");
    harness.finish().await;
}
