//! `burst`: the CPU a gateway spends on each request before the model's first frame, when many
//! requests arrive together.
//!
//! At 64 streams the tail of the time to first token is the first wave of a batch: 64 requests
//! start at once, and each waits for the work of those ahead of it (parse, checks, the session
//! request, the completions request) on cores shared with the simulator and the client. That work
//! is what this measures: `--streams` requests are sent together, and the process's CPU time (its
//! threads' run time from `/proc/<pid>/task/*/schedstat`, in nanoseconds) is read before and once
//! every response's head has arrived (the gateway and the minimal relay answer with the head when
//! the site has accepted the message, i.e. after both upstream calls). The frames come later (the
//! simulator's first-frame delay); a burst whose first token arrived before its last head is
//! counted as overlapped, and its figure includes some frame work.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::json;

use crate::{Bench, OPENAI_DELTA, Target, mean, ms, percentile, prompt_of, read_stream};

/// Bursts sent first, not measured: connections to the target and the site, the catalog.
const WARM_UP: usize = 2;
/// The pause after a burst, for the session deletions that follow each answer.
const SETTLE: Duration = Duration::from_millis(200);

pub(crate) async fn burst(
    bench: Arc<Bench>,
    target: Target,
    streams: usize,
    bursts: usize,
    pid: u32,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        matches!(target, Target::Openai | Target::Relay),
        "burst measures the gateway's OpenAI API or the minimal relay"
    );
    let prompt: Arc<str> = prompt_of(0).into();
    let mut per_request = Vec::with_capacity(bursts);
    let mut last_heads = Vec::with_capacity(bursts);
    let mut overlapped = 0;
    for round in 0..WARM_UP + bursts {
        let before = cpu_ns(pid)?;
        let started = Instant::now();
        let (heads, mut arrived) = tokio::sync::mpsc::channel::<()>(streams);
        let mut requests = Vec::with_capacity(streams);
        for _ in 0..streams {
            let bench = bench.clone();
            let prompt = prompt.clone();
            let heads = heads.clone();
            requests.push(tokio::spawn(async move {
                let response = bench.open_openai(target, &prompt).await?;
                let _ = heads.send(()).await;
                read_stream(response, OPENAI_DELTA, started).await
            }));
        }
        drop(heads);
        let mut count = 0;
        while count < streams && arrived.recv().await.is_some() {
            count += 1;
        }
        let last_head = started.elapsed();
        let after = cpu_ns(pid)?;
        let mut first_token = Duration::MAX;
        for request in requests {
            let (ttft, _) = request.await??;
            first_token = first_token.min(ttft);
        }
        anyhow::ensure!(count == streams, "only {count} of {streams} responses had a head");
        if round >= WARM_UP {
            per_request.push(Duration::from_nanos((after - before) / streams as u64));
            last_heads.push(last_head);
            if first_token < last_head {
                overlapped += 1;
            }
        }
        tokio::time::sleep(SETTLE).await;
    }
    let mean = mean(&per_request);
    per_request.sort_unstable();
    last_heads.sort_unstable();
    println!(
        "{}",
        json!({"bench": "burst", "target": format!("{target:?}").to_lowercase(), "streams": streams,
            "bursts": bursts, "cpu_us_per_request_p50": us(percentile(&per_request, 0.5)),
            "cpu_us_per_request_mean": us(mean), "last_head_ms_p50": ms(percentile(&last_heads, 0.5)),
            "overlapped_bursts": overlapped})
    );
    Ok(())
}

/// The CPU time of every thread of `pid` so far, in nanoseconds.
fn cpu_ns(pid: u32) -> anyhow::Result<u64> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).context("the process is gone")? {
        // A thread that ended between the listing and the read has nothing more to add.
        let Ok(stat) = std::fs::read_to_string(task?.path().join("schedstat")) else {
            continue;
        };
        let run: u64 = stat.split(' ').next().unwrap_or("0").parse().unwrap_or(0);
        total += run;
    }
    Ok(total)
}

fn us(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e7).round() / 10.0
}
