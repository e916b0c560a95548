//! The integration tests of `taiji-core`, linked as one test binary: one link instead of one per
//! file keeps builds fast on small machines. Each module is one former test file; the shared
//! gateway harness (`gateway_support`) is compiled once. Each test starts its own simulator, core
//! and temporary data directory, so they share nothing at run time.
//!
//! `tests/request_log_secrets.rs` stays a binary of its own: it installs a process-wide log
//! subscriber to prove that no secret reaches the logs, which would capture every other test too.

mod gateway_support;
mod support;

mod account_login;
mod account_points;
mod api_accept;
mod api_anthropic;
mod api_errors;
mod api_openai;
mod chat_path;
mod conversations_store;
mod credentials_file;
mod dialects;
mod dispatch;
mod gateway_anthropic;
mod gateway_errors;
mod gateway_hardening;
mod gateway_limits;
mod gateway_openai;
mod gateway_server;
mod gateway_tools;
mod module_graph;
mod proof_under_faults;
mod request_log_store;
mod runtime_core;
mod runtime_sign_in;
mod settings_store;
mod site_discovery;
mod upstream_client;
mod upstream_proxy;
