//! The Taiji upstream client: everything that speaks the site's web API
//! (`/work/shared/docs/taiji-protocol.md` in the team docs is the contract).
//!
//! - [`config`]: where the site is, discovery, proxy and the timeouts; replaceable at runtime.
//! - [`discovery`]: finding the moved site from the stable entry, probing it, reading its version.
//! - [`proxy`]: the upstream proxy setting and its redacted display.
//! - [`site`]: the site in use ([`SiteStatus`]) and the client's recovery when it moves or wants a
//!   newer `x-app-version`.
//! - [`client`]: [`UpstreamClient`], one per account (connection pool + cookie jar), the calls.
//! - [`error`]: [`UpstreamError`] and its [`ErrorClass`], the one classification of failures.
//! - [`response`]: envelope decoding of finished responses.
//! - [`sse`] and [`frames`]: bytes → SSE events → typed [`Frame`]s; [`FrameDecoder`] is the whole
//!   per-frame path without a network (the benchmark entry point).
//! - [`stream`]: [`CompletionStream`], the live reply; dropping it stops the model.
//! - [`catalog`], [`token`], [`types`]: parsed payloads ([`Secret`] is the crate's redacting string).

pub mod catalog;
pub mod client;
pub mod config;
pub mod discovery;
pub mod error;
pub mod frames;
pub mod proxy;
mod response;
pub mod site;
pub mod sse;
pub mod stream;
pub mod token;
pub mod types;

pub use crate::secret::Secret;
pub use client::UpstreamClient;
pub use client::check_connection;
pub use config::{
    DEFAULT_APP_VERSION, DEFAULT_BASE_URL, DEFAULT_ENTRY_URL, Discovery, InvalidConfig, KNOWN_ORIGINS,
    UpstreamConfig,
};
pub use error::{ErrorClass, UpstreamError};
pub use frames::{FinalRecord, Frame, FrameDecoder, StreamItem, parse_frame};
pub use proxy::ProxySetting;
pub use site::{SiteEvent, SiteEventKind, SiteStatus};
pub use stream::CompletionStream;
pub use token::LoginToken;
pub use types::{
    CheckInCalendar, CheckInDay, CheckInReward, CompletionRequest, PointsBalance, PointsPlan, SessionInfo,
    SessionPage, UserInfo,
};
