import type { ZodType } from 'zod';

import type { RetryPolicy } from '../../shared/reliability/backoff';
import { DEFAULT_RETRY_POLICY, retry, sleep as defaultSleep } from '../../shared/reliability/backoff';
import type {
  ErrorClassification,
  HeaderReader,
  ResolvedRetryHeaderNames,
  RetryHeaderNames,
} from '../../shared/reliability/classifyError';
import {
  classifyError,
  classifyStatus,
  mergeRetryHeaders,
  toSyncError,
} from '../../shared/reliability/classifyError';
import {
  CancelledError,
  ConfigInvalidError,
  InvalidPayloadError,
  isSyncError,
  ProviderRejectedError,
  ProviderTimeoutError,
  SsrfBlockedError,
  SyncError,
} from '../../shared/reliability/errors';
import type { RateLimit } from './rateLimiter';
import { KeyedRateLimiter } from './rateLimiter';
import type { OutboundAllowlist, Resolver } from './ssrf';
import { SsrfGuard } from './ssrf';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** RFC 9110 §9.2.2: repeating these has the same effect as sending them once. */
const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Failures where the request provably never reached the provider, so even a POST may be resent. */
const NOT_SENT_REASONS = new Set([
  'network-ECONNREFUSED',
  'network-EAI_AGAIN',
  'network-UND_ERR_CONNECT_TIMEOUT',
  'network-ENETUNREACH',
  'network-EHOSTUNREACH',
  'http-429',
]);
/** Credentials never follow a redirect to another origin (as browsers and undici do). */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** The subset of RequestInit the client sends; `dispatcher` is undici's (Node's fetch) extension. */
export interface FetchInit {
  readonly method: HttpMethod;
  readonly headers: Headers;
  readonly body?: string | Uint8Array | URLSearchParams;
  readonly redirect: 'manual';
  readonly signal: AbortSignal;
  readonly dispatcher?: unknown;
}
export type FetchLike = (url: string, init: FetchInit) => Promise<Response>;

/** Secret-free facts about one attempt, for telemetry: no path (it can hold ids or emails), no headers, no body. */
export interface HttpAttemptEvent {
  readonly method: HttpMethod;
  readonly host: string;
  readonly attempt: number;
  readonly durationMs: number;
  readonly status?: number;
  readonly code?: string;
}

export interface HttpClientOptions {
  /** Hosts/CIDRs allowed despite the SSRF guard; the composition passes OUTBOUND_HOST_ALLOWLIST. */
  readonly allowlist?: OutboundAllowlist | readonly string[] | string;
  readonly resolver?: Resolver;
  /** Per attempt, covering connect, headers and body. Default 30 s. */
  readonly timeoutMs?: number;
  readonly retryPolicy?: RetryPolicy;
  /** Per connection id; none means unlimited (the provider's 429s still pause the connection). */
  readonly rateLimit?: RateLimit;
  readonly maxRedirects?: number;
  readonly retryHeaders?: RetryHeaderNames;
  readonly userAgent?: string;
  /** Connect to exactly the addresses the guard vetted (default true). */
  readonly pinDns?: boolean;
  readonly provider?: string;
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  readonly sleep?: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  readonly onAttempt?: (event: HttpAttemptEvent) => void;
}

export interface HttpRequestOptions {
  readonly method?: HttpMethod;
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Serialised as JSON with `content-type: application/json`. */
  readonly json?: unknown;
  readonly body?: string | Uint8Array | URLSearchParams;
  readonly abortSignal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Rate-limit bucket; use the integration connection id. Defaults to the URL's host. */
  readonly connectionId?: string;
  /** Sent as `Idempotency-Key` (or `idempotencyKeyHeader`) and makes a POST/PATCH safe to retry. */
  readonly idempotencyKey?: string;
  readonly idempotencyKeyHeader?: string;
  /** The caller knows a repeat is harmless (e.g. an upsert by external id). */
  readonly retrySafe?: boolean;
  readonly retryPolicy?: RetryPolicy;
  /** The provider descriptor's retry header names. */
  readonly retryHeaders?: RetryHeaderNames;
  /** Default: JSON when the response says so, else text. */
  readonly responseType?: 'json' | 'text' | 'bytes' | 'none';
}

export interface HttpResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  /** The final URL after redirects. */
  readonly url: string;
  readonly body: T;
}

const UNDICI_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

interface ClosableDispatcher {
  close(): Promise<void>;
}

/**
 * Node 20's fetch is undici, and undici's Agent takes `connect.lookup`; but undici is not a public
 * module of Node 20. Its Agent class is reachable as the constructor of the global dispatcher that
 * undici installs under a documented cross-version symbol (created by the first fetch, hence the
 * data: URL). If anything differs (another dispatcher was installed), pinning is off and each
 * request is only vetted up front.
 */
async function createPinnedDispatcher(lookup: unknown): Promise<ClosableDispatcher | undefined> {
  const slot = globalThis as unknown as Record<symbol, unknown>;
  if (slot[UNDICI_GLOBAL_DISPATCHER] === undefined) {
    try {
      await (await fetch('data:,')).text();
    } catch {
      return undefined;
    }
  }
  const global = slot[UNDICI_GLOBAL_DISPATCHER];
  const ctor =
    typeof global === 'object' && global !== null
      ? (global as { constructor?: unknown }).constructor
      : undefined;
  if (typeof ctor !== 'function' || ctor.name !== 'Agent') return undefined;
  const AgentCtor = ctor as new (options: { connect: { lookup: unknown } }) => ClosableDispatcher;
  return new AgentCtor({ connect: { lookup } });
}

function headerReader(headers: Headers): HeaderReader {
  return (name) => headers.get(name) ?? undefined;
}

/**
 * The one HTTP client every adapter uses: SSRF guard (with DNS pinning), manual redirects re-checked
 * at each hop, per-attempt timeouts combined with the caller's abort signal, per-connection rate
 * limiting, and retries decided by the shared classifyError. Failures are SyncErrors carrying the
 * status; neither bodies nor headers ever appear in errors or events.
 */
export class HttpClient {
  readonly guard: SsrfGuard;
  private readonly options: HttpClientOptions;
  private readonly limiter: KeyedRateLimiter | undefined;
  private readonly pauses: KeyedRateLimiter;
  private readonly fetchImpl: FetchLike;
  private readonly sleep: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  private dispatcher: Promise<ClosableDispatcher | undefined> | undefined;

  constructor(options: HttpClientOptions = {}) {
    this.options = options;
    this.guard = new SsrfGuard({
      ...(options.allowlist !== undefined ? { allowlist: options.allowlist } : {}),
      ...(options.resolver !== undefined ? { resolver: options.resolver } : {}),
    });
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    const limiterClock = { now: this.now, sleep: this.sleep };
    this.limiter =
      options.rateLimit !== undefined
        ? new KeyedRateLimiter({ ...options.rateLimit, ...limiterClock })
        : undefined;
    // Without a configured rate, a bucket this large never limits; it only carries provider pauses.
    this.pauses =
      this.limiter ?? new KeyedRateLimiter({ requestsPerSecond: 1e6, burst: 1e6, ...limiterClock });
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init as unknown as RequestInit));
  }

  /** Without `schema` the body is `unknown`: types come from validation, never from a cast. */
  get<T = unknown>(
    url: string | URL,
    options: Omit<HttpRequestOptions, 'method'> & { schema?: ZodType<T> } = {},
  ): Promise<HttpResponse<T>> {
    return this.send<T>(url, { ...options, method: 'GET' });
  }

  post<T>(
    url: string | URL,
    options: Omit<HttpRequestOptions, 'method'> & { schema?: ZodType<T> } = {},
  ): Promise<HttpResponse<T>> {
    return this.send<T>(url, { ...options, method: 'POST' });
  }

  put<T>(
    url: string | URL,
    options: Omit<HttpRequestOptions, 'method'> & { schema?: ZodType<T> } = {},
  ): Promise<HttpResponse<T>> {
    return this.send<T>(url, { ...options, method: 'PUT' });
  }

  patch<T>(
    url: string | URL,
    options: Omit<HttpRequestOptions, 'method'> & { schema?: ZodType<T> } = {},
  ): Promise<HttpResponse<T>> {
    return this.send<T>(url, { ...options, method: 'PATCH' });
  }

  delete<T>(
    url: string | URL,
    options: Omit<HttpRequestOptions, 'method'> & { schema?: ZodType<T> } = {},
  ): Promise<HttpResponse<T>> {
    return this.send<T>(url, { ...options, method: 'DELETE' });
  }

  /** Typed by `schema` when given (a mismatch is a non-retryable InvalidPayload), else `unknown`. */
  request<T>(
    url: string | URL,
    options: HttpRequestOptions & { schema: ZodType<T> },
  ): Promise<HttpResponse<T>>;
  request(url: string | URL, options?: HttpRequestOptions): Promise<HttpResponse<unknown>>;
  request<T>(
    url: string | URL,
    options: HttpRequestOptions & { schema?: ZodType<T> } = {},
  ): Promise<HttpResponse<T>> {
    return this.send<T>(url, options);
  }

  /** Releases pooled connections; call on shutdown. */
  async close(): Promise<void> {
    const d = await this.dispatcher;
    this.dispatcher = undefined;
    await d?.close();
  }

  private async send<T>(
    input: string | URL,
    options: HttpRequestOptions & { schema?: ZodType<T> },
  ): Promise<HttpResponse<T>> {
    const method = options.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(input);
    } catch (error) {
      throw new ConfigInvalidError('invalid URL', { cause: error });
    }
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    this.guard.assertScheme(url);
    const safeToRepeat =
      IDEMPOTENT_METHODS.has(method) || options.idempotencyKey !== undefined || options.retrySafe === true;
    const retryHeaders = mergeRetryHeaders(this.options.retryHeaders, options.retryHeaders);
    const classify = (error: unknown): ErrorClassification => {
      const c = classifyError(error, { now: this.now(), retryHeaders });
      if (!c.retryable || safeToRepeat) return c;
      return NOT_SENT_REASONS.has(reasonOf(error) ?? c.reason) ? c : { ...c, retryable: false };
    };
    return retry((attempt) => this.attempt<T>(url, method, options, attempt, retryHeaders), {
      policy: options.retryPolicy ?? this.options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      classify,
      sleep: this.sleep,
      ...(options.abortSignal !== undefined ? { abortSignal: options.abortSignal } : {}),
      ...(this.options.random !== undefined ? { random: this.options.random } : {}),
    });
  }

  private async attempt<T>(
    url: URL,
    method: HttpMethod,
    options: HttpRequestOptions & { schema?: ZodType<T> },
    attempt: number,
    retryHeaders: ResolvedRetryHeaderNames,
  ): Promise<HttpResponse<T>> {
    const caller = options.abortSignal;
    if (caller?.aborted === true)
      throw new CancelledError('request aborted by caller', { cause: caller.reason });
    const key = options.connectionId ?? url.host;
    await this.pauses.acquire(key, caller);

    const timeout = new AbortController();
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      timeout.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    const signal = caller !== undefined ? AbortSignal.any([caller, timeout.signal]) : timeout.signal;
    const started = this.now();
    let status: number | undefined;
    try {
      const { response, finalUrl } = await this.fetchFollowingRedirects(url, method, options, signal);
      status = response.status;
      this.pauses.observe(key, response.status, headerReader(response.headers), retryHeaders);
      if (response.status >= 400) {
        await response.body?.cancel().catch(() => undefined);
        const c = classifyStatus(response.status, headerReader(response.headers), {
          now: this.now(),
          retryHeaders,
        });
        throw new SyncError(c.code, `${method} ${finalUrl.host} answered ${response.status}`, {
          status: response.status,
          retryable: c.retryable,
          ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}),
          ...(this.options.provider !== undefined ? { provider: this.options.provider } : {}),
          details: { reason: c.reason, method, host: finalUrl.host },
        });
      }
      const body = await readBody<T>(response, method, options);
      return { status: response.status, headers: response.headers, url: finalUrl.href, body };
    } catch (error) {
      throw this.normalise(error, caller, timeout.signal, method, url);
    } finally {
      clearTimeout(timer);
      this.options.onAttempt?.({
        method,
        host: url.host,
        attempt,
        durationMs: this.now() - started,
        ...(status !== undefined ? { status } : {}),
      });
    }
  }

  private async fetchFollowingRedirects(
    start: URL,
    initialMethod: HttpMethod,
    options: HttpRequestOptions,
    signal: AbortSignal,
  ): Promise<{ response: Response; finalUrl: URL }> {
    const maxRedirects = this.options.maxRedirects ?? 5;
    const headers = new Headers({
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'azure-sync-engine',
    });
    for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v);
    if (options.idempotencyKey !== undefined)
      headers.set(options.idempotencyKeyHeader ?? 'Idempotency-Key', options.idempotencyKey);
    let body: string | Uint8Array | URLSearchParams | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    let method: HttpMethod = initialMethod;
    let current = start;
    const dispatcher = await this.getDispatcher();
    for (let hop = 0; ; hop++) {
      await this.guard.check(current);
      const response = await this.fetchImpl(current.href, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        signal,
        ...(dispatcher !== undefined ? { dispatcher } : {}),
      });
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null)
        return { response, finalUrl: current };
      await response.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) {
        throw new ProviderRejectedError(`more than ${maxRedirects} redirects`, {
          details: { reason: 'redirect-loop', host: start.host },
        });
      }
      const next = new URL(location, current);
      this.guard.assertScheme(next);
      if (next.origin !== current.origin) for (const h of ORIGIN_BOUND_HEADERS) headers.delete(h);
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
        headers.delete('content-type');
      }
      current = next;
    }
  }

  private getDispatcher(): Promise<ClosableDispatcher | undefined> {
    if (this.options.pinDns === false) return Promise.resolve(undefined);
    this.dispatcher ??= createPinnedDispatcher(this.guard.lookupFunction());
    return this.dispatcher;
  }

  private normalise(
    error: unknown,
    caller: AbortSignal | undefined,
    timeout: AbortSignal,
    method: HttpMethod,
    url: URL,
  ): SyncError {
    const inner = findSyncError(error);
    if (inner !== undefined) return inner;
    if (caller?.aborted === true) return new CancelledError('request aborted by caller', { cause: error });
    if (timeout.aborted) {
      return new ProviderTimeoutError(`${method} ${url.host} timed out`, {
        ...(this.options.provider !== undefined ? { provider: this.options.provider } : {}),
        details: { reason: 'timeout', method, host: url.host },
        cause: error,
      });
    }
    const s = toSyncError(error, { now: this.now() });
    return new SyncError(s.code, `${method} ${url.host} failed: ${s.message}`, {
      retryable: s.retryable,
      ...(s.retryAfterMs !== undefined ? { retryAfterMs: s.retryAfterMs } : {}),
      ...(this.options.provider !== undefined ? { provider: this.options.provider } : {}),
      details: { reason: reasonOf(s) ?? 'unknown', method, host: url.host },
      cause: error,
    });
  }
}

/**
 * fetch wraps a failing lookup (our SSRF refusal) in TypeError('fetch failed', { cause }); on the
 * way through undici the cause may also be re-created as a plain Error named after ours, so the
 * refusal is recognised by shape as well.
 */
function findSyncError(error: unknown): SyncError | undefined {
  let cur: unknown = error;
  for (let i = 0; i < 5 && typeof cur === 'object' && cur !== null; i++) {
    if (isSyncError(cur)) return cur;
    const { name, message } = cur as { name?: unknown; message?: unknown };
    if (
      name === 'SsrfBlockedError' ||
      (typeof message === 'string' && message.startsWith('SsrfBlockedError: '))
    ) {
      const text =
        typeof message === 'string'
          ? message.replace(/^SsrfBlockedError: /, '')
          : 'outbound address not allowed';
      return new SsrfBlockedError(text, { cause: cur, details: { reason: 'connect-lookup' } });
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function reasonOf(error: unknown): string | undefined {
  if (!isSyncError(error)) return undefined;
  const r = error.details?.['reason'];
  return typeof r === 'string' ? r : undefined;
}

async function readBody<T>(
  response: Response,
  method: HttpMethod,
  options: HttpRequestOptions & { schema?: ZodType<T> },
): Promise<T> {
  const type =
    options.responseType ?? ((response.headers.get('content-type') ?? '').includes('json') ? 'json' : 'text');
  if (method === 'HEAD' || response.status === 204 || response.status === 304 || type === 'none') {
    await response.body?.cancel().catch(() => undefined);
    return parseWithSchema(undefined, options.schema);
  }
  if (type === 'bytes') return parseWithSchema(Buffer.from(await response.arrayBuffer()), options.schema);
  const text = await response.text();
  if (type === 'text') return parseWithSchema(text, options.schema);
  if (text.trim() === '') return parseWithSchema(undefined, options.schema);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidPayloadError('provider response is not valid JSON', {
      cause: error,
      details: { reason: 'json' },
    });
  }
  return parseWithSchema(parsed, options.schema);
}

function parseWithSchema<T>(value: unknown, schema: ZodType<T> | undefined): T {
  if (schema === undefined) return value as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // Paths only, never values: they may hold personal data.
  const where = result.error.issues
    .slice(0, 5)
    .map((i) => i.path.join('.') || '(root)')
    .join(', ');
  throw new InvalidPayloadError(`provider response does not match the expected shape at ${where}`, {
    details: { reason: 'schema', issues: result.error.issues.length },
  });
}
