//! The first start at a terminal: `serve` without any account asks for one right there, as
//! `taiji-gateway login` does (same prompts, same checks, stored the same way), while the gateway
//! is already serving. A rejected password is asked again (three tries); when the site cannot be
//! reached the credentials are used anyway, signed in in the background, and stored once that
//! works. Giving up (Ctrl-D, three wrong passwords) leaves the gateway serving "sign in first".

use taiji_core::runtime::{Core, CoreError};
use taiji_core::upstream::ErrorClass;

use super::login::read_credentials;
use crate::error::one_line;

/// How many times a rejected password is asked again.
const TRIES: usize = 3;

/// Asks for the account and password on the terminal and signs in with them.
pub async fn sign_in_interactively(core: &Core) {
    say("No Taiji account is stored yet. Sign in now (Ctrl-C quits; the gateway is already serving).");
    for _ in 0..TRIES {
        let read = tokio::task::spawn_blocking(|| read_credentials(None)).await;
        let (account, password) = match read {
            Ok(Ok(credentials)) => credentials,
            Ok(Err(error)) => {
                say(&format!(
                    "{error}; serving without an account (run `taiji-gateway login` later)"
                ));
                return;
            }
            Err(_) => return,
        };
        match core.login(&account, &password).await {
            Ok(()) => {
                say(&format!(
                    "signed in as {account}; credentials {}",
                    core.credential_backend()
                ));
                return;
            }
            Err(CoreError::Upstream(error)) if error.class() == ErrorClass::InvalidCredentials => {
                say("the Taiji site rejected the account or password; try again");
            }
            Err(CoreError::Upstream(error)) => {
                if core.use_credentials(&account, &password, true).await.is_ok() {
                    say(&format!(
                        "cannot check the password now ({}); signing in in the background, and the \
                         credentials are stored once that works",
                        one_line(&error.to_string())
                    ));
                }
                return;
            }
            Err(error) => {
                say(&format!(
                    "{}; serving without an account",
                    one_line(&error.to_string())
                ));
                return;
            }
        }
    }
    say("no account signed in; serving without one (run `taiji-gateway login` later)");
}

fn say(line: &str) {
    eprintln!("{line}");
}
