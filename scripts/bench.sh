#!/usr/bin/env bash
# Reproducible benchmarks of the gateway against the simulator, side by side with direct calls
# to the same simulator (docs/BENCHMARKS.md records the figures). Needs the jars:
#   mvn -B -q -DskipTests package
# Usage: scripts/bench.sh [results-dir]     (about 8 minutes on 2 cores)
# Everything listens on 127.0.0.1; every run is bounded by a request count and a duration.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
GATEWAY_JAR=server/target/gateway.jar
CLI_JAR=clients/target/gateway-cli.jar
for jar in "$GATEWAY_JAR" "$CLI_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: run mvn -B -q -DskipTests package first" >&2; exit 1; }
done
JAVA=${JAVA:-java}
SIM_PORT=${SIM_PORT:-18090}
GW_PORT=${GW_PORT:-18051}
METRICS_PORT=${METRICS_PORT:-19464}
SIM_URL="http://127.0.0.1:$SIM_PORT/api/v1"
LOADGEN=("$JAVA" -Xms1g -Xmx4g -cp "$CLI_JAR" openrouter.gateway.loadgen.LoadGen --target "127.0.0.1:$GW_PORT")
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "cpu: $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')"
  echo "jvm: $("$JAVA" -version 2>&1 | head -1)"
  echo "gateway: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "note: load generator, gateway and simulator share this machine"
} | tee "$OUT/env.txt"

echo "== simulator on :$SIM_PORT"
"$JAVA" -Xmx2g -cp "$GATEWAY_JAR" openrouter.gateway.server.simulator.SimulatorMain --port "$SIM_PORT" > "$OUT/simulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q listening "$OUT/simulator.log" && break; sleep 0.1; done

KEY="sk-or-v1-$(printf '0%.0s' $(seq 1 64))"
GW_ENV=(env OPENROUTER_API_KEY="$KEY" OPENROUTER_BASE_URL="$SIM_URL" GATEWAY_PORT=$GW_PORT
  GATEWAY_METRICS_PORT=$METRICS_PORT GATEWAY_MAX_CONCURRENT_STREAMS=20000 OPENROUTER_MAX_RETRIES=0)
# WaitServing launches the gateway itself and prints "<pid> <ms from launch to health SERVING>".
launch() { "${GW_ENV[@]}" "$JAVA" -cp "$CLI_JAR" openrouter.gateway.loadgen.WaitServing "127.0.0.1:$GW_PORT" "$OUT/gateway.log" "$@"; }
stop_gw() { kill "$1" 2>/dev/null || true; while kill -0 "$1" 2>/dev/null; do sleep 0.05; done; }

echo "== start-up: launch to health SERVING, 3 runs each, plain JVM and with an AppCDS archive"
CDS="$OUT/gateway.jsa"
read -r p _ < <(launch "$JAVA" -XX:ArchiveClassesAtExit="$CDS" -jar "$GATEWAY_JAR")
"${LOADGEN[@]}" --scenario unary --requests 200 --warmup 0 --duration 5 > /dev/null  # exercise the call path
stop_gw "$p"
plain=(); cds=()
for i in 1 2 3; do
  read -r p ms < <(launch "$JAVA" -jar "$GATEWAY_JAR"); plain+=("$ms"); stop_gw "$p"
  read -r p ms < <(launch "$JAVA" -XX:SharedArchiveFile="$CDS" -jar "$GATEWAY_JAR"); cds+=("$ms"); stop_gw "$p"
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
echo "start-up ms: plain ${plain[*]} (median $(median "${plain[@]}")); AppCDS ${cds[*]} (median $(median "${cds[@]}"))" | tee "$OUT/startup.txt"

echo "== gateway on :$GW_PORT for the load runs (AppCDS), idle RSS"
read -r GW_PID _ < <(launch "$JAVA" -XX:SharedArchiveFile="$CDS" ${GATEWAY_JVM_OPTS:-} -jar "$GATEWAY_JAR")
pids+=("$GW_PID")
sleep 5
idle_rss=$(rss_mb "$GW_PID")
echo "idle RSS after start-up: ${idle_rss} MB" | tee -a "$OUT/startup.txt"
printf '{"startupMsPlain":[%s],"startupMsAppCds":[%s],"idleRssMb":%s}\n' "$(IFS=,; echo "${plain[*]}")" "$(IFS=,; echo "${cds[*]}")" "$idle_rss" > "$OUT/startup.json"

run() { # name, then loadgen args
  local name=$1; shift
  echo "== $name"
  "${LOADGEN[@]}" --label "$name" --json "$OUT/$name.json" "$@" | tee "$OUT/$name.txt"
}

# 1. Added latency, unary, concurrency 1, instant upstream: gateway, then direct.
run unary-c1-gateway --scenario unary --concurrency 1 --requests 40000 --warmup 5 --duration 20 --chunks 16
run unary-c1-direct  --scenario unary --concurrency 1 --requests 40000 --warmup 5 --duration 20 --chunks 16 --direct "$SIM_URL"

# 2. Throughput frontier: open loop at rising rates until p99 > 5 ms or errors.
for r in 2000 3000 4000 5000 6000 7000; do
  run "unary-open-$r" --scenario unary --rate "$r" --requests $((r * 13)) --warmup 3 --duration 10 --connections 4 --chunks 16
done

# 3. Streaming, 64 chunks 20 ms apart: gateway, then direct.
run stream-64x20ms-gateway --scenario stream --concurrency 50 --requests 3000 --warmup 3 --duration 20 --chunks 64 --chunk-delay-ms 20
run stream-64x20ms-direct  --scenario stream --concurrency 50 --requests 3000 --warmup 3 --duration 20 --chunks 64 --chunk-delay-ms 20 --direct "$SIM_URL"

# 4. 10,000 streams held open at once (64 chunks 100 ms apart: each lasts about 6.4 s),
#    sampling the gateway's RSS every second.
( peak=0; for _ in $(seq 1 40); do r=$(rss_mb $GW_PID 2>/dev/null || echo 0); peak=$(awk -v a="$peak" -v b="$r" 'BEGIN{print (b>a)?b:a}'); echo "$peak" > "$OUT/streams-10k-peak-rss.txt"; sleep 1; done ) &
sampler=$!
run streams-10k --scenario stream --concurrency 10000 --requests 10000 --warmup 0 --duration 30 --chunks 64 --chunk-delay-ms 100 --connections 8 --deadline 60
wait $sampler || true
echo "peak gateway RSS during 10k streams: $(cat "$OUT/streams-10k-peak-rss.txt") MB" | tee -a "$OUT/streams-10k.txt"

# 5. Cached ListModels at concurrency 32.
run models-c32 --scenario models --concurrency 32 --requests 2000000 --warmup 3 --duration 15 --connections 4

echo "results in $OUT"
