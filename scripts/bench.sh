#!/usr/bin/env bash
# Reproducible benchmarks of the gateway against the simulator, side by side with direct calls
# to the same simulator (docs/BENCHMARKS.md records the figures). Needs the jars:
#   mvn -B -q -DskipTests package
# Usage: scripts/bench.sh [results-dir]     (about 10 minutes on 2 cores)
#   GATEWAY_JAVA=/path/to/java   JVM for the gateway (default: $JAVA or java). On Java 21+ the
#                                gateway reads upstream streams on virtual threads.
#   GATEWAY_JVM_OPTS="..."       extra JVM options for the gateway (default: -Xmx768m)
# Everything listens on 127.0.0.1; every run is bounded by a request count and a duration.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
GATEWAY_JAR=server/target/gateway.jar
CLI_JAR=tools/target/gateway-cli.jar
for jar in "$GATEWAY_JAR" "$CLI_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: run mvn -B -q -DskipTests package first" >&2; exit 1; }
done
JAVA=${JAVA:-java}
GATEWAY_JAVA=${GATEWAY_JAVA:-$JAVA}
GATEWAY_JVM_OPTS=${GATEWAY_JVM_OPTS:--Xmx768m}
SIM_PORT=${SIM_PORT:-18090}
GW_PORT=${GW_PORT:-18051}
METRICS_PORT=${METRICS_PORT:-19464}
SIM_URL="http://127.0.0.1:$SIM_PORT/api/v1"
LOADGEN=("$JAVA" -Xms1g -Xmx4g -cp "$CLI_JAR" openrouter.gateway.tools.loadgen.LoadGen --target "127.0.0.1:$GW_PORT")
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "cpu: $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')"
  echo "jvm: $("$JAVA" -version 2>&1 | head -1) (load generator, simulator)"
  echo "gateway jvm: $("$GATEWAY_JAVA" -version 2>&1 | head -1) $GATEWAY_JVM_OPTS"
  echo "gateway: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "note: load generator, gateway and simulator share this machine"
} | tee "$OUT/env.txt"

echo "== simulator on :$SIM_PORT"
"$JAVA" -Xmx2g -cp "$GATEWAY_JAR" openrouter.gateway.simulator.SimulatorMain --port "$SIM_PORT" > "$OUT/simulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q listening "$OUT/simulator.log" && break; sleep 0.1; done

KEY="sk-or-v1-$(printf '0%.0s' $(seq 1 64))"
GW_ENV=(env OPENROUTER_API_KEY="$KEY" OPENROUTER_BASE_URL="$SIM_URL" GATEWAY_PORT=$GW_PORT
  GATEWAY_METRICS_PORT=$METRICS_PORT GATEWAY_MAX_CONCURRENT_STREAMS=20000 OPENROUTER_MAX_RETRIES=0)
# WaitServing launches the gateway itself and prints "<pid> <ms from launch to health SERVING>".
launch() { "${GW_ENV[@]}" "$JAVA" -cp "$CLI_JAR" openrouter.gateway.tools.loadgen.WaitServing "127.0.0.1:$GW_PORT" "$OUT/gateway.log" "$@"; }
stop_gw() { kill "$1" 2>/dev/null || true; while kill -0 "$1" 2>/dev/null; do sleep 0.05; done; }

echo "== start-up: launch to health SERVING, 3 runs each, plain JVM and with an AppCDS archive"
CDS="$OUT/gateway.jsa"
read -r p _ < <(launch "$GATEWAY_JAVA" -XX:ArchiveClassesAtExit="$CDS" -jar "$GATEWAY_JAR")
"${LOADGEN[@]}" --scenario unary --requests 200 --warmup 0 --duration 5 > /dev/null  # exercise the call path
stop_gw "$p"
plain=(); cds=()
for i in 1 2 3; do
  read -r p ms < <(launch "$GATEWAY_JAVA" -jar "$GATEWAY_JAR"); plain+=("$ms"); stop_gw "$p"
  read -r p ms < <(launch "$GATEWAY_JAVA" -XX:SharedArchiveFile="$CDS" -jar "$GATEWAY_JAR"); cds+=("$ms"); stop_gw "$p"
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
echo "start-up ms: plain ${plain[*]} (median $(median "${plain[@]}")); AppCDS ${cds[*]} (median $(median "${cds[@]}"))" | tee "$OUT/startup.txt"

# The gateway the load runs go through (AppCDS, GATEWAY_JVM_OPTS, the settings in GW_ENV).
start_load_gw() {
  read -r GW_PID _ < <(launch "$GATEWAY_JAVA" -XX:SharedArchiveFile="$CDS" $GATEWAY_JVM_OPTS -jar "$GATEWAY_JAR")
  pids+=("$GW_PID")
}
echo "== gateway on :$GW_PORT for the load runs (AppCDS), idle RSS"
start_load_gw
sleep 5
idle_rss=$(rss_mb "$GW_PID")
echo "idle RSS after start-up: ${idle_rss} MB" | tee -a "$OUT/startup.txt"
printf '{"startupMsPlain":[%s],"startupMsAppCds":[%s],"idleRssMb":%s}\n' "$(IFS=,; echo "${plain[*]}")" "$(IFS=,; echo "${cds[*]}")" "$idle_rss" > "$OUT/startup.json"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # name, then loadgen args; also records the gateway's CPU time during the run
  local name=$1; shift
  echo "== $name"
  local before; before=$(cpu_ticks "$GW_PID")
  "${LOADGEN[@]}" --label "$name" --json "$OUT/$name.json" "$@" | tee "$OUT/$name.txt"
  echo "gateway CPU during the run: $(awk -v t=$(( $(cpu_ticks "$GW_PID") - before )) -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t/hz}') s" | tee -a "$OUT/$name.txt"
}

# 10,000 streams held open at once: 20 chunks 1 s apart (each stream lasts about 20 s), so
# the 10,000 streams carry 10,000 chunks/s in total, which two shared cores sustain (64 chunks
# 100 ms apart would be 100,000 chunks/s: a CPU test, not a test of holding streams). Samples
# every second: gateway RSS, StreamChat calls active in the gateway, upstream connections.
streams_10k() { # name
  local name=$1
  ( peak_rss=0; peak_calls=0; peak_conns=0
    for _ in $(seq 1 60); do
      r=$(rss_mb "$GW_PID" 2>/dev/null || echo 0)
      c=$(curl -s "127.0.0.1:$METRICS_PORT/metrics" | awk '/^grpc_server_active_calls.*StreamChat/ {print int($2)}')
      n=$(ss -tnH state established "( dport = :$SIM_PORT )" | wc -l)
      peak_rss=$(awk -v a="$peak_rss" -v b="$r" 'BEGIN{print (b>a)?b:a}')
      peak_calls=$(( ${c:-0} > peak_calls ? ${c:-0} : peak_calls ))
      peak_conns=$(( n > peak_conns ? n : peak_conns ))
      printf '{"peakRssMb":%s,"peakActiveStreams":%s,"peakUpstreamConnections":%s}\n' "$peak_rss" "$peak_calls" "$peak_conns" > "$OUT/$name-peaks.json"
      sleep 1
    done ) &
  local sampler=$!
  run "$name" --scenario stream --concurrency 10000 --requests 10000 --warmup 0 --duration 60 --chunks 20 --chunk-delay-ms 1000 --connections 8 --deadline 90
  wait $sampler || true
  echo "peaks during 10k streams: $(cat "$OUT/$name-peaks.json")" | tee -a "$OUT/$name.txt"
}

# JIT warm-up, not measured: a fresh JVM runs the call paths interpreted or half-compiled, and
# C2 kept compiling for a minute (JFR and per-thread CPU showed C2 using half the gateway's CPU
# during a 15 s streaming run that followed a 25 s warm-up). Steady state is what we report.
echo "== warm-up (about 70 s, not measured)"
"${LOADGEN[@]}" --scenario unary --concurrency 4 --requests 400000 --warmup 0 --duration 20 --chunks 16 > "$OUT/warmup.txt"
"${LOADGEN[@]}" --scenario stream --concurrency 4 --requests 400000 --warmup 0 --duration 15 --chunks 4 >> "$OUT/warmup.txt"
"${LOADGEN[@]}" --scenario stream --concurrency 50 --requests 400000 --warmup 0 --duration 25 --chunks 64 --chunk-delay-ms 20 >> "$OUT/warmup.txt"
"${LOADGEN[@]}" --scenario models --concurrency 8 --requests 400000 --warmup 0 --duration 10 >> "$OUT/warmup.txt"

# 1. Added latency, unary, concurrency 1, instant upstream: gateway, then direct.
#    Each load generator is a fresh JVM: 10 s of its own warm-up before measuring. The health
#    check is the floor: one gRPC unary round trip with no work behind it.
run unary-c1-gateway --scenario unary --concurrency 1 --requests 400000 --warmup 10 --duration 20 --chunks 16
run unary-c1-direct  --scenario unary --concurrency 1 --requests 400000 --warmup 10 --duration 20 --chunks 16 --direct "$SIM_URL"
run health-c1        --scenario health --concurrency 1 --requests 400000 --warmup 10 --duration 10

# 2. Throughput frontier: open loop at rising rates until p99 > 5 ms or errors.
for r in 1000 2000 3000 4000 5000 6000; do
  run "unary-open-$r" --scenario unary --rate "$r" --requests $((r * 13)) --warmup 3 --duration 10 --connections 4 --chunks 16
done

# 3. Streaming, 64 chunks 20 ms apart: gateway, then direct.
run stream-64x20ms-gateway --scenario stream --concurrency 50 --requests 3000 --warmup 3 --duration 20 --chunks 64 --chunk-delay-ms 20
run stream-64x20ms-direct  --scenario stream --concurrency 50 --requests 3000 --warmup 3 --duration 20 --chunks 64 --chunk-delay-ms 20 --direct "$SIM_URL"

# 4. 10,000 streams held open at once, upstream over HTTP/1.1 (one connection per stream).
streams_10k streams-10k

# 5. Cached ListModels at concurrency 32.
run models-c32 --scenario models --concurrency 32 --requests 2000000 --warmup 5 --duration 15 --connections 4

# 6. The same with access lines for failed calls only (GATEWAY_ACCESS_LOG=errors): what the
#    per-call access line costs a cheap call.
stop_gw "$GW_PID"
GW_ENV+=(GATEWAY_ACCESS_LOG=errors)
start_load_gw
"${LOADGEN[@]}" --scenario models --concurrency 8 --requests 2000000 --warmup 0 --duration 10 > /dev/null  # warm-up
run models-c32-access-errors-only --scenario models --concurrency 32 --requests 2000000 --warmup 5 --duration 15 --connections 4

# 7. 10,000 streams again, on a gateway that speaks h2c to the simulator: all streams share one
#    upstream connection, as they do with OpenRouter over TLS (HTTP/2 by ALPN).
stop_gw "$GW_PID"
GW_ENV+=(GATEWAY_ACCESS_LOG=all OPENROUTER_HTTP2_PRIOR_KNOWLEDGE=true)
start_load_gw
streams_10k streams-10k-h2c

echo "results in $OUT"
