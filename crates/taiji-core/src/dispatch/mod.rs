//! The dispatcher: the single path every chat request takes to the upstream ([`Dispatcher`]), and
//! its building blocks: admission (the runtime-adjustable, FIFO-fair concurrency limit), pacing
//! (a per-account token bucket for upstream calls), the streaming `<think>` splitter, the session
//! guard and reaper that make sure every upstream session is deleted, and the events it publishes.

pub mod admission;
mod dispatcher;
mod error;
mod events;
pub mod pacing;
mod reaper;
mod session_guard;
pub mod think;

pub use admission::{Admission, AdmissionGauges};
pub use dispatcher::{ChatStream, Dispatcher, DispatcherConfig, Opening};
pub use error::DispatchError;
pub use events::{DispatchEvent, DispatchEventKind, EventObserver};
pub use pacing::{Pacer, PacingConfig};
pub use reaper::SessionReaper;
pub use think::ThinkSplitter;
