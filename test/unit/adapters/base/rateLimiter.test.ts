import { KeyedRateLimiter } from '../../../../adapters/base/rateLimiter';
import { CancelledError } from '../../../../shared/reliability';

function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
    sleeps,
    advance: (ms: number) => (t += ms),
  };
}

const headers = (h: Record<string, string>) => (name: string) => h[name.toLowerCase()];

describe('KeyedRateLimiter', () => {
  it('lets a burst through, then spaces requests at the rate', async () => {
    const clock = fakeClock();
    const limiter = new KeyedRateLimiter({ requestsPerSecond: 10, burst: 3, ...clock });
    for (let i = 0; i < 5; i++) await limiter.acquire('conn-a');
    expect(clock.sleeps).toEqual([100, 100]);
    expect(clock.now()).toBe(200);
  });

  it('keeps connections independent', async () => {
    const clock = fakeClock();
    const limiter = new KeyedRateLimiter({ requestsPerSecond: 1, burst: 1, ...clock });
    await limiter.acquire('a');
    await limiter.acquire('b');
    expect(clock.sleeps).toEqual([]);
    await limiter.acquire('a');
    expect(clock.sleeps).toEqual([1000]);
  });

  it('pauses a connection for Retry-After on 429', async () => {
    const clock = fakeClock();
    const limiter = new KeyedRateLimiter({ requestsPerSecond: 100, burst: 10, ...clock });
    limiter.observe('a', 429, headers({ 'retry-after': '3' }));
    expect(limiter.waitTime('a')).toBe(3000);
    expect(limiter.waitTime('b')).toBe(0);
    await limiter.acquire('a');
    expect(clock.sleeps).toEqual([3000]);
  });

  it('pauses until X-RateLimit-Reset when X-RateLimit-Remaining hits 0', () => {
    const clock = fakeClock();
    clock.advance(1_700_000_000_000);
    const limiter = new KeyedRateLimiter({ requestsPerSecond: 100, burst: 10, ...clock });
    limiter.observe('a', 200, headers({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '1700000060' }));
    expect(limiter.waitTime('a')).toBe(0);
    limiter.observe('a', 200, headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000060' }));
    expect(limiter.waitTime('a')).toBe(60_000);
    // Descriptor-specific names are honoured.
    limiter.observe('b', 200, headers({ 'x-quota-left': '0', 'x-quota-reset': '7' }), {
      rateLimitRemaining: ['x-quota-left'],
      rateLimitReset: ['x-quota-reset'],
    });
    expect(limiter.waitTime('b')).toBe(7000);
  });

  it('a wait is cancelled by the abort signal', async () => {
    const limiter = new KeyedRateLimiter({ requestsPerSecond: 0.001, burst: 1 });
    await limiter.acquire('a');
    const ac = new AbortController();
    const pending = limiter.acquire('a', ac.signal);
    ac.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });

  it('forgets idle buckets beyond maxKeys but keeps paused ones', () => {
    const clock = fakeClock();
    const limiter = new KeyedRateLimiter({ requestsPerSecond: 1, burst: 1, maxKeys: 2, ...clock });
    limiter.pause('paused', 10_000);
    expect(limiter.waitTime('idle')).toBe(0);
    expect(limiter.waitTime('new')).toBe(0);
    expect(limiter.waitTime('paused')).toBe(10_000);
  });
});
