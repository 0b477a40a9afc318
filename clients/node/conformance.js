'use strict';
// Runs the shared conformance scenarios (../conformance/scenarios.json) with the Node client:
//   node conformance.js --target 127.0.0.1:50051 [--scenarios FILE]
// Prints one line per scenario and a closing "N passed, M failed"; exits 1 when any failed.
const fs = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { GatewayClient, ChatAccumulator, GatewayError } = require('./src/client');

const DEFAULT_SCENARIOS = path.resolve(__dirname, '..', 'conformance', 'scenarios.json');
const CALL_TIMEOUT_MS = 30_000;

async function outcomeOf(client, scenario) {
  const o = {
    code: 'OK', reason: '', domain: '', retry_delay_ms: null, deltas: 0, text: '', finish_reason: '',
    model: '', tool_calls: [], field_violations: [], services: [], serving_status: '', overall_status: '',
    indices: [], dimensions: [], first_values: [], cost: '', endpoint_statuses: [], endpoints_with_latency: 0,
    caller: '', has_budget: false, window_days: 0, window_seconds: 0, spent_is_decimal: false,
  };
  try {
    switch (scenario.action) {
      case 'list_services':
        o.services = await client.listServices();
        break;
      case 'health':
        o.serving_status = await client.servingStatus('');
        o.overall_status = (await client.health()).status;
        break;
      case 'chat': {
        const r = await client.chat(scenario.request);
        o.text = r.message.content;
        o.tool_calls = r.message.toolCalls;
        o.finish_reason = r.summary.finishReason;
        o.model = r.summary.model;
        break;
      }
      case 'stream_chat': {
        const answer = new ChatAccumulator();
        const stream = client.streamChat(scenario.request);
        for await (const m of stream) {
          if (m.event === 'delta') {
            answer.add(m.delta);
            o.deltas = answer.deltas;
            o.text = answer.content;
            o.tool_calls = answer.toolCalls;
            if (o.deltas === scenario.cancel_after_deltas) stream.cancel();
          } else if (m.event === 'summary') {
            o.finish_reason = m.summary.finishReason;
            o.model = m.summary.model;
          }
        }
        break;
      }
      case 'embed': {
        const r = await client.embed(scenario.request);
        o.model = r.model;
        o.cost = r.usage ? r.usage.cost : '';
        for (const e of r.embeddings) {
          o.indices.push(e.index);
          o.dimensions.push(e.values.length);
        }
        if (r.embeddings.length) o.first_values = r.embeddings[0].values;
        break;
      }
      case 'list_model_endpoints': {
        const r = await client.listModelEndpoints(scenario.request.model);
        o.endpoint_statuses = r.endpoints.map((e) => e.status);
        o.endpoints_with_latency = r.endpoints.filter((e) => e.latencyLast30m).length;
        break;
      }
      case 'get_spend': {
        const r = await client.getSpend();
        o.caller = r.caller;
        o.has_budget = r.hasBudget;
        o.window_days = r.windowDays;
        o.window_seconds = Number(r.windowEnd.seconds) - Number(r.windowStart.seconds);
        o.spent_is_decimal = /^\d+(\.\d+)?$/.test(r.spent);
        break;
      }
      default:
        throw new Error(`unknown action ${scenario.action}`);
    }
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    o.code = error.codeName;
    o.reason = error.reason;
    o.domain = error.domain;
    o.retry_delay_ms = error.retryDelayMs;
    o.field_violations = error.fieldViolations.map((v) => v.field);
  }
  return o;
}

const SAME = ['code', 'reason', 'domain', 'text', 'finish_reason', 'model', 'serving_status',
  'overall_status', 'retry_delay_ms', 'deltas', 'cost', 'endpoints_with_latency',
  'caller', 'has_budget', 'window_days', 'window_seconds', 'spent_is_decimal'];

function check(o, expect) {
  const problems = [];
  for (const [key, want] of Object.entries(expect)) {
    if (SAME.includes(key)) {
      if (o[key] !== want) problems.push(`${key}: want ${want}, got ${o[key]}`);
    } else if (key === 'embeddings') {
      if (o.indices.length !== want) problems.push(`embeddings: want ${want}, got ${o.indices.length}`);
    } else if (key === 'indices' || key === 'endpoint_statuses') {
      if (!isDeepStrictEqual(o[key], want)) problems.push(`${key}: want ${want}, got ${o[key]}`);
    } else if (key === 'dimensions') {
      if (!o.dimensions.length || o.dimensions.some((d) => d !== want)) {
        problems.push(`dimensions: want ${want} for every embedding, got ${o.dimensions}`);
      }
    } else if (key === 'first_values') {
      // Compared as float32s: the scenario file writes them as JSON numbers.
      const got = o.first_values.slice(0, want.length).map(Math.fround);
      if (!isDeepStrictEqual(got, want.map(Math.fround))) problems.push(`first_values: want ${want}, got ${got}`);
    } else if (key === 'min_deltas') {
      if (o.deltas < want) problems.push(`deltas: want at least ${want}, got ${o.deltas}`);
    } else if (key === 'services_include' || key === 'field_violations') {
      const got = key === 'services_include' ? o.services : o.field_violations;
      const missing = want.filter((w) => !got.includes(w));
      if (missing.length) problems.push(`${key}: missing ${missing} in ${got}`);
    } else if (key === 'tool_calls') {
      if (want.length !== o.tool_calls.length) {
        problems.push(`tool_calls: want ${want.length}, got ${o.tool_calls.length}`);
        continue;
      }
      want.forEach((w, i) => {
        const call = o.tool_calls[i];
        if (call.name !== w.name) problems.push(`tool_calls[${i}].name: want ${w.name}, got ${call.name}`);
        let args;
        try {
          args = JSON.parse(call.arguments);
        } catch (e) {
          problems.push(`tool_calls[${i}].arguments is not JSON: ${call.arguments}`);
          return;
        }
        if (!isDeepStrictEqual(args, w.arguments)) {
          problems.push(`tool_calls[${i}].arguments: want ${JSON.stringify(w.arguments)}, got ${call.arguments}`);
        }
      });
    } else {
      problems.push(`unknown expectation ${key}`);
    }
  }
  return problems;
}

/** Runs every scenario in order; resolves to [{name, problems}]. */
async function runScenarios(client, scenarios) {
  const results = [];
  for (const scenario of scenarios) {
    let problems;
    try {
      problems = check(await outcomeOf(client, scenario), scenario.expect);
    } catch (error) {
      problems = [`unexpected ${error.stack || error}`];
    }
    results.push({ name: scenario.name, problems });
  }
  return results;
}

function loadScenarios(file = DEFAULT_SCENARIOS) {
  return JSON.parse(fs.readFileSync(file, 'utf8')).scenarios;
}

async function main(argv) {
  let target = '127.0.0.1:50051';
  let file = DEFAULT_SCENARIOS;
  for (let i = 0; i + 1 < argv.length; i += 2) {
    if (argv[i] === '--target') target = argv[i + 1];
    else if (argv[i] === '--scenarios') file = argv[i + 1];
    else {
      console.error('usage: node conformance.js [--target HOST:PORT] [--scenarios FILE]');
      return 2;
    }
  }
  const client = new GatewayClient(target, { chatTimeoutMs: CALL_TIMEOUT_MS, readTimeoutMs: CALL_TIMEOUT_MS });
  try {
    const results = await runScenarios(client, loadScenarios(file));
    let failed = 0;
    for (const r of results) {
      if (r.problems.length === 0) console.log(`PASS node: ${r.name}`);
      else {
        failed += 1;
        console.log(`FAIL node: ${r.name}: ${r.problems.join('; ')}`);
      }
    }
    console.log(`${results.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    client.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}

module.exports = { runScenarios, loadScenarios, check };
