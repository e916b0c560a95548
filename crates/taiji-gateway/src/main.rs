//! The headless `taiji-gateway` binary: a thin command-line shell over `taiji-core`.
//!
//! It parses the command line ([`cli`]), sets up logging on stderr, runs one subcommand
//! ([`commands`]) and turns any failure into one line on stderr and a non-zero exit code
//! ([`error`]). Everything that matters happens in `taiji_core::runtime::Core` and the gateway
//! server; this crate only wires them to flags, the terminal and signals.

mod cli;
mod commands;
mod error;
mod logging;
mod open;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;

use crate::cli::Cli;
use crate::logging::Logging;

fn main() -> ExitCode {
    // Bad flags: clap prints its own message and usage and exits with 2.
    let cli = Cli::parse();
    quiet_panics();
    let logging = Logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(commands::run(cli, &logging));
    // A terminal prompt may still be blocked reading stdin (after Ctrl-C); don't wait for it.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            error.exit_code()
        }
    }
}

/// A bug must still end with one line, not a backtrace dump: print the panic message alone.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_owned());
        eprintln!(
            "error: internal error (a bug){location}: {}",
            error::one_line(&message)
        );
    }));
}
