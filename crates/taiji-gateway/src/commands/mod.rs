//! One module per subcommand; [`run`] picks the one the command line names. Every command opens
//! the core, does its work and shuts the core down again so background work (session deletions,
//! request-log writes) finishes before the process exits.

mod chat;
mod demo;
mod first_start;
mod login;
mod models;
mod serve;
mod status;

use std::time::Duration;

use taiji_core::runtime::Core;

use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::logging::Logging;

/// How long a one-shot command waits for background work when it ends.
const COMMAND_GRACE: Duration = Duration::from_secs(5);

/// Runs the subcommand the command line names.
pub async fn run(cli: Cli, logging: &Logging) -> Result<(), CliError> {
    let global = &cli.global;
    match &cli.command {
        Command::Serve(args) => serve::run(global, args, logging).await,
        Command::Login(args) => login::login(global, args).await,
        Command::Logout => login::logout(global).await,
        Command::Models(args) => models::run(global, args).await,
        Command::Chat(args) => chat::run(global, args).await,
        Command::Status(args) => status::run(global, args).await,
    }
}

/// Runs `work` with `core`, then shuts the core down whatever the outcome.
async fn with_core<T>(
    core: Core,
    work: impl AsyncFnOnce(&Core) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let result = work(&core).await;
    core.shutdown(COMMAND_GRACE).await;
    result
}

/// Writes to stdout and turns a failure (a closed pipe) into an error instead of a panic, which
/// `println!` would raise.
fn out(text: &str) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(CliError::Output)
}
