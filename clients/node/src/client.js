'use strict';
// A small client over the generated-at-run-time stubs: streaming and unary chat, models,
// credits, key, generation, health and reflection, with deadlines by default, the published
// retry service config, the gateway caller key as authorization: Bearer, the caller's own
// OpenRouter key as x-openrouter-api-key, and every failure as a GatewayError.
const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const { load } = require('./protos');
const { GatewayError, toGatewayError } = require('./errors');

/** Chat: the gateway's own default total time for a chat call (GATEWAY_CHAT_TIMEOUT_MS). */
const DEFAULT_CHAT_TIMEOUT_MS = 600_000;
/** Reads come from the gateway's caches; 30 s leaves room for a cold cache and retries. */
const DEFAULT_READ_TIMEOUT_MS = 30_000;
/** Retry UNAVAILABLE for the idempotent reads only; never chat (it may have been billed). */
const SERVICE_CONFIG_PATH = path.resolve(__dirname, '..', '..', 'service-config.json');

class GatewayClient {
  /**
   * @param {string} target host:port of the gateway
   * @param {object} [options]
   * @param {grpc.ChannelCredentials} [options.credentials] default: insecure (plaintext)
   * @param {string} [options.apiKey] gateway caller key, sent as authorization: Bearer (for a
   *   gateway that authenticates callers); not your OpenRouter key
   * @param {string} [options.openRouterKey] your own OpenRouter key (sk-or-...), sent as
   *   x-openrouter-api-key (for a gateway that allows bring-your-own-key)
   * @param {number} [options.chatTimeoutMs]
   * @param {number} [options.readTimeoutMs]
   * @param {boolean} [options.retries] apply the published retry policy (default true)
   */
  constructor(target, options = {}) {
    const { services } = load();
    const v1 = services.openrouter.gateway.v1;
    const credentials = options.credentials || grpc.credentials.createInsecure();
    const channelOptions = {
      'grpc.max_receive_message_length': 32 * 1024 * 1024,
      'grpc.primary_user_agent': 'openrouter-gateway-node-client',
    };
    if (options.retries === false) {
      channelOptions['grpc.enable_retries'] = 0;
    } else {
      channelOptions['grpc.enable_retries'] = 1;
      channelOptions['grpc.service_config'] = fs.readFileSync(SERVICE_CONFIG_PATH, 'utf8');
    }
    this.chatService = new v1.ChatService(target, credentials, channelOptions);
    // Every stub shares the first one's channel (one HTTP/2 connection).
    const shared = { channelOverride: this.chatService.getChannel() };
    this.modelsService = new v1.ModelsService(target, credentials, shared);
    this.creditsService = new v1.CreditsService(target, credentials, shared);
    this.healthService = new v1.HealthService(target, credentials, shared);
    this.embeddingsService = new v1.EmbeddingsService(target, credentials, shared);
    this.standardHealth = new services.grpc.health.v1.Health(target, credentials, shared);
    this.reflection = new services.grpc.reflection.v1.ServerReflection(target, credentials, shared);
    this.apiKey = options.apiKey || null;
    this.openRouterKey = options.openRouterKey || null;
    this.chatTimeoutMs = options.chatTimeoutMs || DEFAULT_CHAT_TIMEOUT_MS;
    this.readTimeoutMs = options.readTimeoutMs || DEFAULT_READ_TIMEOUT_MS;
  }

  /**
   * Streams a chat. Returns an async iterable of StreamChatResponse objects ({event: 'delta',
   * delta} then {event: 'summary', summary}) with cancel(); iteration throws a GatewayError when
   * the call fails, after the messages that arrived before the failure.
   */
  streamChat(request, { timeoutMs } = {}) {
    const call = this.chatService.StreamChat(request, this.metadata(), this.options(timeoutMs || this.chatTimeoutMs));
    return {
      cancel: () => call.cancel(),
      async *[Symbol.asyncIterator]() {
        try {
          // A Readable in object mode: iteration pulls one message at a time, so a slow
          // consumer pauses the stream and gRPC flow control pushes back on the gateway.
          for await (const message of call) {
            yield message;
          }
        } catch (error) {
          throw toGatewayError(error);
        } finally {
          call.cancel(); // no-op once the call has ended; stops it when the loop broke early
        }
      },
    };
  }

  /** Runs a chat and resolves to the whole ChatResponse. */
  chat(request, { timeoutMs } = {}) {
    return this.unary(this.chatService, 'Chat', request, timeoutMs || this.chatTimeoutMs);
  }

  getGeneration(id) {
    return this.unary(this.chatService, 'GetGeneration', { id });
  }

  listModels(request = {}) {
    return this.unary(this.modelsService, 'ListModels', request);
  }

  getModel(id) {
    return this.unary(this.modelsService, 'GetModel', { id });
  }

  getCredits({ forceRefresh = false } = {}) {
    return this.unary(this.creditsService, 'GetCredits', { forceRefresh });
  }

  getKey({ forceRefresh = false } = {}) {
    return this.unary(this.creditsService, 'GetKey', { forceRefresh });
  }

  /**
   * What this caller (its apiKey; the anonymous caller when the gateway authenticates no one)
   * spent in its current budget window: {caller, hasBudget, budget, spent, remaining,
   * windowStart, windowEnd, windowDays}; amounts are decimal strings in USD.
   */
  getSpend() {
    return this.unary(this.creditsService, 'GetSpend', {});
  }

  /**
   * One embedding per input, in input order: {embeddings: [{index, values}], model, provider,
   * usage: {promptTokens, cost, ...}}. Embed is idempotent; the service config retries it.
   */
  embed(request, { timeoutMs } = {}) {
    return this.unary(this.embeddingsService, 'Embed', request, timeoutMs || this.chatTimeoutMs);
  }

  listEmbeddingModels(request = {}) {
    return this.unary(this.embeddingsService, 'ListEmbeddingModels', request);
  }

  /** Every provider endpoint of a model (author/slug), with status, uptime and latency. */
  listModelEndpoints(model, { forceRefresh = false } = {}) {
    return this.unary(this.modelsService, 'ListModelEndpoints', { model, forceRefresh });
  }

  listProviders({ forceRefresh = false } = {}) {
    return this.unary(this.modelsService, 'ListProviders', { forceRefresh });
  }

  /** The gateway's detailed health report (CheckResponse). */
  health() {
    return this.unary(this.healthService, 'Check', {});
  }

  /** The standard grpc.health.v1 status of a service ('' for the whole server), e.g. 'SERVING'. */
  async servingStatus(service = '') {
    const response = await this.unary(this.standardHealth, 'Check', { service });
    return response.status;
  }

  /** Service names from server reflection. */
  listServices() {
    return new Promise((resolve, reject) => {
      const call = this.reflection.ServerReflectionInfo(this.metadata(), this.options(this.readTimeoutMs));
      const names = [];
      call.on('data', (response) => {
        if (response.errorResponse) {
          reject(new GatewayError({ code: response.errorResponse.errorCode, details: response.errorResponse.errorMessage }));
          return;
        }
        for (const s of response.listServicesResponse.service) names.push(s.name);
      });
      call.on('error', (error) => reject(toGatewayError(error)));
      call.on('end', () => resolve(names));
      call.write({ listServices: '' });
      call.end();
    });
  }

  close() {
    this.chatService.close();
  }

  unary(service, method, request, timeoutMs = this.readTimeoutMs) {
    return new Promise((resolve, reject) => {
      service[method](request, this.metadata(), this.options(timeoutMs), (error, response) => {
        if (error) reject(toGatewayError(error));
        else resolve(response);
      });
    });
  }

  metadata() {
    const metadata = new grpc.Metadata();
    if (this.apiKey) metadata.set('authorization', `Bearer ${this.apiKey}`);
    if (this.openRouterKey) metadata.set('x-openrouter-api-key', this.openRouterKey);
    return metadata;
  }

  options(timeoutMs) {
    return { deadline: new Date(Date.now() + timeoutMs) };
  }
}

/** Assembles streamed deltas: text appended, tool calls put together by index. */
class ChatAccumulator {
  constructor() {
    this.content = '';
    this.deltas = 0;
    this.calls = new Map();
  }

  add(delta) {
    this.deltas += 1;
    this.content += delta.content || '';
    for (const fragment of delta.toolCalls || []) {
      const call = this.calls.get(fragment.index) || { id: '', type: '', name: '', arguments: '' };
      if (fragment.id) call.id = fragment.id;
      if (fragment.type) call.type = fragment.type;
      if (fragment.name) call.name = fragment.name;
      call.arguments += fragment.arguments || '';
      this.calls.set(fragment.index, call);
    }
    return this;
  }

  get toolCalls() {
    return [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  }
}

module.exports = {
  GatewayClient,
  GatewayError,
  ChatAccumulator,
  DEFAULT_CHAT_TIMEOUT_MS,
  DEFAULT_READ_TIMEOUT_MS,
  status: grpc.status,
  credentials: grpc.credentials,
};
