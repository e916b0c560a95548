//! `POST /v1/messages/count_tokens`: an honest estimate of a Messages request's input tokens with
//! the shared [`TokenEstimator`]. It counts everything the real API counts (the system prompt,
//! every message and block, and the tool definitions), because undercounting makes Claude Code
//! compact too late; images and binary documents count as fixed estimates.

use serde::Serialize;

use crate::api::anthropic::request::{
    BlockSource, ContentBlock, MessageContent, MessagesRequest, SystemPrompt, ToolResultContent,
};
use crate::api::tokens::{DOCUMENT_TOKENS, IMAGE_TOKENS, MESSAGE_OVERHEAD_TOKENS, TokenEstimator};

/// The fixed overhead of each tool definition (its framing in the prompt).
const TOOL_OVERHEAD_TOKENS: u64 = 8;

/// The `count_tokens` response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CountTokensResponse {
    /// The estimate.
    pub input_tokens: u64,
}

/// The estimated input tokens of a Messages (or `count_tokens`) request.
pub fn count_anthropic_tokens(estimator: &TokenEstimator, request: &MessagesRequest) -> u64 {
    let system = match &request.system {
        Some(SystemPrompt::Text(text)) => estimator.count(text),
        Some(SystemPrompt::Blocks(blocks)) => blocks.iter().map(|block| count_block(estimator, block)).sum(),
        None => 0,
    };
    let messages: u64 = request
        .messages
        .iter()
        .flatten()
        .map(|message| {
            MESSAGE_OVERHEAD_TOKENS
                + match &message.content {
                    Some(MessageContent::Text(text)) => estimator.count(text),
                    Some(MessageContent::Blocks(blocks)) => {
                        blocks.iter().map(|block| count_block(estimator, block)).sum()
                    }
                    None => 0,
                }
        })
        .sum();
    let tools: u64 = request
        .tools
        .iter()
        .flatten()
        .map(|tool| {
            TOOL_OVERHEAD_TOKENS
                + tool.name.as_deref().map_or(0, |name| estimator.count(name))
                + tool
                    .description
                    .as_deref()
                    .map_or(0, |description| estimator.count(description))
                + tool
                    .input_schema
                    .as_ref()
                    .map_or(0, |schema| estimator.count(&schema.to_string()))
        })
        .sum();
    system + messages + tools
}

fn count_block(estimator: &TokenEstimator, block: &ContentBlock) -> u64 {
    match block.kind.as_str() {
        "image" => IMAGE_TOKENS,
        "document" => {
            block.title.as_deref().map_or(0, |title| estimator.count(title))
                + block
                    .source
                    .as_ref()
                    .map_or(0, |source| count_document_source(estimator, source))
        }
        "tool_use" => {
            block.name.as_deref().map_or(0, |name| estimator.count(name))
                + block
                    .input
                    .as_ref()
                    .map_or(0, |input| estimator.count(&input.to_string()))
        }
        "tool_result" => block
            .content
            .as_ref()
            .map_or(0, |content| count_nested(estimator, content)),
        "thinking" => block
            .thinking
            .as_deref()
            .map_or(0, |thinking| estimator.count(thinking)),
        "redacted_thinking" => block.data.as_deref().map_or(0, |data| estimator.count(data)),
        // `text` and any other block type that carries text.
        _ => block.text.as_deref().map_or(0, |text| estimator.count(text)),
    }
}

fn count_document_source(estimator: &TokenEstimator, source: &BlockSource) -> u64 {
    match source.kind.as_str() {
        "text" => source.data.as_deref().map_or(0, |text| estimator.count(text)),
        "content" => source
            .content
            .as_ref()
            .map_or(0, |content| count_nested(estimator, content)),
        _ => DOCUMENT_TOKENS,
    }
}

fn count_nested(estimator: &TokenEstimator, content: &ToolResultContent) -> u64 {
    match content {
        ToolResultContent::Text(text) => estimator.count(text),
        ToolResultContent::Blocks(blocks) => blocks.iter().map(|block| count_block(estimator, block)).sum(),
    }
}
