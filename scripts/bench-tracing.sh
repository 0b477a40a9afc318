#!/usr/bin/env bash
# What tracing costs a chat call, side by side in one run: three gateways on the same simulator,
# measured in turn with the same load (unary sim/fixed, 16 chunks, an instant answer) —
#   off     OTEL_TRACES_EXPORTER unset (the default: no SDK installed)
#   on      OTEL_TRACES_EXPORTER=otlp, http/protobuf to a live collector on loopback (a minimal
#           OTLP/HTTP sink in Python that reads each export and answers 200, counting spans' bytes)
#   dead    OTEL_TRACES_EXPORTER=otlp with the default protocol (grpc) and
#           OTEL_EXPORTER_OTLP_ENDPOINT on a closed loopback port: every export fails
# and for each: latency at concurrency 1 (the added latency) and at concurrency 8, the gateway's
# CPU time per call (from /proc), and at the end the gateway's gateway_trace_spans_lost_total.
# docs/BENCHMARKS.md records the figures. Needs the jars (mvn -B -q -DskipTests package), python3, curl.
# Usage: scripts/bench-tracing.sh [results-dir]   (about 4 minutes; WARMUP/SECONDS_C1/SECONDS_C8
# shorten it, ROUNDS repeats the measured runs interleaved)
# Everything listens on 127.0.0.1; every run is bounded by a request count and a duration.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench-results/tracing-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
GATEWAY_JAR=${GATEWAY_JAR:-server/target/gateway.jar}
CLI_JAR=${CLI_JAR:-tools/target/gateway-cli.jar}
for jar in "$GATEWAY_JAR" "$CLI_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: run mvn -B -q -DskipTests package first" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "python3 is missing (the OTLP sink)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (reads the gateways' /metrics)" >&2; exit 1; }
JAVA=${JAVA:-java}
WARMUP=${WARMUP:-20}
SECONDS_C1=${SECONDS_C1:-15}
SECONDS_C8=${SECONDS_C8:-15}
SIM_PORT=${SIM_PORT:-18190}
SINK_PORT=${SINK_PORT:-18318}
DEAD_PORT=${DEAD_PORT:-18317} # nothing listens here (checked below)
SIM_URL="http://127.0.0.1:$SIM_PORT/api/v1"
declare -A PORT=([off]=18151 [on]=18152 [dead]=18153)
declare -A METRICS=([off]=18161 [on]=18162 [dead]=18163)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
seconds() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t/hz}'; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Calls the gateway started (its own grpc_server_call_started_total, health checks excluded), so
# CPU per call divides by the exact number of calls in the CPU window (load generator warm-up included).
calls_started() { curl -s --max-time 10 "http://127.0.0.1:$1/metrics" |
  awk '/^grpc_server_call_started_total/ && !/Health/ {n += $NF} END {printf "%d", n}'; }
per_call_us() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN{if (n > 0) printf "%.0f", t / hz / n * 1e6; else print "?"}'; }

if listening "$DEAD_PORT"; then echo "port $DEAD_PORT is open: set DEAD_PORT to a closed port" >&2; exit 1; fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "loadavg at start: $(cat /proc/loadavg)"
  echo "jvm: $("$JAVA" -version 2>&1 | head -1)"
  echo "gateway: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "note: load generator, gateways, simulator and the OTLP sink share this machine"
} | tee "$OUT/env.txt"

"$JAVA" -Xmx1g -cp "$GATEWAY_JAR" openrouter.gateway.simulator.SimulatorMain --port "$SIM_PORT" > "$OUT/simulator.log" 2>&1 &
pids+=($!)

# A live collector as cheap as possible: OTLP/HTTP POST /v1/traces, body read and dropped, an empty
# ExportTraceServiceResponse (200, zero bytes) back. Prints its totals when stopped.
python3 -u - "$SINK_PORT" > "$OUT/sink.log" 2>&1 <<'EOF' &
import http.server, signal, sys
totals = {"exports": 0, "bytes": 0}
class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        totals["exports"] += 1
        totals["bytes"] += n
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
def stop(*_):
    print(f"sink: {totals['exports']} exports, {totals['bytes']} bytes", flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink)
print("sink listening", flush=True)
server.serve_forever()
EOF
SINK_PID=$!
pids+=($SINK_PID)
for _ in $(seq 1 100); do grep -q listening "$OUT/simulator.log" && grep -q listening "$OUT/sink.log" && break; sleep 0.1; done

KEY="sk-or-v1-$(printf '0%.0s' $(seq 1 64))"
declare -A GW_PID
start_gw() { # name, extra env...
  local name=$1; shift
  env -u OTEL_TRACES_EXPORTER -u OTEL_EXPORTER_OTLP_ENDPOINT -u OTEL_EXPORTER_OTLP_PROTOCOL \
    OPENROUTER_API_KEY="$KEY" OPENROUTER_BASE_URL="$SIM_URL" GATEWAY_PORT="${PORT[$name]}" \
    GATEWAY_METRICS_PORT="${METRICS[$name]}" GATEWAY_HEALTH_PROBE_INTERVAL_MS=0 OPENROUTER_MAX_RETRIES=0 \
    GATEWAY_ACCESS_LOG=errors "$@" \
    "$JAVA" -Xmx768m -jar "$GATEWAY_JAR" > "$OUT/gateway-$name.log" 2>&1 &
  GW_PID[$name]=$!
  pids+=($!)
  # Listening (bounded: 3 minutes on a busy machine); the warm-up below follows anyway.
  for _ in $(seq 1 1800); do listening "${PORT[$name]}" && return; sleep 0.1; done
  echo "gateway $name did not start: $OUT/gateway-$name.log" >&2; exit 1
}
start_gw off
start_gw on OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
  OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT"
start_gw dead OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$DEAD_PORT"

loadgen() { # name, then loadgen args
  local name=$1; shift
  "$JAVA" -Xms512m -Xmx2g -cp "$CLI_JAR" openrouter.gateway.tools.loadgen.LoadGen --target "127.0.0.1:${PORT[$name]}" "$@"
}

echo "== warm-up, each gateway (not measured)"
for name in off on dead; do
  loadgen "$name" --scenario unary --concurrency 4 --requests 1000000 --warmup 0 --duration "$WARMUP" --chunks 16 > "$OUT/warmup-$name.txt"
done

run() { # name label, then loadgen args; gateway (and, for "on", the sink's) CPU during the run
  local name=$1 label=$2; shift 2
  local c0 g0 s0; c0=$(calls_started "${METRICS[$name]}"); g0=$(cpu_ticks "${GW_PID[$name]}"); s0=$(cpu_ticks "$SINK_PID")
  loadgen "$name" --label "$label-$name" --json "$OUT/$label-$name.json" "$@" | tee "$OUT/$label-$name.txt"
  local g=$(( $(cpu_ticks "${GW_PID[$name]}") - g0 )) s=$(( $(cpu_ticks "$SINK_PID") - s0 ))
  local c=$(( $(calls_started "${METRICS[$name]}") - c0 ))
  echo "gateway CPU during the run: $(seconds $g) s over $c calls: $(per_call_us $g $c) us per call; OTLP sink CPU: $(seconds $s) s" | tee -a "$OUT/$label-$name.txt"
}
# Interleaved, ROUNDS times (default 1), so a drift of the machine's load shows up between rounds.
for round in $(seq 1 "${ROUNDS:-1}"); do
  for name in off on dead; do
    run "$name" "r$round-unary-c1" --scenario unary --concurrency 1 --requests 1000000 --warmup 5 --duration "$SECONDS_C1" --chunks 16
  done
  for name in off on dead; do
    run "$name" "r$round-unary-c8" --scenario unary --concurrency 8 --requests 1000000 --warmup 3 --duration "$SECONDS_C8" --chunks 16 --connections 2
  done
done

# Spans whose export failed, per gateway, from the metric and from the SDK's own log lines (the
# "on" gateway's last batch may still be queued; the dead one's last exports may still be retrying).
for name in off on dead; do
  lost=$(curl -s --max-time 10 "http://127.0.0.1:${METRICS[$name]}/metrics" | awk '/^gateway_trace_spans_lost_total/ {print $2}') || true
  failed=$( { grep -o 'Failed to export [0-9]* spans' "$OUT/gateway-$name.log" || true; } | awk '{n += $4} END {print n + 0}')
  echo "$name: gateway_trace_spans_lost_total ${lost:-?}; spans in failed exports (the SDK's log): $failed" | tee -a "$OUT/spans-lost.txt"
done
kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true
cat "$OUT/sink.log"
echo "results in $OUT"
