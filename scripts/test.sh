#!/usr/bin/env bash
# The project's one test command (README "Run the tests"; CI runs it through .ci/run).
# Installs the Node tools it needs from the committed lock file, lints the contracts, then
# builds and runs every Maven test.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== npm ci (buf, from package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error

echo "== buf lint proto"
npx --no-install buf lint proto

echo "== mvn verify"
mvn -B -ntp verify
