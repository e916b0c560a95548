//! The token estimates an answer reports besides the upstream's own usage: the prompt's (the usage
//! of an answer whose final record never comes) and, for an Anthropic stream, the input tokens
//! `message_start` announces. Both are counted beside the upstream call, not before it: Claude Code
//! sends prompts of tens of thousands of tokens, and counting them on the request's path delayed
//! the first token by that much. A short prompt is counted at once (a few microseconds, less than
//! handing it to another thread); a long one, and any prompt while the tokenizer's pattern is not
//! compiled yet (its first count takes milliseconds), on the blocking pool.

use tokio::task::JoinHandle;

use crate::api::anthropic::{MessagesRequest, count_anthropic_tokens};
use crate::api::tokens::TokenEstimator;

/// Prompts up to this many bytes are counted on the request's own thread.
const INLINE_BYTES: usize = 4 * 1024;

/// What was counted.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Estimates {
    /// The upstream prompt's tokens, images included.
    pub(super) prompt_tokens: u64,
    /// The Anthropic request's input tokens (as `count_tokens` counts them), for a stream's
    /// `message_start`.
    pub(super) input_tokens: Option<u64>,
}

/// Estimates that are counted or being counted.
pub(super) enum Counting {
    Ready(Estimates),
    Running(JoinHandle<Estimates>),
}

/// Counts the upstream prompt (its text and image count) and the Anthropic request, if any.
fn count(
    estimator: &TokenEstimator,
    prompt_text: &str,
    images: usize,
    anthropic: Option<&MessagesRequest>,
) -> Estimates {
    Estimates {
        prompt_tokens: estimator.estimate_prompt(prompt_text, images),
        input_tokens: anthropic.map(|request| count_anthropic_tokens(estimator, request)),
    }
}

impl Counting {
    /// Counts a short prompt at once; starts a long one (from a copy: the original goes upstream)
    /// on the blocking pool, where it runs while the request is dispatched.
    pub(super) fn start(
        estimator: &TokenEstimator,
        prompt_text: &str,
        images: usize,
        anthropic: Option<Box<MessagesRequest>>,
    ) -> Self {
        if prompt_text.len() <= INLINE_BYTES && estimator.is_ready() {
            return Self::Ready(count(estimator, prompt_text, images, anthropic.as_deref()));
        }
        let (estimator, prompt_text) = (estimator.clone(), prompt_text.to_owned());
        Self::Running(tokio::task::spawn_blocking(move || {
            count(&estimator, &prompt_text, images, anthropic.as_deref())
        }))
    }

    /// The estimates, once counted. A count that failed (it panicked) gives zeros: an estimate
    /// is never worth failing an answer for.
    pub(super) async fn finish(self) -> Estimates {
        match self {
            Self::Ready(estimates) => estimates,
            Self::Running(task) => task.await.unwrap_or_else(|error| {
                tracing::error!(%error, "counting the prompt's tokens failed");
                Estimates::default()
            }),
        }
    }
}
