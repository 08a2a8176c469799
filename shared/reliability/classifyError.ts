import type { SyncErrorCode } from './errors';
import { isSyncError, SyncError } from './errors';

export interface ErrorClassification {
  readonly retryable: boolean;
  /** Short, stable, secret-free label for logs and dead letters, e.g. `http-429`, `network-ECONNRESET`. */
  readonly reason: string;
  readonly code: SyncErrorCode;
  readonly retryAfterMs?: number;
}

/** Header names a provider uses to say when to come back; descriptors may add their own. */
export interface RetryHeaderNames {
  readonly retryAfter?: readonly string[] | undefined;
  readonly rateLimitReset?: readonly string[] | undefined;
  readonly rateLimitRemaining?: readonly string[] | undefined;
}

export interface ResolvedRetryHeaderNames {
  readonly retryAfter: readonly string[];
  readonly rateLimitReset: readonly string[];
  readonly rateLimitRemaining: readonly string[];
}

export const DEFAULT_RETRY_HEADERS: ResolvedRetryHeaderNames = {
  retryAfter: ['retry-after'],
  rateLimitReset: ['x-ratelimit-reset', 'ratelimit-reset', 'x-rate-limit-reset'],
  rateLimitRemaining: ['x-ratelimit-remaining', 'ratelimit-remaining', 'x-rate-limit-remaining'],
};

export interface ClassifyOptions {
  /** Epoch ms used to turn HTTP-date / epoch reset headers into a delay; injectable for tests. */
  readonly now?: number;
  readonly retryHeaders?: RetryHeaderNames;
}

/** Later layers override earlier ones per list; an undefined list keeps the earlier one. */
export function mergeRetryHeaders(
  ...layers: readonly (RetryHeaderNames | undefined)[]
): ResolvedRetryHeaderNames {
  let out: ResolvedRetryHeaderNames = DEFAULT_RETRY_HEADERS;
  for (const l of layers) {
    if (l === undefined) continue;
    out = {
      retryAfter: l.retryAfter ?? out.retryAfter,
      rateLimitReset: l.rateLimitReset ?? out.rateLimitReset,
      rateLimitRemaining: l.rateLimitRemaining ?? out.rateLimitRemaining,
    };
  }
  return out;
}

/** Node/undici socket-level failures that say nothing about the request itself. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const TIMEOUT_NETWORK_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/** A name that does not resolve will not start resolving on the next attempt. */
const PERMANENT_NETWORK_CODES = new Set([
  'ENOTFOUND',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

/** @azure/service-bus `ServiceBusErrorCode` values, mapped onto the engine's codes. */
const SERVICE_BUS_CODES: Readonly<Record<string, SyncErrorCode>> = {
  ServiceBusy: 'ProviderRateLimited',
  QuotaExceeded: 'ProviderRateLimited',
  ServiceTimeout: 'ProviderTimeout',
  ServiceCommunicationProblem: 'ProviderUnavailable',
  GeneralError: 'ProviderUnavailable',
  MessageLockLost: 'RecordConflict',
  SessionLockLost: 'RecordConflict',
  SessionCannotBeLocked: 'RecordConflict',
  MessageNotFound: 'RecordNotFound',
  MessagingEntityNotFound: 'ConfigInvalid',
  MessagingEntityDisabled: 'ConfigInvalid',
  MessagingEntityAlreadyExists: 'ConfigInvalid',
  UnauthorizedAccess: 'ConfigInvalid',
  MessageTooLarge: 'InvalidPayload',
};

/**
 * The one place that decides whether a failure is worth another attempt (Nango `proxy/retry.ts`).
 * Pure: it reads the error's shape only, so Service Bus and Cosmos errors are recognised without
 * importing their SDKs, and table tests cover every branch.
 */
export function classifyError(error: unknown, options: ClassifyOptions = {}): ErrorClassification {
  return classifyInner(error, options, 0);
}

function classifyInner(error: unknown, options: ClassifyOptions, depth: number): ErrorClassification {
  if (isSyncError(error)) {
    return withRetryAfter(
      { retryable: error.retryable, reason: `sync-${error.code}`, code: error.code },
      error.retryAfterMs,
    );
  }
  if (typeof error !== 'object' || error === null) {
    return { retryable: false, reason: 'non-error-thrown', code: 'Internal' };
  }
  const e = error as Record<string, unknown>;
  const name = typeof e['name'] === 'string' ? e['name'] : undefined;

  if (name === 'ServiceBusError' && typeof e['code'] === 'string') {
    const sbCode = e['code'];
    const code = SERVICE_BUS_CODES[sbCode] ?? 'Internal';
    const retryable = typeof e['retryable'] === 'boolean' ? e['retryable'] : false;
    return { retryable, reason: `servicebus-${sbCode}`, code };
  }

  // AbortSignal.timeout() aborts with a DOMException named TimeoutError; a caller's abort() with AbortError.
  if (name === 'TimeoutError') return { retryable: true, reason: 'timeout', code: 'ProviderTimeout' };
  if (name === 'AbortError') return { retryable: false, reason: 'aborted', code: 'Cancelled' };

  // Cosmos ErrorResponse carries the HTTP status in a numeric `code` and its own retry hint.
  if (typeof e['code'] === 'number') {
    const status = e['code'];
    const cosmosRetryAfter =
      numberOrUndefined(e['retryAfterInMs']) ?? numberOrUndefined(e['retryAfterInMilliseconds']);
    const base = classifyStatus(status, readHeaders(e['headers']), options, 'cosmos');
    return withRetryAfter(base, cosmosRetryAfter ?? base.retryAfterMs);
  }

  const status =
    numberOrUndefined(e['status']) ?? numberOrUndefined(e['statusCode']) ?? responseStatus(e['response']);
  if (status !== undefined && status >= 400) {
    const headers = readHeaders(e['headers']) ?? readHeaders(responseField(e['response'], 'headers'));
    return classifyStatus(status, headers, options, 'http');
  }

  if (typeof e['code'] === 'string') {
    const netCode = e['code'];
    if (TRANSIENT_NETWORK_CODES.has(netCode)) {
      return {
        retryable: true,
        reason: `network-${netCode}`,
        code: TIMEOUT_NETWORK_CODES.has(netCode) ? 'ProviderTimeout' : 'ProviderUnavailable',
      };
    }
    if (PERMANENT_NETWORK_CODES.has(netCode)) {
      return { retryable: false, reason: `network-${netCode}`, code: 'ProviderUnavailable' };
    }
  }

  // fetch() wraps socket errors as TypeError('fetch failed') with the real error in `cause`.
  if (e['cause'] !== undefined && depth < 5) {
    const inner = classifyInner(e['cause'], options, depth + 1);
    if (inner.reason !== 'unknown' && inner.reason !== 'non-error-thrown') return inner;
  }

  return { retryable: false, reason: 'unknown', code: 'Internal' };
}

/**
 * Maps an HTTP status (provider or Cosmos) to a classification. 4xx are the caller's fault and do
 * not get better by retrying, except 408/429 (and Cosmos' 449 "retry with"); 5xx are retried
 * except those that state a permanent condition (501, 505).
 */
export function classifyStatus(
  status: number,
  headers: HeaderReader | undefined,
  options: ClassifyOptions = {},
  source: 'http' | 'cosmos' = 'http',
): ErrorClassification {
  const reason = `${source}-${status}`;
  const hint = headers !== undefined ? retryAfterFromHeaders(headers, options) : undefined;
  const remaining = headers !== undefined ? readRemaining(headers, options) : undefined;

  if (status === 429) return withRetryAfter({ retryable: true, reason, code: 'ProviderRateLimited' }, hint);
  if (status === 408) return withRetryAfter({ retryable: true, reason, code: 'ProviderTimeout' }, hint);
  if (status === 449) return withRetryAfter({ retryable: true, reason, code: 'RecordConflict' }, hint);
  if (status === 401) return { retryable: false, reason, code: 'ProviderAuthExpired' };
  // GitHub and others answer an exhausted quota with 403 plus X-RateLimit-Remaining: 0.
  if (status === 403 && remaining === 0) {
    return withRetryAfter(
      { retryable: true, reason: `${reason}-ratelimit`, code: 'ProviderRateLimited' },
      hint,
    );
  }
  if (status === 404 || status === 410) return { retryable: false, reason, code: 'RecordNotFound' };
  if (status === 409 || status === 412) return { retryable: false, reason, code: 'RecordConflict' };
  if (status === 400 || status === 422 || status === 413 || status === 415) {
    return { retryable: false, reason, code: source === 'cosmos' ? 'InvalidPayload' : 'ProviderRejected' };
  }
  if (status >= 400 && status < 500) return { retryable: false, reason, code: 'ProviderRejected' };
  if (status === 501 || status === 505) return { retryable: false, reason, code: 'ProviderRejected' };
  if (status === 504) return withRetryAfter({ retryable: true, reason, code: 'ProviderTimeout' }, hint);
  if (status >= 500 && status < 600)
    return withRetryAfter({ retryable: true, reason, code: 'ProviderUnavailable' }, hint);
  return { retryable: false, reason, code: 'Internal' };
}

/** Case-insensitive header access over fetch `Headers`, Node's IncomingHttpHeaders or a plain record. */
export type HeaderReader = (name: string) => string | undefined;

export function readHeaders(value: unknown): HeaderReader | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const maybeGet = (value as { get?: unknown }).get;
  if (typeof maybeGet === 'function') {
    return (name) => {
      const v: unknown = (maybeGet as (n: string) => unknown).call(value, name);
      return typeof v === 'string' ? v : undefined;
    };
  }
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') lower.set(k.toLowerCase(), v);
    else if (typeof v === 'number') lower.set(k.toLowerCase(), String(v));
    else if (Array.isArray(v) && typeof v[0] === 'string') lower.set(k.toLowerCase(), v[0]);
  }
  return (name) => lower.get(name.toLowerCase());
}

/**
 * Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns ms from `now`,
 * never negative; undefined when absent or unparsable.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Math.round(Number(trimmed) * 1000));
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * X-RateLimit-Reset is sent as epoch seconds (GitHub), epoch ms, or seconds-until-reset (IETF
 * draft `RateLimit-Reset`, Shopify-style). Values large enough to be a timestamp are read as one.
 */
export function parseRateLimitReset(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return parseRetryAfter(trimmed, now);
  const n = Number(trimmed);
  if (n >= 1e12) return Math.max(0, Math.round(n - now));
  if (n >= 1e9) return Math.max(0, Math.round(n * 1000 - now));
  return Math.max(0, Math.round(n * 1000));
}

export function retryAfterFromHeaders(
  headers: HeaderReader,
  options: ClassifyOptions = {},
): number | undefined {
  const now = options.now ?? Date.now();
  const names = mergeRetryHeaders(options.retryHeaders);
  for (const h of names.retryAfter) {
    const ms = parseRetryAfter(headers(h), now);
    if (ms !== undefined) return ms;
  }
  for (const h of names.rateLimitReset) {
    const ms = parseRateLimitReset(headers(h), now);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

function readRemaining(headers: HeaderReader, options: ClassifyOptions): number | undefined {
  const names = options.retryHeaders?.rateLimitRemaining ?? DEFAULT_RETRY_HEADERS.rateLimitRemaining;
  for (const h of names) {
    const v = headers(h);
    if (v !== undefined && /^\s*\d+\s*$/.test(v)) return Number(v);
  }
  return undefined;
}

/** Wraps anything into a SyncError carrying its classification, keeping the original as `cause`. */
export function toSyncError(error: unknown, options: ClassifyOptions = {}): SyncError {
  if (isSyncError(error)) return error;
  const c = classifyError(error, options);
  const message = error instanceof Error ? error.message : c.reason;
  return new SyncError(c.code, message, {
    retryable: c.retryable,
    ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}),
    details: { reason: c.reason },
    cause: error,
  });
}

function withRetryAfter(c: ErrorClassification, retryAfterMs: number | undefined): ErrorClassification {
  return retryAfterMs !== undefined ? { ...c, retryAfterMs } : c;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function responseField(response: unknown, field: string): unknown {
  return typeof response === 'object' && response !== null
    ? (response as Record<string, unknown>)[field]
    : undefined;
}

function responseStatus(response: unknown): number | undefined {
  return (
    numberOrUndefined(responseField(response, 'status')) ??
    numberOrUndefined(responseField(response, 'statusCode'))
  );
}
