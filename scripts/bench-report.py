#!/usr/bin/env python3
"""Summarises a scripts/bench.sh results folder as the Markdown table of docs/BENCHMARKS.md.

Usage: scripts/bench-report.py bench-results/<run>
"""
import json
import pathlib
import sys

run = pathlib.Path(sys.argv[1])


def load(name):
    p = run / f"{name}.json"
    return json.loads(p.read_text()) if p.exists() else None


def ms(x):
    return f"{x:.3f} ms"


rows = []
g, d = load("unary-c1-gateway"), load("unary-c1-direct")
if g and d:
    rows.append(("unary chat, concurrency 1, instant upstream", "added latency p50 / p99 (gateway minus direct)",
                 f"{ms(g['latencyMs']['p50'] - d['latencyMs']['p50'])} / {ms(g['latencyMs']['p99'] - d['latencyMs']['p99'])}"
                 f" (gateway {ms(g['latencyMs']['p50'])} / {ms(g['latencyMs']['p99'])}, direct {ms(d['latencyMs']['p50'])} / {ms(d['latencyMs']['p99'])}"
                 + (f"; gRPC floor, health check: {ms(load('health-c1')['latencyMs']['p50'])} / {ms(load('health-c1')['latencyMs']['p99'])}" if load("health-c1") else "") + ")",
                 "≤ 0.3 ms / ≤ 1 ms"))
frontier = []
for f in sorted((p for p in run.glob("unary-open-*.json") if p.stem.split("-")[-1].isdigit()),
                key=lambda p: int(p.stem.split("-")[-1])):
    r = json.loads(f.read_text())
    frontier.append((int(f.stem.split("-")[-1]), r))
best = None
for rate, r in frontier:
    if r["errors"] == 0 and r["latencyMs"]["p99"] <= 5.0:
        best = (rate, r)
detail = "; ".join(f"{rate}/s: {r['throughput']:.0f}/s done, p99 {ms(r['latencyMs']['p99'])}, errors {r['errors']}" for rate, r in frontier)
rows.append(("unary chat, throughput frontier", "highest rate with p99 ≤ 5 ms, no errors",
             (f"{best[0]} req/s" if best else "below the lowest rate tried") + f" ({detail})", "≥ 5,000 req/s"))
g, d = load("stream-64x20ms-gateway"), load("stream-64x20ms-direct")
if g and d:
    rows.append(("streaming, 64 chunks at 20 ms, concurrency 50", "added time to first chunk (p50), added inter-chunk gap p99",
                 f"{ms(g['firstChunkMs']['p50'] - d['firstChunkMs']['p50'])} / {ms(g['chunkGapMs']['p99'] - d['chunkGapMs']['p99'])}"
                 f" (gateway TTFC p50 {ms(g['firstChunkMs']['p50'])}, gap p99 {ms(g['chunkGapMs']['p99'])}; direct {ms(d['firstChunkMs']['p50'])}, {ms(d['chunkGapMs']['p99'])})",
                 "≤ 1 ms / ≤ 0.5 ms"))
for name, how in (("streams-10k", "upstream HTTP/1.1"), ("streams-10k-h2c", "upstream h2c, one connection")):
    s = load(name)
    if not s:
        continue
    peaks = load(name + "-peaks") or {}
    if not peaks and (run / "streams-10k-peak-rss.txt").exists():  # runs before 2026-11-22 02:00
        peaks = {"peakRssMb": (run / "streams-10k-peak-rss.txt").read_text().strip()}
    held = f", {peaks['peakActiveStreams']} active in the gateway at the peak" if "peakActiveStreams" in peaks else ""
    conns = f", {peaks['peakUpstreamConnections']} upstream connections at the peak" if "peakUpstreamConnections" in peaks else ""
    rows.append((f"concurrent streams ({how})", "streams held open at once, all completing OK; gateway RSS",
                 f"{s['ok']} OK of {s['ok'] + s['errors']}{held}{conns}; peak RSS {peaks.get('peakRssMb', '?')} MB;"
                 f" first chunk p50 {ms(s['firstChunkMs']['p50'])}, p99 {ms(s['firstChunkMs']['p99'])}", "10,000 streams in ≤ 1 GiB"))
m = load("models-c32")
if m:
    rows.append(("cached ListModels", "throughput at concurrency 32",
                 f"{m['throughput']:.0f} req/s (p99 {ms(m['latencyMs']['p99'])}, errors {m['errors']})"
                 + (f"; {load('models-c32-access-errors-only')['throughput']:.0f} req/s with GATEWAY_ACCESS_LOG=errors" if load("models-c32-access-errors-only") else ""),
                 "≥ 20,000 req/s"))
st = load("startup")
if st:
    plain, cds = sorted(st["startupMsPlain"]), sorted(st["startupMsAppCds"])
    rows.append(("start-up", "process start to health SERVING (median of 3)",
                 f"{plain[1]} ms plain JVM, {cds[1]} ms with AppCDS", "≤ 1.5 s"))
    rows.append(("idle", "RSS after start-up", f"{st['idleRssMb']} MB", "≤ 200 MB"))

print("| scenario | what is measured | measured | target |")
print("|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
