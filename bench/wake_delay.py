"""Summarises `perf sched timehist` for one process of bench/wake_delay.sh.

Prints, per request, the scheduling delay summed over all the process's runs (time spent woken but
waiting for a core), and the delay of the wakes that end the first-frame wait: a worker thread that
slept for most of the simulator's first-frame delay is woken by the first frame's packet, so its
scheduling delay adds straight to the first token.
"""

import re
import sys

LINE = re.compile(
    r"\s*([\d.]+)\s+\[(\d+)\]\s+(\S+)\[(\d+)/(\d+)\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)"
)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main():
    path, pid, requests, delay_ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    runs = []
    for line in open(path, encoding="utf-8", errors="replace"):
        match = LINE.match(line)
        if match and match.group(5) == pid:
            wait, sched_delay = float(match.group(6)), float(match.group(7))
            runs.append((match.group(3), wait, sched_delay))
    if not runs:
        sys.exit("no runs of the process were recorded")
    total = sum(delay for _, _, delay in runs)
    first_frame = [
        delay for name, wait, delay in runs if name.startswith("tokio-rt") and wait > delay_ms * 0.6
    ]
    print(f"runs on a core per request      {len(runs) / requests:.1f}")
    print(f"scheduling delay per request    {total / requests:.3f} ms")
    if first_frame:
        print(
            f"wakes after the first-frame wait {len(first_frame)}: scheduling delay "
            f"p50 {percentile(first_frame, 0.5):.3f} ms, p90 {percentile(first_frame, 0.9):.3f} ms"
        )


if __name__ == "__main__":
    main()
