//! The headless `taiji-gateway` binary. It is a thin command-line shell over `taiji-core`; the
//! subcommands (`serve`, `login`, `models`, `chat`, `status`) arrive with the gateway issue.

use clap::Parser;

/// Taiji Gateway: your Taiji AI account as OpenAI- and Anthropic-compatible APIs on localhost.
#[derive(Debug, Parser)]
#[command(name = "taiji-gateway", version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    eprintln!("taiji-gateway: no subcommand yet; see README.md");
    std::process::exit(2);
}
