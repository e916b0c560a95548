//! The dispatcher: the single path every chat request takes to the upstream. This module owns
//! its building blocks: admission (the runtime-adjustable, FIFO-fair concurrency limit), pacing
//! (a per-account token bucket for upstream calls) and the streaming `<think>` splitter.

pub mod admission;
pub mod pacing;
pub mod think;
