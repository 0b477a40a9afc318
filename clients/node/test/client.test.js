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

  await t.test('an OpenRouter key goes in x-openrouter-api-key, not in apiKey', async () => {
    const own = `sk-or-v1-${'5'.repeat(64)}`;
    const misplaced = new GatewayClient(gateway.target, { apiKey: own });
    const byok = new GatewayClient(gateway.target, { openRouterKey: own });
    try {
      const wrong = await rejection(misplaced.chat(user('sim/echo', 'x')));
      assert.equal(wrong.codeName, 'INVALID_ARGUMENT');
      assert.equal(wrong.reason, 'OPENROUTER_KEY_IN_AUTHORIZATION');
      assert.match(wrong.message, /x-openrouter-api-key/);
      // This gateway does not allow bring-your-own-key: refusing the header shows it arrived.
      const refused = await rejection(byok.chat(user('sim/echo', 'x')));
      assert.equal(refused.codeName, 'PERMISSION_DENIED');
      assert.equal(refused.reason, 'CALLER_KEYS_DISABLED');
    } finally {
      misplaced.close();
      byok.close();
    }
  });

  await t.test('an invalid request names the field', async () => {
    const error = await rejection(client.chat(user('sim/echo', 'x', { temperature: 5 })));
    assert.equal(error.codeName, 'INVALID_ARGUMENT');
    assert.ok(error.fieldViolations.some((v) => v.field === 'temperature'));
  });

  await t.test('cancel ends a stream CANCELLED', async () => {
    // 3 s between chunks: still running when cancelled, however slow the machine (at the default
    // 200 ms the stream could end OK before a busy machine ran the loop's first turn).
    const stream = client.streamChat(user('sim/slow', 'a b c d e f g h i j', { metadata: { sim_chunk_delay_ms: '3000' } }));
    const error = await rejection((async () => {
      for await (const m of stream) if (m.event === 'delta') stream.cancel();
    })());
    assert.equal(error.codeName, 'CANCELLED');
  });

  // sim/stall never ends by itself: a break that waited for the stream would never return, and
  // the test's timeout (a bound on failure only) would fail it.
  await t.test('breaking out of the loop early cancels the call', { timeout: 30_000 }, async () => {
    for await (const m of client.streamChat(user('sim/stall', 'hang'))) {
      if (m.event === 'delta') break;
    }
  });

  await t.test('the timeout is the call deadline', async () => {
    const error = await rejection((async () => {
      for await (const m of client.streamChat(user('sim/stall-first', 'x'), { timeoutMs: 300 })) void m;
    })());
    assert.equal(error.codeName, 'DEADLINE_EXCEEDED');
  });

  await t.test('embeddings, model endpoints and providers', async () => {
    const r = await client.embed({ model: 'sim/embed', inputs: [{ text: 'a' }, { text: 'b' }], dimensions: 8 });
    assert.deepEqual(r.embeddings.map((e) => e.index), [0, 1]);
    assert.equal(r.embeddings[1].values.length, 8);
    assert.equal(typeof r.embeddings[1].values[0], 'number');
    const models = await client.listEmbeddingModels({ pageSize: 100 });
    assert.ok(models.models.some((m) => m.id === 'sim/embed'));
    const endpoints = await client.listModelEndpoints('sim/echo');
    assert.equal(endpoints.endpoints[0].status, 'ENDPOINT_STATUS_OK');
    assert.equal(endpoints.endpoints[1].latencyLast30m, null);
    const providers = await client.listProviders();
    assert.ok(providers.providers.some((p) => p.slug === 'simcloud' && p.datacenters.includes('DE')));
  });

  await t.test('getSpend counts what this caller spent in its window', async () => {
    // Decimal USD strings compared exactly, as integers of 10^-18 USD.
    const usd = (s) => {
      const [whole, frac = ''] = s.split('.');
      return BigInt(whole) * 10n ** 18n + BigInt(frac.padEnd(18, '0'));
    };
    const before = await client.getSpend();
    assert.equal(before.caller, 'anonymous');
    assert.equal(before.hasBudget, false);
    assert.equal(before.budget, '');
    assert.equal(before.remaining, '');
    assert.equal(before.windowDays, 1);
    assert.equal(Number(before.windowEnd.seconds) - Number(before.windowStart.seconds), 86_400);
    const cost = usd((await client.chat(user('sim/echo', 'what does this cost'))).summary.usage.cost);
    assert.ok(cost > 0n);
    const after = await client.getSpend();
    // At least: a cancelled stream of an earlier test may be charged in the background meanwhile.
    const sameWindow = after.windowStart.seconds === before.windowStart.seconds;
    assert.ok(usd(after.spent) >= (sameWindow ? usd(before.spent) : 0n) + cost,
      `spent ${before.spent} then ${after.spent} around a call that cost ${cost} x 10^-18`);
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
