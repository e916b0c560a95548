//! `login` and `logout`: storing and forgetting the Taiji credentials.
//!
//! The password is read without echo from the terminal, or as one line from stdin when stdin is
//! not a terminal (scripts: `echo "$PW" | taiji-gateway login --account 138…`), or from
//! `TAIJI_PASSWORD`. It is checked with the site before it is stored, and never printed.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use taiji_core::runtime::SettingsOverrides;

use super::{out, with_core};
use crate::cli::{GlobalArgs, LoginArgs};
use crate::error::{CliError, one_line};
use crate::open::{PASSWORD_ENV, open_core};

/// `taiji-gateway login`.
pub async fn login(global: &GlobalArgs, args: &LoginArgs) -> Result<(), CliError> {
    let core = open_core(global, SettingsOverrides::default()).await?;
    let given_account = args.account.clone().filter(|a| !a.trim().is_empty());
    // Terminal and stdin reads block; keep them off the runtime's worker threads.
    let (account, password) = tokio::task::spawn_blocking(move || read_credentials(given_account))
        .await
        .map_err(|e| CliError::Other(format!("internal error: {e}")))??;
    with_core(core, async |core| {
        let upstream = core.settings().upstream.base_url;
        core.login(&account, &password)
            .await
            .map_err(|error| CliError::from_core(error, &upstream))?;
        out(&format!(
            "signed in as {account}; credentials {}\n",
            core.credential_backend()
        ))
    })
    .await
}

/// `taiji-gateway logout`.
pub async fn logout(global: &GlobalArgs) -> Result<(), CliError> {
    let core = open_core(global, SettingsOverrides::default()).await?;
    with_core(core, async |core| {
        let was = core.signed_in_as().borrow().clone();
        let upstream = core.settings().upstream.base_url;
        core.logout()
            .await
            .map_err(|error| CliError::from_core(error, &upstream))?;
        match was {
            Some(account) => out(&format!("signed out of {account}; stored credentials removed\n")),
            None => out("not signed in; nothing to remove\n"),
        }
    })
    .await
}

/// The account and password, from the flags, the environment, the terminal or stdin.
pub(super) fn read_credentials(given_account: Option<String>) -> Result<(String, String), CliError> {
    let stdin_is_terminal = std::io::stdin().is_terminal();
    let account = match given_account {
        Some(account) => account,
        None if stdin_is_terminal => prompt_line("Taiji account: ")?,
        None => {
            return Err(CliError::Other(
                "pass --account ACCOUNT (or set TAIJI_ACCOUNT) when the password comes from stdin".to_owned(),
            ));
        }
    };
    let password = match std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty()) {
        Some(password) => password,
        None if stdin_is_terminal => {
            rpassword::prompt_password("Password: ").map_err(|source| CliError::Input {
                what: "password",
                source,
            })?
        }
        None => read_stdin_line("password")?,
    };
    let account = account.trim().to_owned();
    if account.is_empty() || password.is_empty() {
        return Err(CliError::Other(
            "an account and a password are required".to_owned(),
        ));
    }
    Ok((account, password))
}

/// Asks on stderr (stdout may be redirected) and reads one line from the terminal.
fn prompt_line(prompt: &str) -> Result<String, CliError> {
    let mut stderr = std::io::stderr();
    stderr
        .write_all(prompt.as_bytes())
        .and_then(|()| stderr.flush())
        .map_err(|source| CliError::Input {
            what: "account",
            source,
        })?;
    read_stdin_line("account")
}

/// One line from stdin without its line ending. Only the line ending is removed: spaces can be
/// part of a password.
fn read_stdin_line(what: &'static str) -> Result<String, CliError> {
    let mut line = String::new();
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|source| CliError::Input { what, source })?;
    if read == 0 {
        return Err(CliError::Other(one_line(&format!(
            "no {what} given: stdin ended before a line was read"
        ))));
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
