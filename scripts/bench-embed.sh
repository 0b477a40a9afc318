#!/usr/bin/env bash
# The cost of an Embed call of 16 inputs (1536 dimensions, sim/embed): the gateway against the
# simulator, then the same upstream request sent straight to the simulator, each at concurrency
# 1 after a warm-up; records the latency of both and the gateway's CPU time per call.
# docs/BENCHMARKS.md records the figures. Needs the jars (mvn -B -q -DskipTests package).
# Usage: scripts/bench-embed.sh [results-dir]     (about 2 minutes)
# Everything listens on 127.0.0.1; every run is bounded by a request count and a duration.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench-results/embed-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
GATEWAY_JAR=server/target/gateway.jar
CLI_JAR=clients/target/gateway-cli.jar
for jar in "$GATEWAY_JAR" "$CLI_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: run mvn -B -q -DskipTests package first" >&2; exit 1; }
done
JAVA=${JAVA:-java}
SIM_PORT=${SIM_PORT:-18190}
GW_PORT=${GW_PORT:-18151}
SIM_URL="http://127.0.0.1:$SIM_PORT/api/v1"
LOADGEN=("$JAVA" -Xms512m -Xmx2g -cp "$CLI_JAR" openrouter.gateway.loadgen.LoadGen --target "127.0.0.1:$GW_PORT")

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//') x $(nproc)"
  echo "jvm: $("$JAVA" -version 2>&1 | head -1)"
  echo "gateway: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "note: load generator, gateway and simulator share this machine"
} | tee "$OUT/env.txt"

"$JAVA" -Xmx1g -cp "$GATEWAY_JAR" openrouter.gateway.server.simulator.SimulatorMain --port "$SIM_PORT" > "$OUT/simulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q listening "$OUT/simulator.log" && break; sleep 0.1; done

KEY="sk-or-v1-$(printf '0%.0s' $(seq 1 64))"
read -r GW_PID _ < <(env OPENROUTER_API_KEY="$KEY" OPENROUTER_BASE_URL="$SIM_URL" GATEWAY_PORT=$GW_PORT \
  GATEWAY_METRICS_PORT=off OPENROUTER_MAX_RETRIES=0 GATEWAY_RATE_LIMIT_EMBEDDINGS=1000000/1s \
  "$JAVA" -cp "$CLI_JAR" openrouter.gateway.loadgen.WaitServing "127.0.0.1:$GW_PORT" "$OUT/gateway.log" \
  "$JAVA" -Xmx768m -jar "$GATEWAY_JAR")
pids+=("$GW_PID")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # name, then loadgen args; also records the gateway's CPU time during the run
  local name=$1; shift
  local before; before=$(cpu_ticks "$GW_PID")
  "${LOADGEN[@]}" --label "$name" --json "$OUT/$name.json" "$@" | tee "$OUT/$name.txt"
  echo "gateway CPU during the run: $(awk -v t=$(( $(cpu_ticks "$GW_PID") - before )) -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t/hz}') s" | tee -a "$OUT/$name.txt"
}

echo "== warm-up (not measured)"
"${LOADGEN[@]}" --scenario embed --concurrency 2 --requests 100000 --warmup 0 --duration 20 > "$OUT/warmup.txt"
run embed16-c1-gateway --scenario embed --concurrency 1 --requests 100000 --warmup 5 --duration 20
run embed16-c1-direct  --scenario embed --concurrency 1 --requests 100000 --warmup 5 --duration 20 --direct "$SIM_URL"
echo "results in $OUT"
