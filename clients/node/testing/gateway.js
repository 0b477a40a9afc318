'use strict';
// The gateway the tests talk to: $GATEWAY_TARGET when scripts/conformance.sh started one,
// else a gateway process started here from server/target/gateway.jar (build it first with
// mvn -B -q -DskipTests package), serving from its built-in simulator on a free loopback port.
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const fs = require('node:fs');
const { GatewayClient } = require('../src/client');

const JAR = path.resolve(__dirname, '..', '..', '..', 'server', 'target', 'gateway.jar');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitServing(target, timeoutMs, child) {
  const client = new GatewayClient(target, { readTimeoutMs: 1000, retries: false });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode})`);
      }
      try {
        if ((await client.servingStatus('')) === 'SERVING') return;
      } catch (e) {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the gateway at ${target} was not SERVING within ${timeoutMs} ms`);
  } finally {
    client.close();
  }
}

/** Resolves to {target, stop()}. */
async function startGateway() {
  if (process.env.GATEWAY_TARGET) {
    return { target: process.env.GATEWAY_TARGET, stop: async () => {} };
  }
  if (!fs.existsSync(JAR)) {
    throw new Error(`${JAR} is missing: run mvn -B -q -DskipTests package first, or set GATEWAY_TARGET`);
  }
  const port = await freePort();
  // The simulator, whatever the caller's environment says; no upstream retries, so a 429
  // reaches the client at once; no metrics endpoint (9464 may belong to another gateway here).
  const env = {
    ...process.env, GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: String(port), OPENROUTER_MAX_RETRIES: '0',
    GATEWAY_METRICS_PORT: 'off',
  };
  delete env.OPENROUTER_API_KEY;
  delete env.OPENROUTER_BASE_URL;
  const child = spawn('java', ['-jar', JAR], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const target = `127.0.0.1:${port}`;
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  try {
    // A cold JVM on a busy machine: the bound only fails a gateway that never serves (at 30 s,
    // the start-up alone timed out while other builds kept both cores busy).
    await waitServing(target, 120_000, child);
  } catch (e) {
    await stop();
    throw e;
  }
  return { target, stop };
}

module.exports = { startGateway, freePort };
