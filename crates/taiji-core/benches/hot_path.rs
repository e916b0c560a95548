//! Benchmarks of the per-request hot path: the `<think>` splitter applied to every upstream text
//! frame, and prompt building. Each group carries a baseline measured in the same run, so results
//! read as a ratio that holds across machines:
//! - `frames/baseline_push_str`: appending every frame to one `String` (the least any consumer does);
//! - `frames/baseline_to_owned`: one owned `String` per frame (what any owned event per frame costs);
//! - `frames/think_splitter`: the splitter, pieces consumed, `finish()` at the end;
//! - `frames/tool_call_parser`: the tool-call parser over the same frames (applied to the answer
//!   text when the request declared tools; the answer's `{`, backticks and code fences make it hold
//!   back and release text);
//! - `frames/baseline_json_parse`: parsing each frame's JSON into a generic value, the least any
//!   decoder of the upstream stream does;
//! - `frames/full_path`: the whole per-frame path of a reply: raw SSE bytes in network-sized chunks
//!   → SSE parser → typed frames → `<think>` splitter → neutral [`ChatEvent`]s;
//! - `prompt/baseline_concat`: joining the turn texts with no labels;
//! - `prompt/render_text` and `prompt/build_prompt`: labelled-turns text of a 20-turn transcript
//!   (text only), synchronously and through the async entry point;
//! - `tokens/baseline_split_whitespace`, `tokens/count` and `tokens/tiktoken_rs`: the token
//!   estimator over a 64 KiB answer, against splitting it at whitespace and against `tiktoken-rs`,
//!   whose counts it reproduces;
//! - `resolve/baseline_map_lookup` and `resolve/{bare,full_id,claude_code}`: resolving a request's
//!   model against a 162-model 3.x catalog with the default aliases, against one map lookup of the
//!   exact id.
//!
//! Throughput is in elements: frames for the first group (so criterion prints time per frame when
//! divided), builds for the second; in bytes for the tokens group. Run with
//! `cargo bench -p taiji-core --bench hot_path`.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use taiji_core::api::tokens::TokenEstimator;
use taiji_core::api::tools::parser::{CallParser, Piece as CallPiece};
use taiji_core::chat::ChatEvent;
use taiji_core::dispatch::think::{Piece, ThinkSplitter};
use taiji_core::model::{Catalog, FileLimits, ModelInfo};
use taiji_core::model_resolver::ModelResolver;
use taiji_core::prompt::{PromptOptions, Role, Transcript, Turn, build_prompt, render_text};
use taiji_core::settings::default_model_aliases;
use taiji_core::upstream::{Frame, FrameDecoder, StreamItem};

/// A small deterministic generator, so every run measures the same frames.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// A realistic thinking-model answer cut into frames of 1–7 characters, like the upstream's
/// token-ish `string` deltas: a reasoning block (tags cut wherever the cuts fall) and an answer
/// in mixed Chinese, English, markdown and emoji.
fn frames() -> Vec<String> {
    let reasoning = "好的，用户想知道如何在 Rust 里安全地共享状态。先想想：Arc<Mutex<T>> 是最常见的做法，\
        但要注意锁的粒度，还有 await 期间不要持有 std 的锁。也可以考虑 channel。🙂 "
        .repeat(4);
    let answer = "## 共享状态\n\n在 **Rust** 中，可以用 `Arc<Mutex<T>>` 在线程之间共享可变状态：\n\n\
        ```rust\nlet counter = Arc::new(Mutex::new(0));\n```\n\n- 优点：简单直接 ✅\n- 缺点：锁竞争 ⚠️\n\n\
        Alternatively, message passing with channels avoids shared state entirely. "
        .repeat(8);
    let text = format!("<think>\n{reasoning}</think>\n\n{answer}");
    let chars: Vec<char> = text.chars().collect();
    let mut rng = Lcg(42);
    let mut frames = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let len = (1 + rng.next() % 7) as usize;
        let end = (at + len).min(chars.len());
        frames.push(chars[at..end].iter().collect());
        at = end;
    }
    frames
}

fn bench_frames(c: &mut Criterion) {
    let frames = frames();
    let mut group = c.benchmark_group("frames");
    group.throughput(Throughput::Elements(frames.len() as u64));

    group.bench_function("baseline_push_str", |b| {
        let mut out = String::new();
        b.iter(|| {
            out.clear();
            for frame in &frames {
                out.push_str(black_box(frame));
            }
            black_box(out.len())
        });
    });

    group.bench_function("baseline_to_owned", |b| {
        b.iter(|| {
            let mut bytes = 0;
            for frame in &frames {
                let owned = black_box(frame).to_owned();
                bytes += black_box(owned).len();
            }
            bytes
        });
    });

    group.bench_function("think_splitter", |b| {
        b.iter(|| {
            let mut splitter = ThinkSplitter::new();
            let mut bytes = 0;
            for frame in &frames {
                for piece in splitter.push(black_box(frame)) {
                    bytes += piece_len(black_box(piece));
                }
            }
            for piece in splitter.finish() {
                bytes += piece_len(piece);
            }
            bytes
        });
    });
    group.bench_function("tool_call_parser", |b| {
        b.iter(|| {
            let mut parser = CallParser::new();
            let mut bytes = 0;
            for frame in &frames {
                for piece in parser.push(black_box(frame)) {
                    bytes += call_piece_len(black_box(piece));
                }
            }
            for piece in parser.finish() {
                bytes += call_piece_len(piece);
            }
            bytes
        });
    });
    group.finish();
}

fn call_piece_len(piece: CallPiece) -> usize {
    match piece {
        CallPiece::Text(text) => text.len(),
        CallPiece::Call(captured) => captured.raw.len(),
    }
}

/// The frames as the upstream sends them (taiji-protocol.md §4): one `data:` line per frame, a
/// final record, `[DONE]`; cut into chunks of about one TCP segment.
fn sse_chunks(frames: &[String]) -> (Vec<Vec<u8>>, Vec<String>) {
    let task_id = "2026967689787871232";
    let mut lines = Vec::new();
    for frame in frames {
        let data = serde_json::json!({"id": task_id, "type": "string", "data": frame, "code": 0});
        lines.push(data.to_string());
    }
    let record = serde_json::json!({"id": task_id, "type": "object", "code": 0, "data": {
        "id": 3824782, "sessionId": 462993, "taskId": task_id, "model": "GT-4.1-mini",
        "promptTokens": 203, "completionTokens": 31, "contextTokens": 195, "useTokens": 234,
        "deductCount": 1, "refundCount": 0, "appendDeductCount": 0, "userStop": false}});
    lines.push(record.to_string());
    let mut bytes = Vec::new();
    for line in &lines {
        bytes.extend_from_slice(b"data: ");
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\n\n");
    }
    bytes.extend_from_slice(b"data: [DONE]\n\n");
    (bytes.chunks(1400).map(<[u8]>::to_vec).collect(), lines)
}

fn bench_full_path(c: &mut Criterion) {
    let frames = frames();
    let (chunks, lines) = sse_chunks(&frames);
    let mut group = c.benchmark_group("frames");
    group.throughput(Throughput::Elements(frames.len() as u64));

    group.bench_function("baseline_json_parse", |b| {
        b.iter(|| {
            let mut count = 0;
            for line in &lines {
                let value: serde_json::Value = match serde_json::from_str(black_box(line)) {
                    Ok(value) => value,
                    Err(error) => panic!("benchmark input is valid JSON: {error}"),
                };
                count += usize::from(value.is_object());
            }
            count
        });
    });

    group.bench_function("full_path", |b| {
        let mut items = Vec::new();
        let mut events = Vec::with_capacity(frames.len() + 2);
        b.iter(|| {
            let mut decoder = FrameDecoder::new();
            let mut splitter = ThinkSplitter::new();
            events.clear();
            for chunk in &chunks {
                decoder.feed(black_box(chunk), &mut items);
                for item in items.drain(..) {
                    match item {
                        Ok(StreamItem::Frame(Frame::Text(delta))) => {
                            for piece in splitter.push(&delta) {
                                events.push(match piece {
                                    Piece::Reasoning(text) => ChatEvent::ReasoningDelta(text),
                                    Piece::Text(text) => ChatEvent::TextDelta(text),
                                });
                            }
                        }
                        Ok(StreamItem::Frame(Frame::Final(record))) => {
                            events.push(ChatEvent::Usage(record.usage()))
                        }
                        Ok(StreamItem::Done) => {}
                        Err(error) => panic!("benchmark input decodes: {error}"),
                    }
                }
            }
            decoder.finish(&mut items);
            black_box(events.len())
        });
    });
    group.finish();
}

fn piece_len(piece: Piece) -> usize {
    match piece {
        Piece::Reasoning(text) | Piece::Text(text) => text.len(),
    }
}

/// A 20-turn conversation with a system prompt, like an agent or a long chat sends.
fn transcript() -> Transcript {
    let turns = (0..20)
        .map(|index| {
            if index % 2 == 0 {
                Turn::text(Role::User, format!("第 {index} 个问题：请解释一下 Rust 的所有权和借用规则，举个例子。"))
            } else {
                Turn::text(
                    Role::Assistant,
                    "所有权：每个值有且只有一个所有者；借用：`&T` 可以有多个，`&mut T` 只能有一个。\n\n```rust\nlet s = String::from(\"hi\");\nlet r = &s;\n```\n"
                        .repeat(3),
                )
            }
        })
        .collect();
    Transcript {
        system: vec!["You are a helpful assistant. Answer in Chinese.".to_owned()],
        turns,
    }
}

fn bench_prompt(c: &mut Criterion) {
    let transcript = transcript();
    let model = ModelInfo {
        id: "gpt-4.1-mini".to_owned(),
        label: "GT-4.1-mini".to_owned(),
        group: "ChatGPT".to_owned(),
        price_points: Some(1),
        price_text: "1积分".to_owned(),
        multimodal: true,
        thinking: false,
        image_generation: false,
        note: String::new(),
        reasoning_efforts: Vec::new(),
    };
    let images = taiji_core::prompt::ImageClients::new().expect("image clients");
    let options = PromptOptions::default();
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(error) => panic!("cannot start a tokio runtime for the benchmark: {error}"),
    };

    let mut group = c.benchmark_group("prompt");
    group.throughput(Throughput::Elements(1));
    group.bench_function("baseline_concat", |b| {
        b.iter(|| {
            let mut out = String::new();
            for turn in &black_box(&transcript).turns {
                for part in &turn.parts {
                    if let taiji_core::prompt::Part::Text(text) = part {
                        out.push_str(text);
                        out.push_str("\n\n");
                    }
                }
            }
            out
        });
    });
    group.bench_function("render_text", |b| b.iter(|| render_text(black_box(&transcript))));
    group.bench_function("build_prompt", |b| {
        b.to_async(&runtime).iter(|| {
            build_prompt(
                black_box(&transcript),
                &model,
                FileLimits::default(),
                &images,
                &options,
            )
        });
    });
    group.finish();
}

/// The token estimator over a long answer (the frames' text, repeated to 64 KiB: mixed Chinese,
/// English, Markdown, code and emoji), against splitting the same text at whitespace, the least
/// any word-based estimate does.
fn bench_tokens(c: &mut Criterion) {
    let frames = frames().concat();
    let text = frames.repeat((64 * 1024) / frames.len() + 1);
    let estimator = TokenEstimator::new().expect("the embedded table loads");
    // The pattern is compiled at the first count; that is start-up, not the count.
    estimator.count("warm up");

    let mut group = c.benchmark_group("tokens");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("baseline_split_whitespace", |b| {
        b.iter(|| black_box(&text).split_whitespace().count());
    });
    group.bench_function("count", |b| b.iter(|| estimator.count(black_box(&text))));
    // The library the estimator reproduces token for token (a test checks it), on `fancy-regex`.
    let tiktoken = tiktoken_rs::o200k_base().expect("tiktoken-rs loads");
    group.bench_function("tiktoken_rs", |b| {
        b.iter(|| tiktoken.encode_ordinary(black_box(&text)).len());
    });
    group.finish();
}

/// A catalog the size of the site's (which lists over 150 models): 160 generated ids and the two the
/// benchmark asks for, 162 in all, in the 3.x `provider::model` form.
fn large_catalog() -> Catalog {
    let providers = [
        "openai",
        "anthropic",
        "deepseek",
        "qwen",
        "google",
        "moonshot",
        "zhipu",
        "meta",
    ];
    let models = (0..160)
        .map(|i| ModelInfo {
            id: format!("{}::model-{i}-chat", providers[i % providers.len()]),
            ..ModelInfo::default()
        })
        .chain(
            ["openai::gpt-4.1-mini", "anthropic::claude-sonnet-4-6"].map(|id| ModelInfo {
                id: id.to_owned(),
                ..ModelInfo::default()
            }),
        )
        .collect();
    Catalog {
        models,
        default_model: None,
        think_model: None,
        file_limits: FileLimits::default(),
    }
}

/// Model resolution for each request, against a map lookup of the exact id (the least any
/// resolution does): a bare name of a 3.x id (`gpt-4.1-mini`, what clients send), the full id, and
/// Claude Code's decorated name.
fn bench_resolve(c: &mut Criterion) {
    let catalog = large_catalog();
    let resolver = ModelResolver::new(default_model_aliases());
    let by_id: HashMap<&str, &ModelInfo> = catalog.models.iter().map(|m| (m.id.as_str(), m)).collect();

    let mut group = c.benchmark_group("resolve");
    group.bench_function("baseline_map_lookup", |b| {
        b.iter(|| by_id.get(black_box("openai::gpt-4.1-mini")).map(|m| m.id.len()));
    });
    for (name, requested) in [
        ("bare", "gpt-4.1-mini"),
        ("full_id", "openai::gpt-4.1-mini"),
        ("claude_code", "claude-sonnet-4-6[1m]"),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                resolver
                    .resolve(&catalog, black_box(requested))
                    .map(|m| m.id.len())
            });
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_frames,
    bench_full_path,
    bench_prompt,
    bench_tokens,
    bench_resolve
);
criterion_main!(benches);
