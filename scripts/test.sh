#!/usr/bin/env bash
# The project's one test command (README "Set up"; CI runs it through .ci/run).
# Installs the Node tools and the Node client's packages from their committed lock files, lints
# the contracts, builds and runs every Maven test, checks the stubs buf.gen.yaml generates for
# Go, Python and TypeScript, then runs the cross-language conformance suite against a gateway
# process, and every command README.md and docs/*.md show against another (doc-examples.py).
# Installs what it needs when missing: Debian's python3-grpcio, python3-protobuf,
# protobuf-compiler, protobuf-compiler-grpc, protoc-gen-go, protoc-gen-go-grpc and curl, and
# redis-server and nginx (the tests of several replicas start their own, on free ports).
set -euo pipefail
cd "$(dirname "$0")/.."

# dpkg -s answers at once when they are all installed already.
debian_packages=(python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc
  protoc-gen-go protoc-gen-go-grpc curl redis-server nginx)
if ! dpkg -s "${debian_packages[@]}" >/dev/null 2>&1; then
  echo "== apt-get install ${debian_packages[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debian_packages[@]}"
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debian_packages[@]}"
  fi
fi

echo "== npm ci (buf and protoc-gen-es, from package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error

echo "== npm ci (clients/node, from its package-lock.json)"
(cd clients/node && npm ci --no-audit --no-fund --loglevel=error)

echo "== buf lint proto"
npx --no-install buf lint proto

echo "== mvn verify"
mvn -B -ntp verify

echo "== stubs for other languages (buf.gen.yaml)"
bash scripts/check-stubs.sh

echo "== cross-language conformance"
bash scripts/conformance.sh

echo "== the commands README.md and docs/ show (scripts/doc-examples.py)"
python3 scripts/doc-examples.py
