//! The input tokens an Anthropic stream announces in `message_start`, counted beside the upstream
//! call, not before it: Claude Code sends prompts of tens of thousands of tokens, and counting them
//! on the request's path delayed the first token by that much. Even a one-line prompt costs tens of
//! microseconds (the byte-pair merge looks up every pair of a word in tables of megabytes, and a
//! Chinese sentence is one long word), more than the handler's other work before the dispatch. So
//! a short request is counted on the request's own thread only after the dispatcher has sent the
//! session request (less than handing it to another thread); a long one, and any request while the
//! tokenizer's pattern is not compiled yet (its first count takes milliseconds), on the blocking
//! pool.
//!
//! The prompt's own estimate (the usage of an answer whose final record never comes) is not counted
//! here: [`crate::api::limits::OutputLimiter`] counts it only when it is reported.

use tokio::task::JoinHandle;

use crate::api::anthropic::{MessagesRequest, count_anthropic_tokens};
use crate::api::tokens::TokenEstimator;

/// Requests whose upstream prompt has up to this many bytes are counted on the request's own thread.
const INLINE_BYTES: usize = 4 * 1024;

/// The count of an Anthropic request's input tokens, to be made or being made.
pub(super) enum Counting {
    /// Nothing to count (an OpenAI answer, or an Anthropic one without a stream).
    Nothing,
    /// A short request, counted when the count is first needed.
    Deferred(TokenEstimator, Box<MessagesRequest>),
    Running(JoinHandle<u64>),
}

impl Counting {
    /// Keeps a short request for [`Self::finish`] to count; starts counting a long one on the
    /// blocking pool, where it runs while the request is dispatched. `prompt_bytes` (the upstream
    /// prompt's length) tells which is which.
    pub(super) fn start(
        estimator: &TokenEstimator,
        prompt_bytes: usize,
        anthropic: Option<Box<MessagesRequest>>,
    ) -> Self {
        let Some(request) = anthropic else {
            return Self::Nothing;
        };
        let estimator = estimator.clone();
        if prompt_bytes <= INLINE_BYTES && estimator.is_ready() {
            return Self::Deferred(estimator, request);
        }
        Self::Running(tokio::task::spawn_blocking(move || {
            count_anthropic_tokens(&estimator, &request)
        }))
    }

    /// The input tokens, once counted (`None` when there is nothing to count). A count that failed
    /// (it panicked) gives zero: an estimate is never worth failing an answer for.
    pub(super) async fn finish(self) -> Option<u64> {
        match self {
            Self::Nothing => None,
            Self::Deferred(estimator, request) => {
                // The dispatcher's task was spawned just before and waits on this thread: yielding
                // once lets it (and the HTTP connection it hands the session request to) run up to
                // the upstream's answer, and the count then runs while the upstream works.
                tokio::task::yield_now().await;
                Some(count_anthropic_tokens(&estimator, &request))
            }
            Self::Running(task) => Some(task.await.unwrap_or_else(|error| {
                tracing::error!(%error, "counting the request's input tokens failed");
                0
            })),
        }
    }
}
