import {
  classifyError,
  ensureError,
  parseRateLimitReset,
  parseRetryAfter,
  ProviderAuthExpiredError,
  ProviderRateLimitedError,
  RecordConflictError,
  SyncError,
  toSyncError,
} from '../../../shared/reliability';

const NOW = Date.parse('2025-01-01T00:00:00Z');

describe('classifyError', () => {
  const cases: [string, unknown, { retryable: boolean; code: string; retryAfterMs?: number }][] = [
    [
      'SyncError keeps its own verdict',
      new ProviderRateLimitedError('x', { retryAfterMs: 1200 }),
      { retryable: true, code: 'ProviderRateLimited', retryAfterMs: 1200 },
    ],
    [
      'SyncError override of the default',
      new RecordConflictError('x', { retryable: true }),
      { retryable: true, code: 'RecordConflict' },
    ],
    [
      'auth expired is not retried',
      new ProviderAuthExpiredError(),
      { retryable: false, code: 'ProviderAuthExpired' },
    ],
    [
      'HTTP 429 with Retry-After seconds',
      { status: 429, headers: { 'Retry-After': '7' } },
      { retryable: true, code: 'ProviderRateLimited', retryAfterMs: 7000 },
    ],
    [
      'HTTP 429 with Retry-After HTTP-date',
      { status: 429, headers: new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }) },
      { retryable: true, code: 'ProviderRateLimited', retryAfterMs: 30000 },
    ],
    [
      'HTTP 429 with X-RateLimit-Reset epoch seconds',
      { status: 429, headers: { 'x-ratelimit-reset': String(NOW / 1000 + 12) } },
      { retryable: true, code: 'ProviderRateLimited', retryAfterMs: 12000 },
    ],
    [
      'HTTP 403 with exhausted quota is a rate limit',
      { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '5' } },
      { retryable: true, code: 'ProviderRateLimited', retryAfterMs: 5000 },
    ],
    [
      'HTTP 403 otherwise is a rejection',
      { status: 403, headers: {} },
      { retryable: false, code: 'ProviderRejected' },
    ],
    ['HTTP 408', { statusCode: 408 }, { retryable: true, code: 'ProviderTimeout' }],
    ['HTTP 401', { status: 401 }, { retryable: false, code: 'ProviderAuthExpired' }],
    ['HTTP 400', { status: 400 }, { retryable: false, code: 'ProviderRejected' }],
    ['HTTP 404', { response: { status: 404 } }, { retryable: false, code: 'RecordNotFound' }],
    ['HTTP 409', { status: 409 }, { retryable: false, code: 'RecordConflict' }],
    ['HTTP 422', { status: 422 }, { retryable: false, code: 'ProviderRejected' }],
    ['HTTP 500', { status: 500 }, { retryable: true, code: 'ProviderUnavailable' }],
    ['HTTP 501 is permanent', { status: 501 }, { retryable: false, code: 'ProviderRejected' }],
    ['HTTP 502', { status: 502 }, { retryable: true, code: 'ProviderUnavailable' }],
    [
      'HTTP 503 with Retry-After',
      { status: 503, headers: { 'retry-after': '2' } },
      { retryable: true, code: 'ProviderUnavailable', retryAfterMs: 2000 },
    ],
    ['HTTP 504', { status: 504 }, { retryable: true, code: 'ProviderTimeout' }],
    [
      'Cosmos 429 uses retryAfterInMs',
      { code: 429, retryAfterInMs: 850 },
      { retryable: true, code: 'ProviderRateLimited', retryAfterMs: 850 },
    ],
    ['Cosmos 408', { code: 408 }, { retryable: true, code: 'ProviderTimeout' }],
    ['Cosmos 503', { code: 503 }, { retryable: true, code: 'ProviderUnavailable' }],
    ['Cosmos 449 retry-with', { code: 449 }, { retryable: true, code: 'RecordConflict' }],
    ['Cosmos 412 ETag mismatch', { code: 412 }, { retryable: false, code: 'RecordConflict' }],
    ['Cosmos 409 unique key', { code: 409 }, { retryable: false, code: 'RecordConflict' }],
    ['Cosmos 404', { code: 404 }, { retryable: false, code: 'RecordNotFound' }],
    ['Cosmos 400', { code: 400 }, { retryable: false, code: 'InvalidPayload' }],
    [
      'ServiceBusError busy',
      { name: 'ServiceBusError', code: 'ServiceBusy', retryable: true },
      { retryable: true, code: 'ProviderRateLimited' },
    ],
    [
      'ServiceBusError timeout',
      { name: 'ServiceBusError', code: 'ServiceTimeout', retryable: true },
      { retryable: true, code: 'ProviderTimeout' },
    ],
    [
      'ServiceBusError entity missing',
      { name: 'ServiceBusError', code: 'MessagingEntityNotFound', retryable: false },
      { retryable: false, code: 'ConfigInvalid' },
    ],
    [
      'ServiceBusError lock lost',
      { name: 'ServiceBusError', code: 'MessageLockLost', retryable: false },
      { retryable: false, code: 'RecordConflict' },
    ],
    [
      'ServiceBusError unknown code keeps its flag',
      { name: 'ServiceBusError', code: 'Weird', retryable: true },
      { retryable: true, code: 'Internal' },
    ],
    [
      'ECONNRESET',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      { retryable: true, code: 'ProviderUnavailable' },
    ],
    [
      'ECONNREFUSED',
      Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      { retryable: true, code: 'ProviderUnavailable' },
    ],
    [
      'ETIMEDOUT',
      Object.assign(new Error('t'), { code: 'ETIMEDOUT' }),
      { retryable: true, code: 'ProviderTimeout' },
    ],
    [
      'EAI_AGAIN',
      Object.assign(new Error('dns'), { code: 'EAI_AGAIN' }),
      { retryable: true, code: 'ProviderUnavailable' },
    ],
    [
      'ENOTFOUND is permanent',
      Object.assign(new Error('dns'), { code: 'ENOTFOUND' }),
      { retryable: false, code: 'ProviderUnavailable' },
    ],
    [
      'fetch failed wraps the socket error in cause',
      new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }) }),
      { retryable: true, code: 'ProviderUnavailable' },
    ],
    [
      'AbortSignal.timeout reason',
      new DOMException('timed out', 'TimeoutError'),
      { retryable: true, code: 'ProviderTimeout' },
    ],
    ['caller abort', new DOMException('aborted', 'AbortError'), { retryable: false, code: 'Cancelled' }],
    ['plain Error is a bug', new Error('boom'), { retryable: false, code: 'Internal' }],
    ['thrown string', 'boom', { retryable: false, code: 'Internal' }],
    ['thrown undefined', undefined, { retryable: false, code: 'Internal' }],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    const c = classifyError(input, { now: NOW });
    expect({
      retryable: c.retryable,
      code: c.code,
      ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}),
    }).toEqual(expected);
    expect(c.reason).toMatch(/^[a-zA-Z0-9_-]+$/);
  });

  it('uses the descriptor-provided retry header names', () => {
    const c = classifyError(
      { status: 429, headers: { 'x-hubspot-retry-in': '3' } },
      { now: NOW, retryHeaders: { retryAfter: ['x-hubspot-retry-in'] } },
    );
    expect(c.retryAfterMs).toBe(3000);
  });
});

describe('Retry-After parsing', () => {
  it.each([
    ['120', 120_000],
    [' 1.5 ', 1500],
    ['Wed, 01 Jan 2025 00:01:00 GMT', 60_000],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p → %p', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([
    ['30', 30_000],
    [String(NOW / 1000 + 45), 45_000],
    [String(NOW + 2500), 2500],
    [String(NOW / 1000 - 10), 0],
  ])('X-RateLimit-Reset %p → %p', (value, expected) => {
    expect(parseRateLimitReset(value, NOW)).toBe(expected);
  });
});

describe('ensureError / toSyncError', () => {
  it('keeps Errors and wraps everything else', () => {
    const e = new RangeError('r');
    expect(ensureError(e)).toBe(e);
    expect(ensureError('text').message).toBe('text');
    expect(ensureError({ message: 'like', name: 'Foo' })).toMatchObject({ message: 'like', name: 'Foo' });
    expect(ensureError({ a: 1 }).message).toBe('non-error thrown: {"a":1}');
    expect(ensureError(null).message).toBe('non-error thrown: null');
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(ensureError(circular).message).toBe('non-error thrown: [object Object]');
  });

  it('turns a Cosmos 429 into a retryable SyncError that keeps the cause', () => {
    const cosmos = Object.assign(new Error('Request rate is large'), { code: 429, retryAfterInMs: 40 });
    const s = toSyncError(cosmos);
    expect(s).toBeInstanceOf(SyncError);
    expect(s).toMatchObject({ code: 'ProviderRateLimited', retryable: true, retryAfterMs: 40 });
    expect(s.cause).toBe(cosmos);
    expect(JSON.stringify(s)).not.toContain('cause');
  });
});
