import fc from 'fast-check';

import {
  CancelledError,
  DEFAULT_RETRY_POLICY,
  fullJitterDelayMs,
  nextRetryDelayMs,
  ProviderRejectedError,
  ProviderUnavailableError,
  retry,
  sleep,
} from '../../../shared/reliability';

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 10_000 };

describe('backoff', () => {
  it('full jitter stays within [0, min(cap, base·2^n))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, r) => {
          const d = fullJitterDelayMs(n, policy, () => r);
          return d >= 0 && d < Math.min(1000, 100 * 2 ** n);
        },
      ),
    );
  });

  it('grows exponentially until the cap', () => {
    const top = (n: number): number => fullJitterDelayMs(n, policy, () => 0.999999);
    expect([0, 1, 2, 3, 4, 10].map(top)).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('honours Retry-After as a floor and gives up when it is too long', () => {
    expect(nextRetryDelayMs(1, { retryable: true, retryAfterMs: 3000 }, policy, () => 0)).toBe(3000);
    expect(nextRetryDelayMs(1, { retryable: true, retryAfterMs: 3000 }, policy, () => 0.5)).toBe(3050);
    expect(nextRetryDelayMs(1, { retryable: true, retryAfterMs: 60_000 }, policy)).toBeUndefined();
  });

  it('stops for non-retryable errors and after maxAttempts', () => {
    expect(nextRetryDelayMs(1, { retryable: false }, policy)).toBeUndefined();
    expect(nextRetryDelayMs(4, { retryable: true }, policy, () => 0)).toBe(0);
    expect(nextRetryDelayMs(5, { retryable: true }, policy)).toBeUndefined();
  });
});

describe('retry', () => {
  const noSleep = jest.fn(() => Promise.resolve());

  it('retries retryable failures then returns the value', async () => {
    let calls = 0;
    const result = await retry(
      () => {
        calls++;
        return calls < 3 ? Promise.reject(new ProviderUnavailableError()) : Promise.resolve('done');
      },
      { policy, sleep: noSleep },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('rethrows a non-retryable error at once, unchanged', async () => {
    const rejected = new ProviderRejectedError('bad request', { status: 400 });
    let calls = 0;
    await expect(
      retry(
        () => {
          calls++;
          return Promise.reject(rejected);
        },
        { policy, sleep: noSleep },
      ),
    ).rejects.toBe(rejected);
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        () => {
          calls++;
          return Promise.reject(new ProviderUnavailableError(`try ${calls}`));
        },
        { policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 }, sleep: noSleep },
      ),
    ).rejects.toThrow('try 3');
    expect(calls).toBe(3);
  });

  it('sleep rejects with CancelledError when aborted', async () => {
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    await expect(sleep(5, AbortSignal.abort())).rejects.toBeInstanceOf(CancelledError);
  });
});
