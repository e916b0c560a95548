//! The Anthropic streaming encoder: turns [`OutputEvent`]s into the exact Messages SSE events real
//! clients expect (client-conformance §2.3 and rules 6–8):
//!
//! - every event has an `event: <name>` line and a `data.type` of the same name;
//! - `message_start` first, with `usage.input_tokens` (the gateway's estimate; the upstream reports
//!   its count only at the end) and `output_tokens`, then a `ping`;
//! - content blocks with contiguous indices in start order, one start/stop pair each: reasoning as a
//!   `thinking` block (`thinking_delta`s, then a `signature_delta` before its stop), answer text as a
//!   `text` block; each tool call as a `tool_use` block (`id`, `name`, `input: {}`, then
//!   `input_json_delta`s and its stop at once); an answer with no content still gets one (empty)
//!   text block;
//! - `message_delta` with `stop_reason`, `stop_sequence` and `usage.output_tokens`, then
//!   `message_stop`; keep-alives are `ping` events; errors are `event: error`, then close.

use bytes::{Bytes, BytesMut};
use serde::Serialize;

use crate::api::anthropic::response::{MessageMeta, MessageUsage};
use crate::api::error::ApiError;
use crate::api::output::{Finish, OutputEvent, ToolCall};
use crate::api::sse::{self, SLOT_MARKER, StringSlot};

/// The kind of the content block currently open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Thinking,
    Text,
}

/// Encodes one streamed message.
#[derive(Debug, Clone)]
pub struct AnthropicStreamEncoder {
    meta: MessageMeta,
    input_tokens_estimate: u64,
    open_block: Option<(u32, BlockKind)>,
    blocks_started: u32,
    started: bool,
    finished: bool,
    /// The open block's delta event cut around its text, made at its second delta.
    delta_slot: Option<(u32, BlockKind, StringSlot)>,
}

impl AnthropicStreamEncoder {
    /// An encoder for one message; `input_tokens_estimate` goes into `message_start`.
    pub fn new(meta: MessageMeta, input_tokens_estimate: u64) -> Self {
        Self {
            meta,
            input_tokens_estimate,
            open_block: None,
            blocks_started: 0,
            started: false,
            finished: false,
            delta_slot: None,
        }
    }

    /// `message_start` and a `ping`. Send them as soon as the response starts; later calls return
    /// nothing, and [`Self::encode`] sends them itself if they were not sent yet.
    pub fn start(&mut self) -> Vec<Bytes> {
        if self.started {
            return Vec::new();
        }
        self.started = true;
        vec![
            sse::event_frame(
                "message_start",
                &MessageStart {
                    kind: "message_start",
                    message: StartMessage {
                        id: &self.meta.id,
                        kind: "message",
                        role: "assistant",
                        content: [],
                        model: &self.meta.model,
                        stop_reason: None,
                        stop_sequence: None,
                        usage: MessageUsage::new(self.input_tokens_estimate, 0),
                    },
                },
            ),
            ping(),
        ]
    }

    /// The events for one output event (none for an empty delta or anything after the end).
    pub fn encode(&mut self, event: &OutputEvent) -> Vec<Bytes> {
        if self.finished {
            return Vec::new();
        }
        let mut frames = self.start();
        match event {
            OutputEvent::Reasoning(text) if !text.is_empty() => {
                let index = self.ensure_block(BlockKind::Thinking, &mut frames);
                frames.push(block_delta(index, BlockDelta::Thinking { thinking: text }));
            }
            OutputEvent::Text(text) if !text.is_empty() => {
                let index = self.ensure_block(BlockKind::Text, &mut frames);
                frames.push(block_delta(index, BlockDelta::Text { text }));
            }
            OutputEvent::Reasoning(_) | OutputEvent::Text(_) => {}
            OutputEvent::ToolCall(call) => self.tool_use(call, &mut frames),
            OutputEvent::Finished(finish) => frames.extend(self.finish(finish)),
        }
        frames
    }

    /// Appends the events for one output event to `out`: the same bytes as [`Self::encode`], with
    /// deltas of the block already open written into an event template instead of serialised whole.
    pub fn encode_into(&mut self, event: &OutputEvent, out: &mut BytesMut) {
        let delta = match event {
            OutputEvent::Reasoning(text) if !text.is_empty() => Some((text, BlockKind::Thinking)),
            OutputEvent::Text(text) if !text.is_empty() => Some((text, BlockKind::Text)),
            _ => None,
        };
        if let Some((text, kind)) = delta
            && self.started
            && !self.finished
            && let Some((index, open_kind)) = self.open_block
            && open_kind == kind
        {
            let current = matches!(&self.delta_slot, Some((at, of, _)) if *at == index && *of == kind);
            if !current {
                let marker = match kind {
                    BlockKind::Thinking => BlockDelta::Thinking {
                        thinking: SLOT_MARKER,
                    },
                    BlockKind::Text => BlockDelta::Text { text: SLOT_MARKER },
                };
                self.delta_slot =
                    StringSlot::around_marker(&block_delta(index, marker)).map(|slot| (index, kind, slot));
            }
            if let Some((_, _, slot)) = &self.delta_slot {
                slot.write(text, out);
                return;
            }
        }
        for frame in self.encode(event) {
            out.extend_from_slice(&frame);
        }
    }

    /// The in-stream error event; the stream must close after it (no `message_stop`).
    pub fn error(&mut self, error: &ApiError) -> Bytes {
        self.finished = true;
        error.anthropic_stream_frame()
    }

    /// A keep-alive `ping` event, for idle periods (slow models, queueing).
    pub fn keep_alive(&self) -> Bytes {
        ping()
    }

    /// Whether the end (finish or error) was encoded.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Makes sure a block of `kind` is open, closing another kind first; returns its index.
    fn ensure_block(&mut self, kind: BlockKind, frames: &mut Vec<Bytes>) -> u32 {
        if let Some((index, open_kind)) = self.open_block {
            if open_kind == kind {
                return index;
            }
            self.close_block(frames);
        }
        let index = self.blocks_started;
        self.blocks_started += 1;
        self.open_block = Some((index, kind));
        let content_block = match kind {
            BlockKind::Thinking => StartBlock::Thinking {
                thinking: "",
                signature: "",
            },
            BlockKind::Text => StartBlock::Text { text: "" },
        };
        frames.push(sse::event_frame(
            "content_block_start",
            &ContentBlockStart {
                kind: "content_block_start",
                index,
                content_block,
            },
        ));
        index
    }

    /// One complete `tool_use` block: start, the input in pieces, stop.
    fn tool_use(&mut self, call: &ToolCall, frames: &mut Vec<Bytes>) {
        self.close_block(frames);
        let index = self.blocks_started;
        self.blocks_started += 1;
        let id = format!("toolu_{}", call.id);
        frames.push(sse::event_frame(
            "content_block_start",
            &ContentBlockStart {
                kind: "content_block_start",
                index,
                content_block: StartBlock::ToolUse {
                    id: &id,
                    name: &call.name,
                    input: EmptyObject {},
                },
            },
        ));
        for chunk in call.argument_chunks() {
            frames.push(block_delta(index, BlockDelta::InputJson { partial_json: chunk }));
        }
        frames.push(sse::event_frame(
            "content_block_stop",
            &ContentBlockStop {
                kind: "content_block_stop",
                index,
            },
        ));
    }

    fn close_block(&mut self, frames: &mut Vec<Bytes>) {
        let Some((index, kind)) = self.open_block.take() else {
            return;
        };
        if kind == BlockKind::Thinking {
            let signature = self.meta.thinking_signature();
            frames.push(block_delta(
                index,
                BlockDelta::Signature {
                    signature: &signature,
                },
            ));
        }
        frames.push(sse::event_frame(
            "content_block_stop",
            &ContentBlockStop {
                kind: "content_block_stop",
                index,
            },
        ));
    }

    fn finish(&mut self, finish: &Finish) -> Vec<Bytes> {
        self.finished = true;
        let mut frames = Vec::new();
        if self.blocks_started == 0 {
            // Clients expect at least one block; an empty answer is an empty text block.
            self.ensure_block(BlockKind::Text, &mut frames);
        }
        self.close_block(&mut frames);
        frames.push(sse::event_frame(
            "message_delta",
            &MessageDelta {
                kind: "message_delta",
                delta: StopDelta {
                    stop_reason: finish.reason.anthropic_stop_reason(),
                    stop_sequence: finish.reason.stop_sequence(),
                },
                usage: DeltaUsage {
                    input_tokens: finish.usage.prompt_tokens,
                    output_tokens: finish.usage.completion_tokens,
                },
            },
        ));
        frames.push(sse::event_frame(
            "message_stop",
            &TypeOnly { kind: "message_stop" },
        ));
        frames
    }
}

fn ping() -> Bytes {
    sse::event_frame("ping", &TypeOnly { kind: "ping" })
}

fn block_delta(index: u32, delta: BlockDelta<'_>) -> Bytes {
    sse::event_frame(
        "content_block_delta",
        &ContentBlockDelta {
            kind: "content_block_delta",
            index,
            delta,
        },
    )
}

#[derive(Serialize)]
struct TypeOnly {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct MessageStart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    message: StartMessage<'a>,
}

#[derive(Serialize)]
struct StartMessage<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    role: &'static str,
    content: [(); 0],
    model: &'a str,
    stop_reason: Option<&'static str>,
    stop_sequence: Option<&'static str>,
    usage: MessageUsage,
}

#[derive(Serialize)]
struct ContentBlockStart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    index: u32,
    content_block: StartBlock<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StartBlock<'a> {
    Thinking {
        thinking: &'static str,
        signature: &'static str,
    },
    Text {
        text: &'static str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: EmptyObject,
    },
}

/// `{}`.
#[derive(Serialize)]
struct EmptyObject {}

#[derive(Serialize)]
struct ContentBlockDelta<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    index: u32,
    delta: BlockDelta<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type")]
enum BlockDelta<'a> {
    #[serde(rename = "thinking_delta")]
    Thinking { thinking: &'a str },
    #[serde(rename = "signature_delta")]
    Signature { signature: &'a str },
    #[serde(rename = "text_delta")]
    Text { text: &'a str },
    #[serde(rename = "input_json_delta")]
    InputJson { partial_json: &'a str },
}

#[derive(Serialize)]
struct ContentBlockStop {
    #[serde(rename = "type")]
    kind: &'static str,
    index: u32,
}

#[derive(Serialize)]
struct MessageDelta<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    delta: StopDelta<'a>,
    usage: DeltaUsage,
}

#[derive(Serialize)]
struct StopDelta<'a> {
    stop_reason: &'static str,
    stop_sequence: Option<&'a str>,
}

#[derive(Serialize)]
struct DeltaUsage {
    input_tokens: u64,
    output_tokens: u64,
}

#[cfg(test)]
mod template_tests {
    use super::*;

    /// The template path is the one taken for a block's later deltas (the proptest in
    /// `tests/it/api_anthropic.rs` checks its bytes).
    #[test]
    fn later_deltas_of_an_open_block_go_through_the_template() {
        let meta = MessageMeta {
            id: "msg_1".into(),
            model: "claude".into(),
        };
        let mut encoder = AnthropicStreamEncoder::new(meta, 1);
        let mut out = BytesMut::new();
        encoder.start();
        encoder.encode_into(&OutputEvent::Text("a".into()), &mut out);
        assert!(
            encoder.delta_slot.is_none(),
            "the block's first delta opens it the long way"
        );
        encoder.encode_into(&OutputEvent::Text("b".into()), &mut out);
        assert!(matches!(encoder.delta_slot, Some((0, BlockKind::Text, _))));
        encoder.encode_into(&OutputEvent::Reasoning("c".into()), &mut out);
        encoder.encode_into(&OutputEvent::Reasoning("d".into()), &mut out);
        assert!(matches!(encoder.delta_slot, Some((1, BlockKind::Thinking, _))));
    }
}
