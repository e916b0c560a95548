//! Black-box tests of the simulator over real HTTP on loopback: they prove it is as strict as the real site.

mod account;
mod auth;
mod common;
mod completions;
mod concurrency;
mod control_api;
mod dialect;
mod faults;
mod sessions;
