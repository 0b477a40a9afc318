#!/usr/bin/env bash
# Cross-language conformance: one gateway process serving from its built-in simulator, and the
# Java, Node and Python clients each running clients/conformance/scenarios.json against it
# (then the Node and Python clients' own test suites, and a smoke test of the CLI jar).
#
# Builds nothing. Needs server/target/gateway.jar and tools/target/gateway-cli.jar
# (mvn package), clients/node/node_modules (npm ci), and Debian's python3-grpcio,
# python3-protobuf, protobuf-compiler and protobuf-compiler-grpc. Runs every part even when
# one fails, and fails if any did.
set -uo pipefail
cd "$(dirname "$0")/.."

GATEWAY_JAR=server/target/gateway.jar
CLI_JAR=tools/target/gateway-cli.jar
SCENARIOS=clients/conformance/scenarios.json
PYTHON=/usr/bin/python3

for f in "$GATEWAY_JAR" "$CLI_JAR"; do
  [[ -f $f ]] || { echo "conformance: $f is missing; build it first (mvn -B -DskipTests package)" >&2; exit 1; }
done
[[ -d clients/node/node_modules ]] || { echo "conformance: run npm ci in clients/node first" >&2; exit 1; }

# The Python client's generated modules (clients/python/gen), with a clear error if protoc or
# the gRPC Python plugin is missing.
"$PYTHON" clients/python/generate.py >/dev/null || exit 1

port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target="127.0.0.1:$port"
log=$(mktemp -t conformance-gateway.XXXXXX.log)

# The simulator (no key, no base URL), metrics on any free port (never 9464: other suites may
# run beside this one), no upstream retries so the 429 reaches the clients at
# once, and a short drain on stop. No background upstream probe: the scenarios expect
# OVERALL_STATUS_SERVING, and on a busy machine a probe of the cold in-process simulator can
# outlast its 5 s limit and leave the health DEGRADED for 30 s (the probe has its own tests).
env -u OPENROUTER_API_KEY -u OPENROUTER_BASE_URL \
  GATEWAY_HOST=127.0.0.1 GATEWAY_PORT="$port" GATEWAY_METRICS_PORT=0 OPENROUTER_MAX_RETRIES=0 GATEWAY_SHUTDOWN_GRACE_MS=2000 \
  GATEWAY_HEALTH_PROBE_INTERVAL_MS=0 \
  java -jar "$GATEWAY_JAR" >"$log" 2>&1 &
gateway_pid=$!

stop_gateway() {
  if kill -0 "$gateway_pid" 2>/dev/null; then
    kill -TERM "$gateway_pid" 2>/dev/null
    wait "$gateway_pid" 2>/dev/null
  fi
}
trap stop_gateway EXIT

# Wait (at most 180 s: a cold JVM on a busy machine; the bound only fails a gateway that never
# serves) for the standard health service to say SERVING.
serving=false
wait_until=$((SECONDS + 180))
while ((SECONDS < wait_until)); do
  if ! kill -0 "$gateway_pid" 2>/dev/null; then
    break
  fi
  if (cd clients/python && "$PYTHON" -c "
import sys
from gateway_client import GatewayClient, GatewayError
with GatewayClient('$target', read_timeout=1, retries=False) as c:
    try:
        sys.exit(0 if c.serving_status('') == 'SERVING' else 1)
    except GatewayError:
        sys.exit(1)
" 2>/dev/null); then
    serving=true
    break
  fi
  sleep 0.5
done
if [[ $serving != true ]]; then
  echo "conformance: the gateway did not become SERVING on $target; its log:" >&2
  cat "$log" >&2
  exit 1
fi
echo "== conformance: gateway SERVING on $target (simulator, OPENROUTER_MAX_RETRIES=0)"

failed=()
run() {
  local name=$1
  shift
  echo "== conformance: $name"
  if ! "$@"; then
    failed+=("$name")
  fi
}

run "java runner" java -cp "$CLI_JAR" openrouter.gateway.tools.conformance.ConformanceRunner \
  --target "$target" --scenarios "$SCENARIOS"
run "node runner" node clients/node/conformance.js --target "$target" --scenarios "$SCENARIOS"
run "python runner" "$PYTHON" clients/python/conformance.py --target "$target" --scenarios "$SCENARIOS"

cli_smoke() {
  local out
  out=$(java -jar "$CLI_JAR" --target "$target" chat -m sim/echo "the cli jar streams") || return 1
  [[ $out == "the cli jar streams" ]] || { echo "cli chat printed: $out" >&2; return 1; }
  java -jar "$CLI_JAR" --target "$target" health >/dev/null
  out=$(java -jar "$CLI_JAR" --target "$target" embed -m sim/embed "the cli embeds") || return 1
  grep -q "model sim/embed" <<<"$out" || { echo "cli embed printed: $out" >&2; return 1; }
  out=$(java -jar "$CLI_JAR" --target "$target" endpoints sim/echo) || return 1
  grep -q "disabled" <<<"$out" || { echo "cli endpoints printed: $out" >&2; return 1; }
  out=$(java -jar "$CLI_JAR" --target "$target" providers) || return 1
  grep -q "simcloud" <<<"$out" || { echo "cli providers printed: $out" >&2; return 1; }
}
run "cli jar smoke test" cli_smoke
# The buf curl recipes of docs/clients.md, against the same gateway.
buf_curl_recipes() {
  local url="http://$target" curl=(npx --no-install buf curl --protocol grpc --http2-prior-knowledge) out
  export NPM_CONFIG_LOGLEVEL=error
  # Outputs are captured before grep -q, which would otherwise cut the pipe (pipefail).
  out=$("${curl[@]}" --list-methods "$url") && grep -qx "openrouter.gateway.v1.ChatService/StreamChat" <<<"$out" \
    || { echo "buf curl --list-methods: $out" >&2; return 1; }
  out=$("${curl[@]}" "$url/grpc.health.v1.Health/Check") && grep -q '"status": "SERVING"' <<<"$out" \
    || { echo "buf curl Health/Check: $out" >&2; return 1; }
  out=$("${curl[@]}" -d '{"model":"sim/echo","messages":[{"role":"ROLE_USER","content":"hi there"}]}' \
    "$url/openrouter.gateway.v1.ChatService/StreamChat") && grep -q '"finishReason": "stop"' <<<"$out" \
    || { echo "buf curl StreamChat: $out" >&2; return 1; }
  out=$("${curl[@]}" -v -d '{"model":"sim/error-429","messages":[{"role":"ROLE_USER","content":"hi"}]}' \
    "$url/openrouter.gateway.v1.ChatService/Chat" 2>&1)
  out=$(bash scripts/grpc-status-details.sh <<<"$out") && grep -q '"reason":"RATE_LIMIT_EXCEEDED"' <<<"$out" \
    && grep -q '"retryDelay":"2s"' <<<"$out" || { echo "decoded details: $out" >&2; return 1; }
  out=$("${curl[@]}" -d '{"model":"sim/embed","inputs":[{"text":"hello"},{"text":"world"}],"dimensions":8}' \
    "$url/openrouter.gateway.v1.EmbeddingsService/Embed") && grep -q '"index": 1' <<<"$out" \
    || { echo "buf curl Embed: $out" >&2; return 1; }
  out=$("${curl[@]}" -d '{"pageSize":10}' "$url/openrouter.gateway.v1.EmbeddingsService/ListEmbeddingModels") \
    && grep -q '"id": "sim/embed"' <<<"$out" || { echo "buf curl ListEmbeddingModels: $out" >&2; return 1; }
  out=$("${curl[@]}" -d '{"model":"sim/echo"}' "$url/openrouter.gateway.v1.ModelsService/ListModelEndpoints") \
    && grep -q '"status": "ENDPOINT_STATUS_OK"' <<<"$out" || { echo "buf curl ListModelEndpoints: $out" >&2; return 1; }
  out=$("${curl[@]}" "$url/openrouter.gateway.v1.ModelsService/ListProviders") \
    && grep -q '"slug": "simcloud"' <<<"$out" || { echo "buf curl ListProviders: $out" >&2; return 1; }
  out=$("${curl[@]}" -d '{"availableToKey":true,"pageSize":5}' "$url/openrouter.gateway.v1.ModelsService/ListModels") \
    && grep -q '"nextPageToken"' <<<"$out" || { echo "buf curl ListModels availableToKey: $out" >&2; return 1; }
}
run "buf curl recipes" buf_curl_recipes
run "node client tests" env GATEWAY_TARGET="$target" bash -c 'cd clients/node && node --test test/'
run "python client tests" env GATEWAY_TARGET="$target" bash -c \
  "cd clients/python && $PYTHON -m unittest discover -s tests -t ."

stop_gateway
if ((${#failed[@]} > 0)); then
  echo "conformance: FAILED: ${failed[*]} (gateway log: $log)" >&2
  exit 1
fi
rm -f "$log"
echo "conformance: every client passed"
