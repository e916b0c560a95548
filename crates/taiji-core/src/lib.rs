//! `taiji-core` is the one client core of Taiji Gateway. The desktop shell, the headless CLI and the
//! built-in chat all go through it: one upstream client ([`upstream`]), one account with its login
//! lifecycle ([`account`]), one dispatcher ([`dispatch`]) and the neutral chat types ([`chat`]) that
//! the API layers convert to and from, the OpenAI/Anthropic wire formats ([`api`]), the local HTTP
//! gateway ([`gateway`]), the settings, credential and request-log stores, and [`runtime::Core`], the
//! composition root that the CLI and the desktop shell hold.
//!
//! Architecture invariant: this crate never depends on `tauri`. The shell subscribes to the
//! broadcast channels exposed here and forwards them to the UI.

pub mod account;
pub mod api;
pub mod api_keys;
pub mod catalog_cache;
pub mod chat;
pub mod conversations;
pub mod credentials;
pub mod dispatch;
pub mod fs;
pub mod gateway;
pub mod metrics;
pub mod model;
pub mod model_resolver;
pub mod prompt;
pub mod request_log;
pub mod runtime;
pub mod secret;
pub mod settings;
pub mod sqlite;
pub mod text;
pub mod upstream;
