#!/usr/bin/env python3
"""Prints bench/run.sh's results (JSON lines) as the table of issue 13, in Markdown.

"Added" time to first token is the gateway's percentile minus the direct client's percentile of the
same run (and beside it the minimal relay's, `taiji-loadgen relay`: what one more hop adds at the
least on the machine); frames/s is also given as a share of the direct rate. Of the two frames runs per target the
faster is kept (other load on the machine only ever slows a run down), and the lower CPU per frame.

    python3 bench/table.py results.jsonl
"""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip().startswith("{")]


def pick(bench, **match):
    return [r for r in rows if r.get("bench") == bench and all(r.get(k) == v for k, v in match.items())]


def one(bench, **match):
    found = pick(bench, **match)
    return found[0] if found else None


def fmt(value, unit="", digits=1):
    return "—" if value is None else f"{value:.{digits}f}{unit}"


table = []


def row(name, direct, gateway, target):
    table.append(f"| {name} | {direct} | {gateway} | {target} |")


def added(d, g):
    return f"{g['p50_ms'] - d['p50_ms']:+.2f} / {g['p99_ms'] - d['p99_ms']:+.2f} ms"


def ttft_row(name, d, g, target, relay=None):
    if d and g:
        row(
            name,
            f"{d['p50_ms']:.2f} / {d['p99_ms']:.2f} ms",
            f"{added(d, g)} added" + (f" (minimal relay: {added(d, relay)})" if relay else ""),
            target,
        )


for streams, target in ((1, "≤ 0.5 / 1 ms"), (16, "≤ 1 / 3 ms"), (64, "p99 ≤ 5 ms")):
    ttft_row(
        f"time to first token, p50 / p99, {streams} stream{'s' if streams > 1 else ''}",
        one("ttft", target="direct", streams=streams, prompt_kib=0),
        one("ttft", target="openai", streams=streams, prompt_kib=0),
        target,
        one("ttft", target="relay", streams=streams, prompt_kib=0),
    )
# The 64-stream tail is each batch's first wave (64 requests starting together); its mean, and what
# sets it: each target's CPU per request up to its response head, 64 requests sent at once.
waves = [(name, one("ttft", target=t, streams=64, prompt_kib=0)) for t, name in (("direct", "direct"), ("openai", "gateway"), ("relay", "minimal relay"))]
if all(w and "first_wave_mean_ms" in w for _, w in waves):
    row(
        "64 streams: mean of each batch's first wave (64 starting together) / of the later requests",
        f"{waves[0][1]['first_wave_mean_ms']:.2f} / {waves[0][1]['later_mean_ms']:.2f} ms",
        "; ".join(
            f"{name} {w['first_wave_mean_ms'] - waves[0][1]['first_wave_mean_ms']:+.2f} / {w['later_mean_ms'] - waves[0][1]['later_mean_ms']:+.2f} ms added"
            for name, w in waves[1:]
        ),
        "—",
    )
bursts = [(name, one("burst", target=t)) for t, name in (("openai", "gateway"), ("relay", "minimal relay"))]
if all(b for _, b in bursts):
    row(
        "CPU per request before the first frame, 64 sent at once (median of 20 bursts; when the last response head arrived)",
        "—",
        "; ".join(f"{name} {b['cpu_us_per_request_p50']:.0f} µs ({b['last_head_ms_p50']:.1f} ms)" for name, b in bursts),
        "—",
    )
hop = one("hop")
if hop:
    row(
        "one HTTP request and response on loopback (`GET /` of the gateway)",
        "—",
        f"{hop['p50_ms']:.2f} / {hop['p99_ms']:.2f} ms",
        "the least an extra hop adds",
    )
ttft_row(
    "the same, 1 stream, 40 KiB prompt (Anthropic API, as Claude Code sends)",
    one("ttft", target="direct", streams=1, prompt_kib=40),
    one("ttft", target="anthropic", streams=1, prompt_kib=40),
    "—",
)

best = {}
cpu = {}
for r in pick("frames"):
    t = r["target"]
    best[t] = max(best.get(t, 0), r["frames_per_s"])
    if t != "direct" and r.get("cpu_us_per_frame") is not None:
        cpu[t] = min(cpu.get(t, 1e9), r["cpu_us_per_frame"])
if "direct" in best:
    shares = ", ".join(
        f"{name} {best[t] / 1000:.0f}k ({100 * best[t] / best['direct']:.0f} %)"
        for t, name in (("openai", "OpenAI"), ("anthropic", "Anthropic"))
        if t in best
    )
    row("frames/s streamed (2 long streams)", f"{best['direct'] / 1000:.0f}k", shares, "≥ 90 % of direct")
if cpu:
    row(
        "CPU per forwarded frame (gateway process)",
        "—",
        ", ".join(f"{name} {cpu[t]:.2f} µs" for t, name in (("openai", "OpenAI"), ("anthropic", "Anthropic")) if t in cpu),
        "≤ 2 µs",
    )


# The two-core bound: while the simulator, the client and (through the gateway) the gateway all
# run flat out on the same two cores, the rate is at most 2 s of CPU per second divided by the CPU
# all of them spend per frame, so the gateway's share of the direct rate is at most the direct
# path's CPU per frame over the gateway path's (the mean of each target's runs). "cores busy" is
# the best rate times that CPU per frame: how much of the two cores each path used.
def mean(values):
    return sum(values) / len(values) if values else None


def path_cpu(t):
    runs = [r for r in pick("frames", target=t) if r.get("sim_cpu_us_per_frame") is not None]
    sim = mean([r["sim_cpu_us_per_frame"] for r in runs])
    client = mean([r["client_cpu_us_per_frame"] for r in runs])
    gateway = mean([r["cpu_us_per_frame"] for r in runs if r.get("cpu_us_per_frame") is not None]) if t != "direct" else 0
    return None if sim is None or client is None or gateway is None else (sim, client, gateway)


direct_cpu = path_cpu("direct")
if direct_cpu:
    parts = [
        f"simulator {direct_cpu[0]:.2f} + client {direct_cpu[1]:.2f} µs; "
        f"{best['direct'] * sum(direct_cpu) / 1e6:.1f} cores busy"
    ]
    for t, name in (("openai", "OpenAI"), ("anthropic", "Anthropic")):
        through = path_cpu(t)
        if through:
            parts.append(
                f"{name}: {through[0]:.2f} + {through[1]:.2f} + gateway {through[2]:.2f} µs; "
                f"{best[t] * sum(through) / 1e6:.1f} cores busy; bound {100 * sum(direct_cpu) / sum(through):.0f} % of direct"
            )
    row("CPU per frame of every process on the path (two shared cores)", parts[0], "; ".join(parts[1:]), "—")


idle, after = one("rss_idle"), one("rss_after_load")
if idle:
    row("RSS idle (signed in)", "—", f"{idle['rss_mib']:.1f} MiB" + (f" (after the load: {after['rss_mib']:.1f} MiB)" if after else ""), "≤ 15 MiB")
hold = one("hold")
if hold:
    row(
        f"RSS, {hold['streams']} open streams ({hold['upstream_running']} running upstream)",
        "—",
        f"{hold['rss_mib']:.1f} MiB",
        "≤ 40 MiB",
    )
start = one("startup")
if start:
    row("start → listening (CLI, signed in)", "—", f"{start['p50_ms']:.0f} ms (min {start['min_ms']:.0f})", "≤ 150 ms")
desktop = {r["state"]: r for r in pick("desktop")}
if desktop:
    parts = [f"{state} {desktop[state]['rss_mib']} MiB RSS / {desktop[state]['pss_mib']} MiB PSS" for state in ("shown", "closed", "--hidden") if state in desktop]
    row("desktop app, all processes (release)", "—", "; ".join(parts), "hidden ≤ 80 MiB")

print("| | direct | taiji-gateway | target |")
print("|---|---|---|---|")
print("\n".join(table))
crit = pick("criterion")
if crit:
    print()
    print("| criterion benchmark | median |")
    print("|---|---|")
    for r in crit:
        print(f"| {r['name']} | {r['median']} |")
