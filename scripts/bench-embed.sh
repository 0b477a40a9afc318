#!/usr/bin/env bash
# The cost of an Embed call of 16 inputs (1536 dimensions, sim/embed): the gateway against the
# simulator, then the same upstream request sent straight to the simulator, each at concurrency
# 1 after a warm-up; records the latency of both and the gateway's CPU time per call.
# docs/BENCHMARKS.md records the figures. Needs the jars (mvn -B -q -DskipTests package) and curl.
# Usage: scripts/bench-embed.sh [results-dir]     (about 2 minutes; WARMUP and SECONDS_RUN shorten it)
# Everything listens on 127.0.0.1; every run is bounded by a request count and a duration.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench-results/embed-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
GATEWAY_JAR=server/target/gateway.jar
CLI_JAR=tools/target/gateway-cli.jar
for jar in "$GATEWAY_JAR" "$CLI_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: run mvn -B -q -DskipTests package first" >&2; exit 1; }
done
JAVA=${JAVA:-java}
SIM_PORT=${SIM_PORT:-18190}
GW_PORT=${GW_PORT:-18151}
METRICS_PORT=${METRICS_PORT:-18161}
WARMUP=${WARMUP:-20}
SECONDS_RUN=${SECONDS_RUN:-20}
SIM_URL="http://127.0.0.1:$SIM_PORT/api/v1"
LOADGEN=("$JAVA" -Xms512m -Xmx2g -cp "$CLI_JAR" openrouter.gateway.tools.loadgen.LoadGen --target "127.0.0.1:$GW_PORT")

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//') x $(nproc)"
  echo "loadavg at start: $(cat /proc/loadavg)"
  echo "jvm: $("$JAVA" -version 2>&1 | head -1)"
  echo "gateway: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "note: load generator, gateway and simulator share this machine"
} | tee "$OUT/env.txt"

"$JAVA" -Xmx1g -cp "$GATEWAY_JAR" openrouter.gateway.simulator.SimulatorMain --port "$SIM_PORT" > "$OUT/simulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q listening "$OUT/simulator.log" && break; sleep 0.1; done

KEY="sk-or-v1-$(printf '0%.0s' $(seq 1 64))"
env OPENROUTER_API_KEY="$KEY" OPENROUTER_BASE_URL="$SIM_URL" GATEWAY_PORT=$GW_PORT \
  GATEWAY_METRICS_PORT=$METRICS_PORT OPENROUTER_MAX_RETRIES=0 GATEWAY_RATE_LIMIT_EMBEDDINGS=1000000/1s \
  "$JAVA" -Xmx768m -jar "$GATEWAY_JAR" > "$OUT/gateway.log" 2>&1 &
GW_PID=$!
pids+=("$GW_PID")
# Listening (bounded: 3 minutes on a busy machine; a health check with a short deadline failed
# here at a load average of 20+); the warm-up below follows anyway.
for i in $(seq 1 1800); do (exec 3<>"/dev/tcp/127.0.0.1/$GW_PORT") 2>/dev/null && break; sleep 0.1; done
[ "$i" -lt 1800 ] || { echo "the gateway did not start: $OUT/gateway.log" >&2; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Calls the gateway started (its own grpc_server_call_started_total, health checks excluded), so
# CPU per call divides by the exact number of calls in the CPU window (load generator warm-up included).
calls_started() { curl -s --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics" |
  awk '/^grpc_server_call_started_total/ && !/Health/ {n += $NF} END {printf "%d", n}'; }
run() { # name, then loadgen args; also records the gateway's CPU time during the run
  local name=$1; shift
  local before c0; before=$(cpu_ticks "$GW_PID"); c0=$(calls_started)
  "${LOADGEN[@]}" --label "$name" --json "$OUT/$name.json" "$@" | tee "$OUT/$name.txt"
  local t=$(( $(cpu_ticks "$GW_PID") - before )) c=$(( $(calls_started) - c0 ))
  echo "gateway CPU during the run: $(awk -v t=$t -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t/hz}') s over $c gateway calls$( [ "$c" -gt 0 ] && awk -v t=$t -v n=$c -v hz="$(getconf CLK_TCK)" 'BEGIN{printf ": %.0f us per call", t / hz / n * 1e6}')" | tee -a "$OUT/$name.txt"
}

echo "== warm-up (not measured)"
"${LOADGEN[@]}" --scenario embed --concurrency 2 --requests 100000 --warmup 0 --duration "$WARMUP" > "$OUT/warmup.txt"
run embed16-c1-gateway --scenario embed --concurrency 1 --requests 100000 --warmup 5 --duration "$SECONDS_RUN"
run embed16-c1-direct  --scenario embed --concurrency 1 --requests 100000 --warmup 5 --duration "$SECONDS_RUN" --direct "$SIM_URL"
echo "results in $OUT"
