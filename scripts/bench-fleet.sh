#!/usr/bin/env bash
# What Redis-backed limits and budgets cost a chat call, side by side in one run: three
# gateways on the same simulator, measured in turn with the same load —
#   plain      no keys file (no rate limit, no budget: the default)
#   memory     keys file + rate limit + per-caller slots + budget, in memory (one replica)
#   redis      the same, shared through a local redis-server (GATEWAY_REDIS_URL)
#   before     (only with BEFORE_JAR=<an older gateway.jar>) the same as redis, on that build,
#              under its own key prefix: a change's cost before and after in one run
# and for each: latency at concurrency 1 (the added latency) and at concurrency 8, the
# gateway's CPU time per call, and (redis) redis-server's CPU per call. docs/BENCHMARKS.md
# records the figures. Needs the jars (mvn -B -q -DskipTests package), redis-server and curl.
# Usage: scripts/bench-fleet.sh [results-dir]      (about 6 minutes on 2 cores; WARMUP and
# SECONDS_RUN shorten it, ROUNDS=1 runs one round)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench-results/fleet-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
GATEWAY_JAR=${GATEWAY_JAR:-server/target/gateway.jar}
CLI_JAR=${CLI_JAR:-tools/target/gateway-cli.jar}
for jar in "$GATEWAY_JAR" "$CLI_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: run mvn -B -q -DskipTests package first" >&2; exit 1; }
done
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (reads the gateways' /metrics)" >&2; exit 1; }
JAVA=${JAVA:-java}
SIM_PORT=${SIM_PORT:-18190}
REDIS_PORT=${REDIS_PORT:-18379}
SIM_URL="http://127.0.0.1:$SIM_PORT/api/v1"
declare -A PORT=([plain]=18151 [memory]=18152 [redis]=18153 [before]=18154)
declare -A METRICS=([plain]=18161 [memory]=18162 [redis]=18163 [before]=18164)
NAMES="plain memory redis"
BEFORE_JAR=${BEFORE_JAR:-}
if [ -n "$BEFORE_JAR" ]; then
  [ -f "$BEFORE_JAR" ] || { echo "missing BEFORE_JAR $BEFORE_JAR" >&2; exit 1; }
  NAMES="$NAMES before"
fi
WARMUP=${WARMUP:-20}
SECONDS_RUN=${SECONDS_RUN:-15}
BENCH_KEY="bench-key-0123456789"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
seconds() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t/hz}'; }
# Calls the gateway started (its own grpc_server_call_started_total, health checks excluded), so
# CPU per call divides by the exact number of calls in the CPU window (load generator warm-up included).
calls_started() { curl -s --max-time 10 "http://127.0.0.1:$1/metrics" |
  awk '/^grpc_server_call_started_total/ && !/Health/ {n += $NF} END {printf "%d", n}'; }
per_call_us() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN{if (n > 0) printf "%.0f", t / hz / n * 1e6; else print "?"}'; }

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "loadavg at start: $(cat /proc/loadavg)"
  echo "jvm: $("$JAVA" -version 2>&1 | head -1)"
  echo "redis: $(redis-server --version)"
  echo "gateway: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  [ -z "$BEFORE_JAR" ] || echo "before: $BEFORE_JAR ($(unzip -p "$BEFORE_JAR" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' | grep -i '^Implementation-Version' || echo 'no version'))"
  echo "note: load generator, gateways, simulator and Redis share this machine"
} | tee "$OUT/env.txt"

"$JAVA" -Xmx1g -cp "$GATEWAY_JAR" openrouter.gateway.simulator.SimulatorMain --port "$SIM_PORT" > "$OUT/simulator.log" 2>&1 &
pids+=($!)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no > "$OUT/redis.log" 2>&1 &
REDIS_PID=$!
pids+=($REDIS_PID)
for _ in $(seq 1 100); do grep -q listening "$OUT/simulator.log" && break; sleep 0.1; done

# One caller whose limits never refuse the benchmark, so every call pays for the checks.
printf 'bench %s chat=100000000/1s streams=10000 budget=1000000/1d\n' \
  "$(printf %s "$BENCH_KEY" | sha256sum | cut -d' ' -f1)" > "$OUT/keys.txt"
KEY="sk-or-v1-$(printf '0%.0s' $(seq 1 64))"
declare -A GW_PID
start_gw() { # name, extra env...
  local name=$1; shift
  local jar=$GATEWAY_JAR; [ "$name" != before ] || jar=$BEFORE_JAR
  env OPENROUTER_API_KEY="$KEY" OPENROUTER_BASE_URL="$SIM_URL" GATEWAY_PORT="${PORT[$name]}" \
    GATEWAY_METRICS_PORT="${METRICS[$name]}" GATEWAY_HEALTH_PROBE_INTERVAL_MS=0 OPENROUTER_MAX_RETRIES=0 GATEWAY_ACCESS_LOG=errors "$@" \
    "$JAVA" -Xmx768m -jar "$jar" > "$OUT/gateway-$name.log" 2>&1 &
  GW_PID[$name]=$!
  pids+=($!)
  # Listening (bounded: 3 minutes on a busy machine); the warm-up below follows anyway.
  for _ in $(seq 1 1800); do (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$name]}") 2>/dev/null && return; sleep 0.1; done
  echo "gateway $name did not start: $OUT/gateway-$name.log" >&2; exit 1
}
start_gw plain
start_gw memory GATEWAY_API_KEYS_FILE="$OUT/keys.txt"
start_gw redis GATEWAY_API_KEYS_FILE="$OUT/keys.txt" GATEWAY_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
[ -z "$BEFORE_JAR" ] || start_gw before GATEWAY_API_KEYS_FILE="$OUT/keys.txt" \
  GATEWAY_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" GATEWAY_REDIS_KEY_PREFIX="before:"

loadgen() { # name, then loadgen args
  local name=$1; shift
  local key=(); [ "$name" = plain ] || key=(--gateway-key "$BENCH_KEY")
  "$JAVA" -Xms512m -Xmx2g -cp "$CLI_JAR" openrouter.gateway.tools.loadgen.LoadGen --target "127.0.0.1:${PORT[$name]}" "${key[@]}" "$@"
}

echo "== warm-up, each gateway (not measured)"
for name in $NAMES; do
  loadgen "$name" --scenario unary --concurrency 4 --requests 1000000 --warmup 0 --duration "$WARMUP" --chunks 16 > "$OUT/warmup-$name.txt"
done

run() { # name label, then loadgen args; gateway (and Redis) CPU per call
  local name=$1 label=$2; shift 2
  local c0 g0 r0; c0=$(calls_started "${METRICS[$name]}"); g0=$(cpu_ticks "${GW_PID[$name]}"); r0=$(cpu_ticks "$REDIS_PID")
  loadgen "$name" --label "$label-$name" --json "$OUT/$label-$name.json" "$@" | tee "$OUT/$label-$name.txt"
  local g=$(( $(cpu_ticks "${GW_PID[$name]}") - g0 )) r=$(( $(cpu_ticks "$REDIS_PID") - r0 ))
  local c=$(( $(calls_started "${METRICS[$name]}") - c0 ))
  echo "gateway CPU during the run: $(seconds $g) s over $c calls: $(per_call_us $g $c) us per call; redis-server CPU: $(seconds $r) s: $(per_call_us $r $c) us per call" | tee -a "$OUT/$label-$name.txt"
}
# Interleaved, ROUNDS times (default 2), so a drift of the machine's load shows up as a difference between rounds.
for round in $(seq 1 "${ROUNDS:-2}"); do
  for name in $NAMES; do
    run "$name" "r$round-unary-c1" --scenario unary --concurrency 1 --requests 1000000 --warmup 5 --duration "$SECONDS_RUN" --chunks 16
  done
  for name in $NAMES; do
    run "$name" "r$round-unary-c8" --scenario unary --concurrency 8 --requests 1000000 --warmup 3 --duration "$SECONDS_RUN" --chunks 16 --connections 2
  done
done
echo "results in $OUT"
