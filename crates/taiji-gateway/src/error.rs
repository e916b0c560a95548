//! [`CliError`]: every way a command can fail, each with the one line the user sees and the exit
//! code. Core errors are translated here into sentences that say what to do next; none of them
//! ever carries a password, token or API key.

use std::process::ExitCode;

use taiji_core::gateway::GatewayError;
use taiji_core::runtime::CoreError;
use taiji_core::upstream::{ErrorClass, UpstreamError};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// No credentials are stored and none were given.
    #[error("not signed in: run `taiji-gateway login` or set TAIJI_ACCOUNT/TAIJI_PASSWORD")]
    NotSignedIn,
    /// The site refused the account or password.
    #[error("sign-in failed: the Taiji site rejected the account or password ({0})")]
    WrongPassword(String),
    /// The site could not be reached at all.
    #[error("cannot reach the Taiji site at {url}: {detail}")]
    Unreachable {
        /// The configured site origin.
        url: String,
        /// The innermost cause, e.g. "Connection refused (os error 111)".
        detail: String,
    },
    /// The gateway could not listen (port in use, with a free one to try; an address not on
    /// this machine; the LAN rule), worded once by the core for the CLI and the desktop app.
    #[error("{0}")]
    Gateway(#[from] GatewayError),
    /// No `--data-dir` and no platform default.
    #[error("no data directory: this system has no home directory; pass --data-dir DIR")]
    NoDataDir,
    /// Reading the account or password from the terminal or stdin failed.
    #[error("cannot read the {what}: {source}")]
    Input {
        /// "account" or "password".
        what: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// Writing to stdout failed (for example a closed pipe).
    #[error("cannot write the output: {0}")]
    Output(#[source] std::io::Error),
    /// The user pressed Ctrl-C during a command other than `serve`.
    #[error("interrupted")]
    Interrupted,
    /// Anything else the core reported, as the core words it.
    #[error("{0}")]
    Other(String),
}

impl CliError {
    /// Translates a core error, naming `upstream_url` when the site could not be reached.
    pub fn from_core(error: CoreError, upstream_url: &str) -> Self {
        match error {
            CoreError::NotSignedIn | CoreError::MissingCredentials => Self::NotSignedIn,
            CoreError::Upstream(upstream) => Self::from_upstream(&upstream, upstream_url),
            other => Self::Other(one_line(&other.to_string())),
        }
    }

    /// Translates an upstream error, naming `upstream_url` when the site could not be reached.
    pub fn from_upstream(error: &UpstreamError, upstream_url: &str) -> Self {
        match error.class() {
            ErrorClass::InvalidCredentials => Self::WrongPassword(upstream_message(error)),
            ErrorClass::Transport => Self::Unreachable {
                url: upstream_url.to_owned(),
                detail: innermost_cause(error),
            },
            _ => Self::Other(one_line(&error.to_string())),
        }
    }

    /// The process exit code: 130 for Ctrl-C (as shells report it), 1 for everything else. Bad
    /// flags never get here: clap exits with 2 itself.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Interrupted => ExitCode::from(130),
            _ => ExitCode::FAILURE,
        }
    }
}

/// The site's own message for a rejected login, without our wrapping.
fn upstream_message(error: &UpstreamError) -> String {
    match error {
        UpstreamError::InvalidCredentials { msg } => one_line(msg),
        other => one_line(&other.to_string()),
    }
}

/// The deepest `source()` of an error: for connection failures this is the operating system's
/// reason ("Connection refused"), which says more than reqwest's "error sending request".
fn innermost_cause(error: &UpstreamError) -> String {
    let mut current: &dyn std::error::Error = error;
    while let Some(next) = current.source() {
        current = next;
    }
    one_line(&current.to_string())
}

/// Messages are shown on one line, whatever their source put in them.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_worded_by_the_core_with_a_free_one() {
        let error = CliError::from(GatewayError::AddrInUse {
            addr: "127.0.0.1:8760".parse().expect("addr"),
            suggestion: Some(8761),
        });
        assert_eq!(
            error.to_string(),
            "port 8760 is in use on 127.0.0.1 (another program is listening there; port 8761 is free)"
        );
    }

    #[test]
    fn messages_are_flattened_to_one_line() {
        assert_eq!(one_line("a\n  b\tc "), "a b c");
    }

    #[test]
    fn missing_credentials_say_how_to_sign_in() {
        let error = CliError::from_core(CoreError::NotSignedIn, "http://x");
        assert!(error.to_string().contains("taiji-gateway login"));
        assert!(error.to_string().contains("TAIJI_ACCOUNT/TAIJI_PASSWORD"));
    }
}
