'use strict';
// The Node client against a real gateway serving from its simulator, and against a scripted
// grpc-js server for the retry policy and the API key header.
const test = require('node:test');
const assert = require('node:assert/strict');
const grpc = require('@grpc/grpc-js');
const { GatewayClient, GatewayError, ChatAccumulator } = require('../src/client');
const { load } = require('../src/protos');
const { runScenarios, loadScenarios } = require('../conformance');
const { startGateway } = require('../testing/gateway');

const user = (model, content, extra = {}) => ({ model, messages: [{ role: 'ROLE_USER', content }], ...extra });

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: 'expected a rejection' });
}

test('against a gateway', async (t) => {
  const gateway = await startGateway();
  const client = new GatewayClient(gateway.target);
  t.after(async () => {
    client.close();
    await gateway.stop();
  });

  await t.test('streamChat yields deltas then the summary', async () => {
    const events = [];
    const answer = new ChatAccumulator();
    for await (const m of client.streamChat(user('sim/echo', 'streamed to node'))) {
      events.push(m.event);
      if (m.event === 'delta') answer.add(m.delta);
    }
    assert.deepEqual(events, ['delta', 'delta', 'delta', 'summary']);
    assert.equal(answer.content, 'streamed to node');
  });

  await t.test('chat returns the whole answer', async () => {
    const r = await client.chat(user('sim/echo', 'unary from node'));
    assert.equal(r.message.content, 'unary from node');
    assert.equal(r.summary.finishReason, 'stop');
  });

  await t.test('a failure mid-stream comes after the delivered deltas', async () => {
    let deltas = 0;
    const error = await rejection((async () => {
      for await (const m of client.streamChat(user('sim/error-midstream', 'x'))) if (m.event === 'delta') deltas += 1;
    })());
    assert.ok(error instanceof GatewayError);
    assert.equal(deltas, 3);
    assert.equal(error.codeName, 'UNAVAILABLE');
    assert.equal(error.reason, 'PROVIDER_UNAVAILABLE');
  });

  await t.test('a failure mid-stream names its generation and no cost when no usage arrived', async () => {
    const error = await rejection((async () => {
      for await (const m of client.streamChat(user('sim/error-midstream', 'x'))) void m;
    })());
    assert.match(error.generationId, /^gen-/);
    assert.equal(error.costUsd, null);
  });

  await t.test('a 429 carries RetryInfo and ErrorInfo metadata', async () => {
    const error = await rejection(client.chat(user('sim/error-429', 'x')));
    assert.equal(error.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(error.retryDelayMs, 2000);
    assert.equal(error.metadata.httpStatus, '429');
  });

  await t.test('an invalid request names the field', async () => {
    const error = await rejection(client.chat(user('sim/echo', 'x', { temperature: 5 })));
    assert.equal(error.codeName, 'INVALID_ARGUMENT');
    assert.ok(error.fieldViolations.some((v) => v.field === 'temperature'));
  });

  await t.test('cancel ends a stream CANCELLED', async () => {
    const stream = client.streamChat(user('sim/slow', 'a b c d e f g h i j'));
    const error = await rejection((async () => {
      for await (const m of stream) if (m.event === 'delta') stream.cancel();
    })());
    assert.equal(error.codeName, 'CANCELLED');
  });

  await t.test('breaking out of the loop early cancels the call', async () => {
    const started = Date.now();
    for await (const m of client.streamChat(user('sim/slow', 'a b c d e f g h i j k l m n o p'))) {
      if (m.event === 'delta') break;
    }
    assert.ok(Date.now() - started < 2000, 'did not wait for the whole slow stream');
  });

  await t.test('the timeout is the call deadline', async () => {
    const error = await rejection((async () => {
      for await (const m of client.streamChat(user('sim/stall-first', 'x'), { timeoutMs: 300 })) void m;
    })());
    assert.equal(error.codeName, 'DEADLINE_EXCEEDED');
  });

  await t.test('health, standard health and reflection', async () => {
    assert.equal((await client.health()).status, 'OVERALL_STATUS_SERVING');
    assert.equal(await client.servingStatus(''), 'SERVING');
    assert.ok((await client.listServices()).includes('openrouter.gateway.v1.ChatService'));
  });

  await t.test('every shared conformance scenario passes', async () => {
    const results = await runScenarios(client, loadScenarios());
    const failures = results.filter((r) => r.problems.length > 0);
    assert.deepEqual(failures, []);
    assert.ok(results.length >= 10);
  });
});

test('against a scripted server', async (t) => {
  const { services } = load();
  const v1 = services.openrouter.gateway.v1;
  const calls = { health: 0, chat: 0 };
  const authorizations = [];
  let failFirst = 0;
  const server = new grpc.Server();
  server.addService(v1.HealthService.service, {
    Check(call, callback) {
      calls.health += 1;
      authorizations.push(call.metadata.get('authorization')[0] || '<none>');
      if (calls.health <= failFirst) callback({ code: grpc.status.UNAVAILABLE, details: 'scripted' });
      else callback(null, { status: 'OVERALL_STATUS_SERVING' });
    },
  });
  server.addService(v1.ChatService.service, {
    Chat(call, callback) {
      calls.chat += 1;
      callback({ code: grpc.status.UNAVAILABLE, details: 'scripted' });
    },
  });
  const port = await new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0',
    grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const target = `127.0.0.1:${port}`;
  t.after(() => server.forceShutdown());

  await t.test('reads are retried on UNAVAILABLE by the published service config', async () => {
    calls.health = 0;
    failFirst = 2;
    const client = new GatewayClient(target);
    try {
      assert.equal((await client.health()).status, 'OVERALL_STATUS_SERVING');
    } finally {
      client.close();
    }
    assert.equal(calls.health, 3);
  });

  await t.test('chat is never retried', async () => {
    const client = new GatewayClient(target);
    try {
      const error = await rejection(client.chat(user('sim/echo', 'x')));
      assert.equal(error.codeName, 'UNAVAILABLE');
    } finally {
      client.close();
    }
    assert.equal(calls.chat, 1);
  });

  await t.test('the API key travels as a bearer token', async () => {
    failFirst = 0;
    authorizations.length = 0;
    const keyed = new GatewayClient(target, { apiKey: 'sk-or-v1-node' });
    const anonymous = new GatewayClient(target);
    try {
      await keyed.health();
      await anonymous.health();
    } finally {
      keyed.close();
      anonymous.close();
    }
    assert.deepEqual(authorizations, ['Bearer sk-or-v1-node', '<none>']);
  });
});
