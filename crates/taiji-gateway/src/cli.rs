//! The command line: subcommands, flags and the environment variables they read. Parsing only;
//! what each command does lives in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use taiji_core::credentials::BackendChoice;

/// Taiji Gateway: your Taiji AI account as OpenAI- and Anthropic-compatible APIs on localhost.
#[derive(Debug, Parser)]
#[command(name = "taiji-gateway", version, about, propagate_version = true)]
pub struct Cli {
    /// Options every subcommand understands.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every subcommand: where the app's data lives and which Taiji site to use.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Where settings, the request log and (without a keychain) credentials live
    /// [default: the platform's data directory, e.g. ~/.local/share/taiji-gateway].
    #[arg(long, env = "TAIJI_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The Taiji site origin for this run, e.g. https://ai.txg2024.xyz; pins it (no discovery)
    /// [default: from the settings, found again from the stable entry when the site moves].
    #[arg(long, env = "TAIJI_API_BASE", global = true, value_name = "URL")]
    pub api_base: Option<String>,
    /// The site front-end version sent as `x-app-version` [default: from the settings].
    #[arg(long, env = "TAIJI_APP_VERSION", global = true, value_name = "VERSION")]
    pub app_version: Option<String>,
    /// The proxy for upstream calls and image downloads: http://, https:// or socks5://host:port,
    /// `system` (the environment's HTTPS_PROXY/ALL_PROXY) or `off` [default: from the settings].
    // The value may carry a proxy password: `--help` must not echo it from the environment.
    #[arg(
        long,
        env = "TAIJI_UPSTREAM_PROXY",
        hide_env_values = true,
        global = true,
        value_name = "URL"
    )]
    pub upstream_proxy: Option<String>,
    /// Where credentials are kept: the system keychain when one answers (auto), the keychain,
    /// or a file in the data directory readable only by you.
    #[arg(
        long,
        env = "TAIJI_CREDENTIAL_STORE",
        global = true,
        value_enum,
        default_value_t = CredentialStoreArg::Auto
    )]
    pub credential_store: CredentialStoreArg,
}

/// The `--credential-store` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CredentialStoreArg {
    /// The system keychain if it answers, else a private file.
    Auto,
    /// The system keychain.
    Keychain,
    /// A file in the data directory readable only by you.
    File,
}

impl From<CredentialStoreArg> for BackendChoice {
    fn from(choice: CredentialStoreArg) -> Self {
        match choice {
            CredentialStoreArg::Auto => Self::Auto,
            CredentialStoreArg::Keychain => Self::Keychain,
            CredentialStoreArg::File => Self::File,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway: OpenAI (/v1/chat/completions, /v1/models) and Anthropic (/v1/messages)
    /// APIs on a local port.
    #[command(after_help = SERVE_AFTER_HELP)]
    Serve(ServeArgs),
    /// Sign in to your Taiji account and store the credentials securely.
    Login(LoginArgs),
    /// Forget the stored credentials.
    Logout,
    /// List the models your account can use.
    Models(ModelsArgs),
    /// Send one prompt and stream the answer to the terminal.
    Chat(ChatArgs),
    /// Show the account, login state, data directory and settings.
    Status(StatusArgs),
}

const SERVE_AFTER_HELP: &str = "\
Credentials: set TAIJI_ACCOUNT and TAIJI_PASSWORD to sign in at start (used for this run only, \
never stored), or run `taiji-gateway login` once to store them securely. Without any, serve asks \
at a terminal; otherwise it serves \"sign in first\" answers and picks up what `taiji-gateway \
login` stores later, without a restart. Sign-in runs in the background: serve starts even when \
the Taiji site is unreachable and signs in once it answers (see /health).

Try it without an account: `taiji-gateway serve --demo` runs against the built-in simulator.

Stops on SIGINT or SIGTERM: stops accepting connections, ends running requests (deleting their \
upstream chat sessions) and exits 0.";

/// `serve` flags. Every flag left out keeps the stored setting.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: from the settings, 127.0.0.1; 0.0.0.0 with --lan].
    #[arg(long, env = "TAIJI_HOST", value_name = "ADDR")]
    pub host: Option<String>,
    /// Port to listen on; 0 picks any free port [default: from the settings, 8760].
    #[arg(long, env = "TAIJI_PORT", value_name = "PORT")]
    pub port: Option<u16>,
    /// How many chat requests may run upstream at once [default: from the settings, 3].
    #[arg(long, env = "MAX_CONCURRENT", value_name = "N")]
    pub max_concurrent: Option<u32>,
    /// An API key clients must present (repeatable; replaces the stored keys for this run).
    /// The environment variable takes a comma-separated list.
    #[arg(
        long = "api-key",
        env = "TAIJI_GATEWAY_API_KEYS",
        value_name = "KEY",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub api_keys: Vec<String>,
    /// Accept requests without an API key (only allowed while listening on loopback).
    #[arg(long, conflicts_with = "api_keys")]
    pub no_api_key: bool,
    /// LAN mode: allow listening on a non-loopback address and any `Host` header (API keys stay
    /// required).
    #[arg(long, env = "TAIJI_LAN", value_parser = clap::builder::BoolishValueParser::new())]
    pub lan: bool,
    /// Serve Prometheus metrics on `/metrics` (behind the API key) [default: from the settings, off].
    #[arg(long, env = "TAIJI_METRICS", value_parser = clap::builder::BoolishValueParser::new())]
    pub metrics: bool,
    /// Seconds to let running requests finish (and their upstream sessions be deleted) on shutdown.
    #[arg(long, env = "TAIJI_SHUTDOWN_GRACE", default_value_t = 10, value_name = "SECS")]
    pub shutdown_grace: u64,
    /// Demo mode: serve answers from the built-in Taiji simulator with its demo account, in a
    /// separate data directory (`<data dir>/demo`); no real account is used or stored.
    #[arg(long, env = "TAIJI_DEMO")]
    pub demo: bool,
}

/// `login` flags.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The account (phone number, e-mail or user name); asked for when left out.
    #[arg(long, env = "TAIJI_ACCOUNT", value_name = "ACCOUNT")]
    pub account: Option<String>,
}

/// `models` flags.
#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `chat` arguments.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The prompt.
    pub prompt: String,
    /// The model id (see `taiji-gateway models`) [default: the site's default model].
    #[arg(long, short)]
    pub model: Option<String>,
}

/// `status` flags.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}
