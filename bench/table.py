#!/usr/bin/env python3
"""Prints bench/run.sh's results (JSON lines) as the table of issue 13, in Markdown.

"Added" time to first token is the gateway's percentile minus the direct client's percentile of the
same run; frames/s is also given as a share of the direct rate. Of the two frames runs per target the
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


for streams, target in ((1, "≤ 0.5 / 1 ms"), (16, "≤ 1 / 3 ms"), (64, "p99 ≤ 5 ms")):
    d, g = one("ttft", target="direct", streams=streams), one("ttft", target="openai", streams=streams)
    if d and g:
        row(
            f"time to first token, p50 / p99, {streams} stream{'s' if streams > 1 else ''}",
            f"{d['p50_ms']:.2f} / {d['p99_ms']:.2f} ms",
            f"{g['p50_ms'] - d['p50_ms']:+.2f} / {g['p99_ms'] - d['p99_ms']:+.2f} ms added",
            target,
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
