//! The OpenAI streaming encoder: turns [`OutputEvent`]s into the exact `chat.completion.chunk`
//! SSE frames real clients expect (client-conformance §1.3 and rules 1–5):
//!
//! - the same `id`, `created` and `model` on every chunk; `usage: null` on every choice chunk;
//! - a first chunk `delta: {"role":"assistant","content":""}` sent at once, before the first token
//!   (Cherry Studio's connection check waits for it);
//! - content deltas as `delta.content`, reasoning as `delta.reasoning_content`, `finish_reason: null`
//!   until exactly one finish chunk with `delta: {}` and a real reason;
//! - tool calls as `delta.tool_calls`: a first delta with `index`, `id`, `type` and the function
//!   name (arguments `""`), then the arguments in pieces, each delta carrying `index` and `function`;
//!   the finish says `tool_calls`;
//! - a usage chunk with `choices: []` only when `stream_options.include_usage` asked for it;
//! - `data: [DONE]` last; keep-alives as SSE comments; errors as `data: {"error":…}` then close.

use bytes::{Bytes, BytesMut};
use serde::Serialize;

use crate::api::error::ApiError;
use crate::api::openai::response::{CompletionUsage, ResponseMeta};
use crate::api::output::{Finish, OutputEvent, ToolCall};
use crate::api::sse::{self, SLOT_MARKER, StringSlot};

/// Encodes one streamed chat completion.
#[derive(Debug, Clone)]
pub struct OpenAiStreamEncoder {
    meta: ResponseMeta,
    include_usage: bool,
    started: bool,
    finished: bool,
    tool_calls: u32,
    /// The content (`[0]`) and reasoning (`[1]`) delta chunks cut around their text, each made at
    /// its first delta.
    delta_slots: [Option<StringSlot>; 2],
}

impl OpenAiStreamEncoder {
    /// An encoder for one completion; `include_usage` is `stream_options.include_usage`.
    pub fn new(meta: ResponseMeta, include_usage: bool) -> Self {
        Self {
            meta,
            include_usage,
            started: false,
            finished: false,
            tool_calls: 0,
            delta_slots: [None, None],
        }
    }

    /// The first chunk (`delta.role: "assistant"`). Send it as soon as the response starts; later
    /// calls return nothing, and [`Self::encode`] sends it itself if it was not sent yet.
    pub fn start(&mut self) -> Option<Bytes> {
        if self.started {
            return None;
        }
        self.started = true;
        Some(self.choice_chunk(
            Delta {
                role: Some("assistant"),
                content: Some(""),
                reasoning_content: None,
                tool_calls: None,
            },
            None,
        ))
    }

    /// The frames for one event (none for an empty delta or anything after the end).
    pub fn encode(&mut self, event: &OutputEvent) -> Vec<Bytes> {
        if self.finished {
            return Vec::new();
        }
        let mut frames: Vec<Bytes> = self.start().into_iter().collect();
        match event {
            OutputEvent::Text(text) if !text.is_empty() => {
                frames.push(self.choice_chunk(
                    Delta {
                        role: None,
                        content: Some(text),
                        reasoning_content: None,
                        tool_calls: None,
                    },
                    None,
                ));
            }
            OutputEvent::Reasoning(text) if !text.is_empty() => {
                frames.push(self.choice_chunk(
                    Delta {
                        role: None,
                        content: None,
                        reasoning_content: Some(text),
                        tool_calls: None,
                    },
                    None,
                ));
            }
            OutputEvent::Text(_) | OutputEvent::Reasoning(_) => {}
            OutputEvent::ToolCall(call) => frames.extend(self.tool_call(call)),
            OutputEvent::Finished(finish) => frames.extend(self.finish(finish)),
        }
        frames
    }

    /// Appends the frames for one event to `out`: the same bytes as [`Self::encode`], with text and
    /// reasoning deltas written into a chunk template instead of serialised whole.
    pub fn encode_into(&mut self, event: &OutputEvent, out: &mut BytesMut) {
        if self.started && !self.finished {
            let slot = match event {
                OutputEvent::Text(text) if !text.is_empty() => Some((text, false)),
                OutputEvent::Reasoning(text) if !text.is_empty() => Some((text, true)),
                _ => None,
            };
            if let Some((text, reasoning)) = slot
                && let Some(slot) = self.delta_slot(reasoning)
            {
                slot.write(text, out);
                return;
            }
        }
        for frame in self.encode(event) {
            out.extend_from_slice(&frame);
        }
    }

    /// The template of a content (or reasoning) delta chunk, made at its first use.
    fn delta_slot(&mut self, reasoning: bool) -> Option<&StringSlot> {
        let index = usize::from(reasoning);
        if self.delta_slots[index].is_none() {
            let marker = Some(SLOT_MARKER);
            let delta = Delta {
                role: None,
                content: if reasoning { None } else { marker },
                reasoning_content: if reasoning { marker } else { None },
                tool_calls: None,
            };
            self.delta_slots[index] = StringSlot::around_marker(&self.choice_chunk(delta, None));
        }
        self.delta_slots[index].as_ref()
    }

    /// The in-stream error frame; the stream must close after it (no `[DONE]`).
    pub fn error(&mut self, error: &ApiError) -> Bytes {
        self.finished = true;
        error.openai_stream_frame()
    }

    /// A keep-alive comment, for idle periods (slow models, queueing).
    pub fn keep_alive(&self) -> Bytes {
        sse::keep_alive_frame()
    }

    /// Whether the end (finish or error) was encoded.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The deltas of one call: id, type and name first, then the arguments in pieces.
    fn tool_call(&mut self, call: &ToolCall) -> Vec<Bytes> {
        let index = self.tool_calls;
        self.tool_calls += 1;
        let id = format!("call_{}", call.id);
        let mut frames = vec![self.tool_chunk(ToolCallDelta {
            index,
            id: Some(&id),
            kind: Some("function"),
            function: FunctionDelta {
                name: Some(&call.name),
                arguments: "",
            },
        })];
        for chunk in call.argument_chunks() {
            frames.push(self.tool_chunk(ToolCallDelta {
                index,
                id: None,
                kind: None,
                function: FunctionDelta {
                    name: None,
                    arguments: chunk,
                },
            }));
        }
        frames
    }

    fn tool_chunk(&self, call: ToolCallDelta<'_>) -> Bytes {
        self.choice_chunk(
            Delta {
                role: None,
                content: None,
                reasoning_content: None,
                tool_calls: Some(vec![call]),
            },
            None,
        )
    }

    fn finish(&mut self, finish: &Finish) -> Vec<Bytes> {
        self.finished = true;
        let mut frames = vec![self.choice_chunk(
            Delta {
                role: None,
                content: None,
                reasoning_content: None,
                tool_calls: None,
            },
            Some(finish.reason.openai_finish_reason()),
        )];
        if self.include_usage {
            frames.push(sse::data_frame(&Chunk {
                id: &self.meta.id,
                object: "chat.completion.chunk",
                created: self.meta.created,
                model: &self.meta.model,
                system_fingerprint: None,
                choices: Vec::new(),
                usage: Some(CompletionUsage::from_finish(finish)),
            }));
        }
        frames.push(sse::done_frame());
        frames
    }

    fn choice_chunk(&self, delta: Delta<'_>, finish_reason: Option<&'static str>) -> Bytes {
        sse::data_frame(&Chunk {
            id: &self.meta.id,
            object: "chat.completion.chunk",
            created: self.meta.created,
            model: &self.meta.model,
            system_fingerprint: None,
            choices: vec![ChunkChoice {
                index: 0,
                delta,
                logprobs: None,
                finish_reason,
            }],
            usage: None,
        })
    }
}

#[derive(Serialize)]
struct Chunk<'a> {
    id: &'a str,
    object: &'static str,
    created: i64,
    model: &'a str,
    system_fingerprint: Option<&'static str>,
    choices: Vec<ChunkChoice<'a>>,
    usage: Option<CompletionUsage>,
}

#[derive(Serialize)]
struct ChunkChoice<'a> {
    index: u32,
    delta: Delta<'a>,
    logprobs: Option<()>,
    finish_reason: Option<&'static str>,
}

#[derive(Serialize)]
struct Delta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning_content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_calls: Option<Vec<ToolCallDelta<'a>>>,
}

#[derive(Serialize)]
struct ToolCallDelta<'a> {
    index: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    function: FunctionDelta<'a>,
}

#[derive(Serialize)]
struct FunctionDelta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    arguments: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template path is the one taken (the proptest in `tests/it/api_openai.rs` checks its bytes).
    #[test]
    fn deltas_after_the_start_go_through_the_templates() {
        let meta = ResponseMeta {
            id: "chatcmpl-1".into(),
            created: 1,
            model: "gpt-4.1-mini".into(),
        };
        let mut encoder = OpenAiStreamEncoder::new(meta, false);
        let mut out = BytesMut::new();
        assert!(encoder.start().is_some());
        encoder.encode_into(&OutputEvent::Text("a".into()), &mut out);
        encoder.encode_into(&OutputEvent::Reasoning("b".into()), &mut out);
        assert!(encoder.delta_slots.iter().all(Option::is_some));
    }
}
