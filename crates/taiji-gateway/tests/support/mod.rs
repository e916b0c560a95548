//! What both CLI test binaries share: the binary, a throwaway home with its data directory, the
//! command line that runs the binary there with a cleared environment (so nothing touches the real
//! home directory or keychain), and the address `serve` announces.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{ChildStdout, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_taiji-gateway");
/// An API key for `serve` (keys must be at least 16 characters).
pub const API_KEY: &str = "tj-test-key-0123456789abcdef";

/// A temporary home with a data directory.
pub struct Home {
    dir: TempDir,
}

impl Home {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `taiji-gateway ARGS` with a cleared environment in this home, and nothing else configured.
    pub fn bare_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env_clear()
            .env("HOME", self.path())
            .env("TAIJI_DATA_DIR", self.data_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// The same with the site at `site` and the file credential store.
    pub fn command(&self, site: &str, args: &[&str]) -> Command {
        let mut command = self.bare_command(args);
        command
            .env("TAIJI_API_BASE", site)
            .env("TAIJI_CREDENTIAL_STORE", "file");
        command
    }
}

/// Runs `login --account` with the demo account against `site`, typing its password on stdin as
/// a person would, and returns what it printed.
pub async fn login_on_stdin(home: &Home, site: &str, limit: Duration) -> Output {
    let mut login = home.command(site, &["login", "--account", DEMO_ACCOUNT]);
    login.stdin(Stdio::piped());
    let mut child = login.spawn().expect("login starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(format!("{DEMO_PASSWORD}\n").as_bytes())
        .await
        .expect("password written");
    drop(stdin);
    tokio::time::timeout(limit, child.wait_with_output())
        .await
        .expect("login finishes")
        .expect("login runs")
}

/// Reads `serve`'s first line, `listening on <base>`, and returns the base; `None` when stdout
/// ended first (`serve` exited).
pub async fn announced_base(stdout: &mut BufReader<ChildStdout>, limit: Duration) -> Option<String> {
    let mut line = String::new();
    let read = tokio::time::timeout(limit, stdout.read_line(&mut line))
        .await
        .expect("serve announces itself")
        .expect("stdout is readable");
    if read == 0 {
        return None;
    }
    let base = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    Some(base.to_owned())
}
