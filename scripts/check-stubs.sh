#!/usr/bin/env bash
# Generates the Go, Python and TypeScript stubs with buf.gen.yaml (into gen/, git-ignored) and
# checks them: the TypeScript type-checks against @bufbuild/protobuf, the Python imports and
# round-trips a ChatRequest on Debian's python3-protobuf and python3-grpcio, and the Go files
# carry the package and the gRPC clients (no Go toolchain here to compile them).
# Needs: npm ci at the root (buf, protoc-gen-es, tsc), and protoc, grpc_python_plugin,
# protoc-gen-go, protoc-gen-go-grpc on PATH (.ci/run installs them from Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

rm -rf gen
npx --no-install buf generate --template buf.gen.yaml

npx --no-install tsc --noEmit --strict --target es2022 --module esnext --moduleResolution bundler \
  --skipLibCheck gen/ts/openrouter/gateway/v1/*.ts

(cd gen/python && /usr/bin/python3 - <<'PY'
from openrouter.gateway.v1 import chat_pb2, chat_pb2_grpc, credits_pb2_grpc, embeddings_pb2_grpc, health_pb2_grpc, models_pb2_grpc
request = chat_pb2.ChatRequest(model="sim/echo", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content="hi")])
assert chat_pb2.ChatRequest.FromString(request.SerializeToString()) == request
for stub in (chat_pb2_grpc.ChatServiceStub, models_pb2_grpc.ModelsServiceStub,
             credits_pb2_grpc.CreditsServiceStub, health_pb2_grpc.HealthServiceStub,
             embeddings_pb2_grpc.EmbeddingsServiceStub):
    assert callable(stub)
PY
)

for service in ChatService ModelsService CreditsService HealthService EmbeddingsService; do
  grep -q "^package gatewayv1$" gen/go/openrouter/gateway/v1/*_grpc.pb.go
  grep -q "func New${service}Client" gen/go/openrouter/gateway/v1/*_grpc.pb.go \
    || { echo "Go stubs lack New${service}Client" >&2; exit 1; }
done
echo "stubs: Go, Python and TypeScript generated from proto/ and checked"
