'use strict';
// Loads the gateway's contracts from the repository's proto/ folder at run time (no code
// generation), plus the few standard protos the client needs: grpc.health.v1, grpc.reflection.v1,
// and google.rpc.Status / error_details to decode the grpc-status-details-bin trailer.
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const PROTO_DIR = path.resolve(__dirname, '..', '..', '..', 'proto');
// Vendored copies of Apache-2.0 protos from googleapis and grpc (see clients/protos/README.md).
const VENDORED_DIR = path.resolve(__dirname, '..', '..', 'protos');
const INCLUDE_DIRS = [PROTO_DIR, VENDORED_DIR];

const GATEWAY_FILES = [
  'openrouter/gateway/v1/chat.proto',
  'openrouter/gateway/v1/models.proto',
  'openrouter/gateway/v1/credits.proto',
  'openrouter/gateway/v1/health.proto',
  'openrouter/gateway/v1/embeddings.proto',
  'grpc/health/v1/health.proto',
  'grpc/reflection/v1/reflection.proto',
];

// Plain JS objects in and out: lowerCamel field names (as in proto3 JSON), enums as their
// names, 64-bit integers as strings (no precision loss), unset fields as their defaults, and a
// virtual field naming the set member of each oneof (e.g. StreamChatResponse.event).
const LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: INCLUDE_DIRS,
};

let cached;

/** The service constructors and the google.rpc types, loaded once. */
function load() {
  if (!cached) {
    const definition = protoLoader.loadSync(GATEWAY_FILES, LOADER_OPTIONS);
    const services = grpc.loadPackageDefinition(definition);
    const rpcRoot = new protobuf.Root();
    rpcRoot.resolvePath = (origin, target) => {
      for (const dir of INCLUDE_DIRS) {
        const candidate = path.join(dir, target);
        if (require('node:fs').existsSync(candidate)) return candidate;
      }
      return target; // google/protobuf/*.proto: protobufjs has them built in
    };
    rpcRoot.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
    rpcRoot.resolveAll();
    cached = { services, rpcRoot };
  }
  return cached;
}

module.exports = { load, PROTO_DIR, VENDORED_DIR, LOADER_OPTIONS };
