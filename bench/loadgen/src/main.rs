//! `taiji-loadgen`: the load generator of `bench/run.sh`. It talks to the simulator directly (the
//! zero-overhead baseline: sign in once, then per request create a session, send the completions
//! request, read the stream, delete the session, as any correct client of the site must) or to the
//! gateway (OpenAI `/v1/chat/completions` or Anthropic `/v1/messages`, streaming), and measures:
//!
//! - `ttft`: time to first token (first text delta on the wire) at a given concurrency, the
//!   targets measured in alternating rounds so that noise from other work on the machine falls on
//!   both alike;
//! - `frames`: frames per second over long replies, and CPU time of a process (the gateway) per
//!   frame from `/proc/<pid>/stat`;
//! - `hold`: resident memory of a process while many streams are open;
//! - `burst`: CPU time of a process (the gateway or the minimal relay) per request before the
//!   first frame, many requests arriving together (`burst.rs`);
//! - `startup`: time from spawning a command to its `listening on` line;
//! - `relay`: serves the least gateway there can be (`relay.rs`), the second baseline of `ttft`.
//!
//! Every result is one JSON line on stdout; `bench/run.sh` turns them into the table. Benchmarks
//! only: nothing is asserted.

use std::io::BufRead as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

mod burst;
mod relay;
mod site;

use site::Site;

#[derive(Parser)]
#[command(about = "Load generator for bench/run.sh")]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Debug)]
enum Target {
    /// The simulator itself, as a direct client of the site.
    Direct,
    /// The gateway's OpenAI API.
    Openai,
    /// The gateway's Anthropic API.
    Anthropic,
    /// The minimal relay (`taiji-loadgen relay`), through the same OpenAI request as `openai`.
    Relay,
}

/// Where the targets are.
#[derive(clap::Args, Clone)]
struct Endpoints {
    /// The simulator's base URL.
    #[arg(long)]
    sim: String,
    /// The gateway's base URL.
    #[arg(long)]
    gateway: Option<String>,
    /// The minimal relay's base URL (`taiji-loadgen relay`).
    #[arg(long)]
    relay: Option<String>,
    /// The gateway's API key.
    #[arg(long, default_value = "")]
    key: String,
    /// The account the direct client signs in with.
    #[arg(long, default_value = "13800000000")]
    account: String,
    /// Its password.
    #[arg(long, default_value = "taiji-demo-pass")]
    password: String,
    /// The model as clients name it.
    #[arg(long, default_value = "gpt-4.1-mini")]
    model: String,
    /// The same model as the site names it (3.4 dialect).
    #[arg(long, default_value = "openai::gpt-4.1-mini")]
    upstream_model: String,
}

#[derive(Subcommand)]
enum Cmd {
    /// Time to first token of each target, at `--streams` concurrent streams.
    Ttft {
        #[command(flatten)]
        endpoints: Endpoints,
        /// Targets, measured in alternating rounds.
        #[arg(long, value_delimiter = ',', default_value = "direct,openai")]
        targets: Vec<Target>,
        /// Concurrent streams.
        #[arg(long, default_value_t = 1)]
        streams: usize,
        /// Requests per target and round.
        #[arg(long, default_value_t = 50)]
        requests: usize,
        /// Rounds (each target once per round).
        #[arg(long, default_value_t = 2)]
        rounds: usize,
        /// The prompt's size in KiB (0: one short question). Claude Code sends 50–100 KiB (its
        /// system prompt, tool definitions and the conversation).
        #[arg(long, default_value_t = 0)]
        prompt_kib: usize,
    },
    /// Frames per second over long replies, and CPU per frame of `--pid`.
    Frames {
        #[command(flatten)]
        endpoints: Endpoints,
        #[arg(long)]
        target: Target,
        /// Concurrent streams.
        #[arg(long, default_value_t = 2)]
        streams: usize,
        /// Words per reply (`[[sim:long=N]]`; about 1.8 frames per word).
        #[arg(long, default_value_t = 50_000)]
        words: usize,
        /// The process whose CPU time is divided by the frames (the gateway).
        #[arg(long)]
        pid: Option<u32>,
        /// The simulator's process, whose CPU per frame is reported too (with this client's own):
        /// together they bound the rate two shared cores can stream at.
        #[arg(long)]
        sim_pid: Option<u32>,
    },
    /// RSS of `--pid` while `--streams` streams are open through the gateway.
    Hold {
        #[command(flatten)]
        endpoints: Endpoints,
        #[arg(long, default_value_t = 200)]
        streams: usize,
        #[arg(long)]
        pid: u32,
        /// How long the streams stay open before the sample.
        #[arg(long, default_value_t = 3.0)]
        secs: f64,
    },
    /// The time of one HTTP request and response on loopback (`GET /` of the gateway, the least it
    /// serves): what one more hop between client and site costs at the least, on this machine.
    Hop {
        #[command(flatten)]
        endpoints: Endpoints,
        #[arg(long, default_value_t = 500)]
        requests: usize,
    },
    /// CPU time of `--pid` per request before the first frame, `--streams` requests sent together
    /// (see `burst.rs`). The simulator's first-frame delay must outlast the burst (50 ms does).
    Burst {
        #[command(flatten)]
        endpoints: Endpoints,
        /// `openai` (the gateway) or `relay` (the minimal relay).
        #[arg(long)]
        target: Target,
        /// Requests sent together.
        #[arg(long, default_value_t = 64)]
        streams: usize,
        /// Bursts measured.
        #[arg(long, default_value_t = 20)]
        bursts: usize,
        /// The process whose CPU time is measured (the target's).
        #[arg(long)]
        pid: u32,
    },
    /// Serves the minimal relay on loopback (the second baseline of `ttft`, see `relay.rs`) until
    /// killed.
    Relay {
        /// The simulator's base URL.
        #[arg(long)]
        sim: String,
        #[arg(long, default_value = "13800000000")]
        account: String,
        #[arg(long, default_value = "taiji-demo-pass")]
        password: String,
        #[arg(long, default_value = "openai::gpt-4.1-mini")]
        upstream_model: String,
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Milliseconds from spawning the command to its `listening on` line on stdout.
    Startup {
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// The command and its arguments.
        #[arg(trailing_var_arg = true, required = true)]
        command: Vec<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Args::parse().command {
        Cmd::Ttft {
            endpoints,
            targets,
            streams,
            requests,
            rounds,
            prompt_kib,
        } => ttft(endpoints, &targets, streams, requests, rounds, prompt_kib).await,
        Cmd::Frames {
            endpoints,
            target,
            streams,
            words,
            pid,
            sim_pid,
        } => frames(endpoints, target, streams, words, pid, sim_pid).await,
        Cmd::Hop { endpoints, requests } => hop(endpoints, requests).await,
        Cmd::Hold {
            endpoints,
            streams,
            pid,
            secs,
        } => hold(endpoints, streams, pid, secs).await,
        Cmd::Burst {
            endpoints,
            target,
            streams,
            bursts,
            pid,
        } => burst::burst(Bench::new(endpoints).await?, target, streams, bursts, pid).await,
        Cmd::Relay {
            sim,
            account,
            password,
            upstream_model,
            port,
        } => relay::serve(sim, &account, &password, upstream_model, port).await,
        Cmd::Startup { runs, command } => startup(runs, &command),
    }
}

/// A client of the targets, with the direct client's login done once.
struct Bench {
    http: reqwest::Client,
    endpoints: Endpoints,
    site: Site,
}

impl Bench {
    async fn new(endpoints: Endpoints) -> anyhow::Result<Arc<Self>> {
        let http = site::http_client()?;
        let site = Site::sign_in(
            http.clone(),
            endpoints.sim.clone(),
            &endpoints.account,
            &endpoints.password,
            endpoints.upstream_model.clone(),
        )
        .await?;
        Ok(Arc::new(Self {
            http,
            endpoints,
            site,
        }))
    }

    fn gateway(&self) -> anyhow::Result<&str> {
        self.endpoints
            .gateway
            .as_deref()
            .context("--gateway is needed for this target")
    }

    /// Sends a streamed OpenAI chat request to the gateway or the minimal relay and returns once
    /// the response's head has arrived.
    async fn open_openai(&self, target: Target, text: &str) -> anyhow::Result<reqwest::Response> {
        let base = if target == Target::Relay {
            self.endpoints
                .relay
                .as_deref()
                .context("--relay is needed for this target")?
        } else {
            self.gateway()?
        };
        Ok(self
            .http
            .post(format!("{base}/v1/chat/completions"))
            .bearer_auth(&self.endpoints.key)
            .json(&json!({"model": self.endpoints.model, "stream": true,
                "messages": [{"role": "user", "content": text}]}))
            .send()
            .await?)
    }

    /// One streamed request; `Some(ttft)` of its first text delta, and the frames it read.
    async fn one(&self, target: Target, text: &str) -> anyhow::Result<(Duration, u64)> {
        let started = Instant::now();
        match target {
            Target::Direct => {
                let session = self.site.create_session().await?;
                let response = self.site.send_message(session, text).await?;
                let result = read_stream(response, b"\"type\":\"string\"", started).await;
                self.site.delete_session(session).await?;
                result
            }
            Target::Openai | Target::Relay => {
                let response = self.open_openai(target, text).await?;
                read_stream(response, OPENAI_DELTA, started).await
            }
            Target::Anthropic => {
                let response = self
                    .http
                    .post(format!("{}/v1/messages", self.gateway()?))
                    .header("x-api-key", &self.endpoints.key)
                    .header("anthropic-version", "2023-06-01")
                    .json(
                        &json!({"model": self.endpoints.model, "stream": true, "max_tokens": 1_000_000,
                        "messages": [{"role": "user", "content": text}]}),
                    )
                    .send()
                    .await?;
                read_stream(response, b"\"type\":\"text_delta\"", started).await
            }
        }
    }
}

/// What the first text delta of an OpenAI stream starts with.
const OPENAI_DELTA: &[u8] = b"\"delta\":{\"content\":\"";

/// Reads an SSE body to its end: the time until `marker` (the first text delta) first appears, and
/// the number of `data:` events.
async fn read_stream(
    mut response: reqwest::Response,
    marker: &[u8],
    started: Instant,
) -> anyhow::Result<(Duration, u64)> {
    if !response.status().is_success() {
        let status = response.status();
        bail!("{status}: {}", response.text().await.unwrap_or_default());
    }
    let finder = memchr::memmem::Finder::new(marker);
    let data = memchr::memmem::Finder::new(b"data:");
    // What is kept of earlier chunks: to find a marker or a `data:` split across chunks.
    let mut marker_tail: Vec<u8> = Vec::new();
    let mut data_tail: Vec<u8> = Vec::new();
    let mut first = None;
    let mut events = 0u64;
    while let Some(chunk) = response.chunk().await? {
        if first.is_none() {
            marker_tail.extend_from_slice(&chunk);
            if finder.find(&marker_tail).is_some() {
                first = Some(started.elapsed());
            } else {
                let cut = marker_tail.len().saturating_sub(marker.len() - 1);
                marker_tail.drain(..cut);
            }
        }
        // Matches across the boundary: the edge is too short to hold one on either side alone.
        let mut edge = data_tail.clone();
        edge.extend_from_slice(&chunk[..chunk.len().min(4)]);
        events += data.find_iter(&edge).count() as u64;
        events += data.find_iter(&chunk).count() as u64;
        data_tail.extend_from_slice(&chunk[chunk.len().saturating_sub(4)..]);
        let cut = data_tail.len().saturating_sub(4);
        data_tail.drain(..cut);
    }
    let first = first.context("the stream had no text delta")?;
    Ok((first, events))
}

async fn ttft(
    endpoints: Endpoints,
    targets: &[Target],
    streams: usize,
    requests: usize,
    rounds: usize,
    prompt_kib: usize,
) -> anyhow::Result<()> {
    let bench = Bench::new(endpoints).await?;
    let prompt: Arc<str> = prompt_of(prompt_kib).into();
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); targets.len()];
    // Warm-up: connections to every target, the gateway's catalog and sign-in.
    for &target in targets {
        run_batch(&bench, target, streams, streams, &prompt).await?;
    }
    for _ in 0..rounds {
        for (index, &target) in targets.iter().enumerate() {
            samples[index].extend(run_batch(&bench, target, streams, requests, &prompt).await?);
        }
    }
    for (index, target) in targets.iter().enumerate() {
        let wave_mean = |first_wave: bool| {
            mean(
                &samples[index]
                    .iter()
                    .filter(|sample| sample.first_wave == first_wave)
                    .map(|sample| sample.ttft)
                    .collect::<Vec<_>>(),
            )
        };
        let mut list: Vec<Duration> = samples[index].iter().map(|sample| sample.ttft).collect();
        list.sort_unstable();
        println!(
            "{}",
            json!({"bench": "ttft", "target": format!("{target:?}").to_lowercase(), "streams": streams,
                "prompt_kib": prompt_kib,
                "n": list.len(), "p50_ms": ms(percentile(&list, 0.50)), "p99_ms": ms(percentile(&list, 0.99)),
                "mean_ms": ms(mean(&list)),
                "first_wave_mean_ms": ms(wave_mean(true)), "later_mean_ms": ms(wave_mean(false))})
        );
    }
    Ok(())
}

/// One request's time to first token, and whether it was one of its batch's first wave: the
/// `streams` requests that start together when a batch begins (later ones start as earlier ones
/// end, spread out). At many streams the first wave is where the tail is (BENCHMARKS.md).
#[derive(Clone, Copy)]
struct Sample {
    ttft: Duration,
    first_wave: bool,
}

fn mean(list: &[Duration]) -> Duration {
    list.iter().sum::<Duration>() / list.len().max(1) as u32
}

/// The question of every request: a short one, or about `kib` KiB of mixed prose and code in
/// English and Chinese, like a coding agent's context.
fn prompt_of(kib: usize) -> String {
    const SHORT: &str = "你好，请简单介绍一下你自己。";
    const PARAGRAPH: &str = "You are an interactive CLI tool that helps users with software \
        engineering tasks. 请用中文回答，并保持简洁。\n```rust\nfn main() {\n    let total: u64 = \
        (1..=10).sum();\n    println!(\"{total}\");\n}\n```\n- Read the file before editing it; \
        keep changes small and explain why.\n";
    let mut text = String::with_capacity(kib * 1024 + PARAGRAPH.len());
    while text.len() < kib * 1024 {
        text.push_str(PARAGRAPH);
    }
    text.push_str(SHORT);
    text
}

/// `requests` requests over `streams` workers; the time to first token of each.
async fn run_batch(
    bench: &Arc<Bench>,
    target: Target,
    streams: usize,
    requests: usize,
    prompt: &Arc<str>,
) -> anyhow::Result<Vec<Sample>> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..streams {
        let bench = bench.clone();
        let next = next.clone();
        let prompt = prompt.clone();
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if index >= requests {
                    break;
                }
                let (ttft, _) = bench.one(target, &prompt).await?;
                times.push(Sample {
                    ttft,
                    first_wave: index < streams,
                });
            }
            anyhow::Ok(times)
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await??);
    }
    Ok(all)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e5).round() / 100.0
}

/// User plus system CPU time of `pid`, from `/proc/<pid>/stat` (clock ticks of 10 ms).
fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces; the fields after it are space-separated.
    let after = stat.rsplit_once(") ").context("malformed stat")?.1;
    let fields: Vec<&str> = after.split(' ').collect();
    let utime: u64 = fields[11].parse()?;
    let stime: u64 = fields[12].parse()?;
    Ok(Duration::from_millis((utime + stime) * 10))
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .context("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).context("no value")?.parse()?)
}

async fn frames(
    endpoints: Endpoints,
    target: Target,
    streams: usize,
    words: usize,
    pid: Option<u32>,
    sim_pid: Option<u32>,
) -> anyhow::Result<()> {
    let bench = Bench::new(endpoints).await?;
    // Warm-up.
    bench.one(target, "[[sim:long=100]]").await?;
    let cpu_before = pid.map(cpu_time).transpose()?;
    let sim_before = sim_pid.map(cpu_time).transpose()?;
    let own_before = cpu_time(std::process::id())?;
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..streams {
        let bench = bench.clone();
        let text = format!("[[sim:long={words}]]");
        workers.push(tokio::spawn(async move { bench.one(target, &text).await }));
    }
    let mut frames = 0;
    for worker in workers {
        frames += worker.await??.1;
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = match (pid, cpu_before) {
        (Some(pid), Some(before)) => Some(cpu_time(pid)?.saturating_sub(before)),
        _ => None,
    };
    let sim_cpu = match (sim_pid, sim_before) {
        (Some(pid), Some(before)) => Some(cpu_time(pid)?.saturating_sub(before)),
        _ => None,
    };
    let own_cpu = cpu_time(std::process::id())?.saturating_sub(own_before);
    let per_frame = |cpu: Duration| (cpu.as_secs_f64() * 1e6 / frames as f64 * 100.0).round() / 100.0;
    println!(
        "{}",
        json!({"bench": "frames", "target": format!("{target:?}").to_lowercase(), "streams": streams,
            "frames": frames, "secs": (secs * 1000.0).round() / 1000.0,
            "frames_per_s": (frames as f64 / secs).round(),
            "cpu_us_per_frame": cpu.map(per_frame),
            "sim_cpu_us_per_frame": sim_cpu.map(per_frame),
            "client_cpu_us_per_frame": per_frame(own_cpu)})
    );
    Ok(())
}

async fn hop(endpoints: Endpoints, requests: usize) -> anyhow::Result<()> {
    let bench = Bench::new(endpoints).await?;
    let url = format!("{}/", bench.gateway()?);
    let mut times = Vec::with_capacity(requests);
    for index in 0..requests + 20 {
        let started = Instant::now();
        bench
            .http
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        // The first requests warm the connection up.
        if index >= 20 {
            times.push(started.elapsed());
        }
    }
    times.sort_unstable();
    println!(
        "{}",
        json!({"bench": "hop", "n": times.len(), "p50_ms": ms(percentile(&times, 0.50)),
            "p99_ms": ms(percentile(&times, 0.99))})
    );
    Ok(())
}

async fn hold(endpoints: Endpoints, streams: usize, pid: u32, secs: f64) -> anyhow::Result<()> {
    let bench = Bench::new(endpoints).await?;
    let gateway = bench.gateway()?.to_owned();
    let mut open = Vec::new();
    for index in 0..streams {
        let bench = bench.clone();
        let gateway = gateway.clone();
        open.push(tokio::spawn(async move {
            // A reply long enough to outlast the sample; the caller slows the frames down.
            let response = bench
                .http
                .post(format!("{gateway}/v1/chat/completions"))
                .bearer_auth(&bench.endpoints.key)
                .json(&json!({"model": bench.endpoints.model, "stream": true,
                    "messages": [{"role": "user", "content": format!("{index} [[sim:long=100000]]")}]}))
                .send()
                .await?;
            let mut response = response.error_for_status()?;
            // Read slowly forever; the task is aborted after the sample.
            while response.chunk().await?.is_some() {}
            anyhow::Ok(())
        }));
    }
    tokio::time::sleep(Duration::try_from_secs_f64(secs).context("--secs must be a positive number")?).await;
    let stats: Value = bench
        .http
        .get(format!("{}/__sim/stats", bench.endpoints.sim))
        .send()
        .await?
        .json()
        .await?;
    let rss = rss_kib(pid)?;
    let failed = open.iter().filter(|task| task.is_finished()).count();
    for task in &open {
        task.abort();
    }
    println!(
        "{}",
        json!({"bench": "hold", "streams": streams, "rss_mib": (rss as f64 / 1024.0 * 10.0).round() / 10.0,
            "upstream_running": stats["concurrent_completions"], "ended_early": failed})
    );
    Ok(())
}

fn startup(runs: usize, command: &[String]) -> anyhow::Result<()> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", command[0]))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut listening = None;
        for line in std::io::BufReader::new(stdout).lines() {
            if line?.contains("listening on") {
                listening = Some(started.elapsed());
                break;
            }
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let _ = child.wait();
        times.push(listening.context("the command never printed `listening on`")?);
    }
    times.sort_unstable();
    println!(
        "{}",
        json!({"bench": "startup", "runs": runs, "p50_ms": ms(percentile(&times, 0.5)),
            "min_ms": ms(times[0]), "max_ms": ms(times[times.len() - 1])})
    );
    Ok(())
}
