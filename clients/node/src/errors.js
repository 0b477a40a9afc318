'use strict';
// Every failed call becomes one GatewayError: the gRPC code and message, and the
// google.rpc.Status the gateway puts in the grpc-status-details-bin trailer (one ErrorInfo;
// RetryInfo, BadRequest, QuotaFailure, Help, ... where they apply).
const grpc = require('@grpc/grpc-js');
const { load } = require('./protos');

const CODE_NAMES = Object.fromEntries(Object.entries(grpc.status).map(([name, code]) => [code, name]));
const DETAILS_TRAILER = 'grpc-status-details-bin';
const TYPE_URL_PREFIX = 'type.googleapis.com/';

class GatewayError extends Error {
  constructor(serviceError) {
    const code = typeof serviceError.code === 'number' ? serviceError.code : grpc.status.UNKNOWN;
    const description = serviceError.details || '';
    const status = decodeStatusDetails(serviceError.metadata);
    const details = status ? status.details : [];
    const errorInfo = details.find((d) => d['@type'] === 'google.rpc.ErrorInfo');
    const retryInfo = details.find((d) => d['@type'] === 'google.rpc.RetryInfo');
    const badRequest = details.find((d) => d['@type'] === 'google.rpc.BadRequest');
    const codeName = CODE_NAMES[code] || String(code);
    super(`${codeName}${errorInfo ? ` (${errorInfo.reason})` : ''}${description ? `: ${description}` : ''}`);
    this.name = 'GatewayError';
    /** The numeric gRPC code (grpc.status.*). */
    this.code = code;
    /** The code's name, e.g. 'RESOURCE_EXHAUSTED'. */
    this.codeName = codeName;
    /** The gateway's message: what went wrong and what to change. */
    this.description = description;
    /** ErrorInfo reason in UPPER_SNAKE, '' when the status carried none. */
    this.reason = errorInfo ? errorInfo.reason : '';
    /** 'openrouter.ai' or 'openrouter-grpc-gateway'; '' when none. */
    this.domain = errorInfo ? errorInfo.domain : '';
    /** ErrorInfo metadata (lowerCamel keys such as httpStatus, model). */
    this.metadata = errorInfo ? { ...errorInfo.metadata } : {};
    /** Generation id of a chat call that failed after the upstream started, or null. */
    this.generationId = this.metadata.generationId || null;
    /** Tokens and cost (a decimal string, USD) of a failed chat call, null unless its usage had arrived. */
    this.promptTokens = 'promptTokens' in this.metadata ? Number(this.metadata.promptTokens) : null;
    this.completionTokens = 'completionTokens' in this.metadata ? Number(this.metadata.completionTokens) : null;
    this.costUsd = this.metadata.costUsd || null;
    /** RetryInfo delay in milliseconds, or null when the gateway gave none. */
    this.retryDelayMs = retryInfo && retryInfo.retryDelay ? durationMs(retryInfo.retryDelay) : null;
    /** BadRequest field violations ({field, description}), [] when none. */
    this.fieldViolations = badRequest ? badRequest.fieldViolations : [];
    /** Every decoded detail, each with its '@type'. */
    this.details = details;
    /** The raw trailers. */
    this.trailers = serviceError.metadata || new grpc.Metadata();
  }
}

/**
 * Decodes the google.rpc.Status of a call's trailers; null when there is none. Details whose
 * type this client does not know are kept as {'@type', value: Buffer}.
 */
function decodeStatusDetails(metadata) {
  if (!metadata || typeof metadata.get !== 'function') return null;
  const values = metadata.get(DETAILS_TRAILER);
  if (!values || values.length === 0) return null;
  const { rpcRoot } = load();
  const Status = rpcRoot.lookupType('google.rpc.Status');
  const status = Status.decode(values[0]);
  const details = status.details.map((any) => {
    const typeName = any.type_url.startsWith(TYPE_URL_PREFIX)
      ? any.type_url.slice(TYPE_URL_PREFIX.length)
      : any.type_url;
    let type;
    try {
      type = rpcRoot.lookupType(typeName);
    } catch (e) {
      return { '@type': typeName, value: Buffer.from(any.value) };
    }
    const message = type.toObject(type.decode(any.value), { longs: String, enums: String, defaults: true });
    return { '@type': typeName, ...message };
  });
  return { code: status.code, message: status.message, details };
}

function durationMs(duration) {
  return Number(duration.seconds || 0) * 1000 + Math.round((duration.nanos || 0) / 1e6);
}

/** Turns whatever a grpc-js call failed with into a GatewayError. */
function toGatewayError(error) {
  return error instanceof GatewayError ? error : new GatewayError(error);
}

module.exports = { GatewayError, decodeStatusDetails, toGatewayError, CODE_NAMES };
