#!/usr/bin/env bash
# Decodes a grpc-status-details-bin trailer (base64, as `buf curl -v` prints it) into the
# google.rpc.Status JSON with every detail (ErrorInfo, RetryInfo, BadRequest, ...) spelled out.
#   npx buf curl -v ... 2>&1 | scripts/grpc-status-details.sh     # finds the trailer line
#   scripts/grpc-status-details.sh CAgSKVJhdGUgbGlt...              # or pass the value
# Needs python3 and npm ci at the root (buf).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if (($# > 0)); then
  value=$1
else
  value=$(sed -n 's/^.*[Gg]rpc-[Ss]tatus-[Dd]etails-[Bb]in: *//p' | head -n 1)
fi
[[ -n ${value//[[:space:]]/} ]] || { echo "no grpc-status-details-bin value found" >&2; exit 1; }
binary=$(mktemp)
trap 'rm -f "$binary"' EXIT
# gRPC sends binary headers as base64 without padding.
python3 -c 'import base64, sys; v = sys.argv[1].strip(); sys.stdout.buffer.write(base64.b64decode(v + "=" * (-len(v) % 4)))' \
  "$value" >"$binary"
cd "$root"
npx --no-install buf convert clients/protos --type google.rpc.Status --from "$binary#format=binpb" --to "-#format=json"
echo
