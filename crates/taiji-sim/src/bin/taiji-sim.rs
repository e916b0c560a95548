//! `taiji-sim`: runs the Taiji simulator on a fixed port for manual runs, demos and benchmarks.

use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use taiji_sim::{CatalogVersion, Portal, SimAccount, SimConfig, Simulator};

#[derive(Parser)]
#[command(version, about = "A strict simulator of the Taiji AI web API")]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 9000)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Extra accounts as ACCOUNT:PASSWORD (repeatable); without any, the demo account is used.
    #[arg(long = "account", value_name = "ACC:PASS")]
    accounts: Vec<String>,
    /// JWT lifetime in seconds.
    #[arg(long)]
    token_lifetime_secs: Option<u64>,
    /// Delay before the first SSE frame of each completions stream in milliseconds (a model's time to
    /// first token; benchmarks use it).
    #[arg(long, default_value_t = 0)]
    first_frame_delay_ms: u64,
    /// Delay between SSE frames in milliseconds.
    #[arg(long, default_value_t = 0)]
    frame_delay_ms: u64,
    /// The site's dialect: 3.4 (`provider::model` ids, capabilities, `reasoningEffort`) or 2.x.
    #[arg(long, value_enum, default_value_t = DialectArg::V3_4, alias = "catalog")]
    dialect: DialectArg,
    /// Refuse `/api/*` calls whose `x-app-version` is older than the dialect's front-end version.
    #[arg(long)]
    refuse_old_version: bool,
    /// Instead of a site, serve the stable entry page (`window.aiSiteInfo={"dd":…}`) pointing at this
    /// `host:port` (e.g. another taiji-sim), through `--portal-redirects` redirects.
    #[arg(long, value_name = "HOST:PORT")]
    portal_for: Option<String>,
    /// Redirects the portal's `/` goes through before the entry page.
    #[arg(long, default_value_t = 0)]
    portal_redirects: u8,
}

#[derive(Clone, Copy, ValueEnum)]
enum DialectArg {
    #[value(name = "2.x", alias = "v2")]
    V2,
    #[value(name = "3.4", alias = "v3", alias = "3.4.0")]
    V3_4,
}

fn parse_accounts(raw: &[String]) -> anyhow::Result<Vec<SimAccount>> {
    raw.iter()
        .zip(10001u64..)
        .map(|(spec, user_id)| {
            let Some((account, password)) = spec.split_once(':') else {
                bail!("--account expects ACCOUNT:PASSWORD, got an argument without ':'");
            };
            Ok(SimAccount {
                account: account.to_owned(),
                password: password.to_owned(),
                user_id,
                points: 100_000_000,
            })
        })
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "taiji_sim=info".into()),
        )
        .init();
    let args = Args::parse();
    if let Some(target) = &args.portal_for {
        return run_portal(&args, target).await;
    }
    let mut config = SimConfig {
        first_frame_delay: Duration::from_millis(args.first_frame_delay_ms),
        frame_delay: Duration::from_millis(args.frame_delay_ms),
        catalog: match args.dialect {
            DialectArg::V2 => CatalogVersion::V2,
            DialectArg::V3_4 => CatalogVersion::V3,
        },
        refuse_old_app_version: args.refuse_old_version,
        ..SimConfig::default()
    };
    if !args.accounts.is_empty() {
        config.accounts = parse_accounts(&args.accounts)?;
    }
    if let Some(secs) = args.token_lifetime_secs {
        config.token_lifetime = Duration::from_secs(secs);
    }
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let accounts: Vec<String> = config.accounts.iter().map(|a| a.account.clone()).collect();
    let demo = args.accounts.is_empty();
    let sim = Simulator::start_on(listener, config).await?;
    println!("taiji-sim listening on {}", sim.base_url());
    println!("dialect: {}", sim_dialect_name(args.dialect));
    if demo {
        println!(
            "demo account: {} / password: {}",
            taiji_sim::DEMO_ACCOUNT,
            taiji_sim::DEMO_PASSWORD
        );
    } else {
        println!("accounts: {}", accounts.join(", "));
    }
    println!("control API: {}/__sim/stats", sim.base_url());
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    sim.shutdown().await;
    Ok(())
}

fn sim_dialect_name(dialect: DialectArg) -> &'static str {
    match dialect {
        DialectArg::V2 => "2.x (x-app-version 2.16.0)",
        DialectArg::V3_4 => "3.4 (x-app-version 3.4.0)",
    }
}

async fn run_portal(args: &Args, target: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let portal = Portal::start_on(listener, target, args.portal_redirects)?;
    println!(
        "taiji-sim portal listening on {} (entry page points at {target})",
        portal.base_url()
    );
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    Ok(())
}
