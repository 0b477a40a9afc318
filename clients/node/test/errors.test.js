'use strict';
// Decoding grpc-status-details-bin, on trailers built here with the google.rpc types.
const test = require('node:test');
const assert = require('node:assert/strict');
const grpc = require('@grpc/grpc-js');
const { load } = require('../src/protos');
const { GatewayError } = require('../src/errors');

function any(typeName, object) {
  const type = load().rpcRoot.lookupType(typeName);
  return { type_url: `type.googleapis.com/${typeName}`, value: type.encode(type.fromObject(object)).finish() };
}

function trailersWith(details) {
  const Status = load().rpcRoot.lookupType('google.rpc.Status');
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(Status.encode(Status.fromObject({ code: 8, message: 'slow down', details })).finish()));
  return metadata;
}

test('ErrorInfo, RetryInfo and BadRequest are decoded from the trailer', () => {
  const error = new GatewayError({
    code: grpc.status.RESOURCE_EXHAUSTED,
    details: 'slow down',
    metadata: trailersWith([
      any('google.rpc.ErrorInfo', { reason: 'RATE_LIMIT_EXCEEDED', domain: 'openrouter.ai', metadata: { httpStatus: '429' } }),
      any('google.rpc.RetryInfo', { retryDelay: { seconds: 2, nanos: 500_000_000 } }),
      any('google.rpc.BadRequest', { fieldViolations: [{ field: 'temperature', description: 'at most 2' }] }),
    ]),
  });
  assert.equal(error.codeName, 'RESOURCE_EXHAUSTED');
  assert.equal(error.reason, 'RATE_LIMIT_EXCEEDED');
  assert.equal(error.domain, 'openrouter.ai');
  assert.deepEqual(error.metadata, { httpStatus: '429' });
  assert.equal(error.retryDelayMs, 2500);
  assert.deepEqual(error.fieldViolations.map((v) => v.field), ['temperature']);
  assert.equal(error.message, 'RESOURCE_EXHAUSTED (RATE_LIMIT_EXCEEDED): slow down');
});

test('a detail of an unknown type is kept as bytes', () => {
  const error = new GatewayError({
    code: grpc.status.INTERNAL,
    details: 'x',
    metadata: trailersWith([{ type_url: 'type.googleapis.com/example.Unknown', value: Buffer.from([1, 2, 3]) }]),
  });
  assert.equal(error.reason, '');
  assert.deepEqual(error.details, [{ '@type': 'example.Unknown', value: Buffer.from([1, 2, 3]) }]);
});

test('a status without details still gives its code', () => {
  const error = new GatewayError({ code: grpc.status.UNAVAILABLE, details: 'connection refused', metadata: new grpc.Metadata() });
  assert.equal(error.codeName, 'UNAVAILABLE');
  assert.equal(error.reason, '');
  assert.equal(error.retryDelayMs, null);
  assert.deepEqual(error.metadata, {});
});

test('a failed chat call exposes its generation id, tokens and cost', () => {
  const error = new GatewayError({
    code: grpc.status.DEADLINE_EXCEEDED,
    details: 'deadline',
    metadata: trailersWith([
      any('google.rpc.ErrorInfo', { reason: 'DEADLINE_EXCEEDED', domain: 'openrouter-grpc-gateway',
        metadata: { generationId: 'gen-1', promptTokens: '12', completionTokens: '34', costUsd: '0.000123' } }),
    ]),
  });
  assert.equal(error.generationId, 'gen-1');
  assert.equal(error.promptTokens, 12);
  assert.equal(error.completionTokens, 34);
  assert.equal(error.costUsd, '0.000123');
  const bare = new GatewayError({ code: grpc.status.UNAVAILABLE, details: 'x', metadata: new grpc.Metadata() });
  assert.equal(bare.generationId, null);
  assert.equal(bare.costUsd, null);
  assert.equal(bare.promptTokens, null);
});
