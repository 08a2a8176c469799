import type { CircuitState } from '../../../shared/reliability';
import {
  CircuitBreaker,
  ProviderRejectedError,
  ProviderUnavailableError,
  SyncError,
} from '../../../shared/reliability';

function setup(options: { failureThreshold?: number; halfOpenMaxCalls?: number } = {}) {
  let now = 1_000;
  const transitions: [CircuitState, CircuitState][] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: 3,
    resetTimeoutMs: 10_000,
    now: () => now,
    name: 'acme',
    onStateChange: (from, to) => transitions.push([from, to]),
    ...options,
  });
  const fail = () => breaker.execute(() => Promise.reject(new ProviderUnavailableError('down')));
  const succeed = () => breaker.execute(() => Promise.resolve('ok'));
  return { breaker, fail, succeed, transitions, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold and fails fast with the remaining wait', async () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    advance(4_000);
    const operation = jest.fn(() => Promise.resolve(1));
    const error: unknown = await breaker.execute(operation).catch((e: unknown) => e);
    expect(operation).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject({ code: 'ProviderUnavailable', retryable: true, retryAfterMs: 6_000 });
  });

  it('a success resets the consecutive-failure count', async () => {
    const { breaker, fail, succeed } = setup();
    await expect(fail()).rejects.toThrow();
    await expect(fail()).rejects.toThrow();
    await succeed();
    await expect(fail()).rejects.toThrow();
    await expect(fail()).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });

  it('non-retryable errors do not count against the provider', async () => {
    const { breaker } = setup();
    for (let i = 0; i < 5; i++) {
      await expect(breaker.execute(() => Promise.reject(new ProviderRejectedError('400')))).rejects.toThrow(
        '400',
      );
    }
    expect(breaker.state).toBe('closed');
  });

  it('half-open: one trial closes it on success', async () => {
    const { breaker, fail, succeed, advance, transitions } = setup();
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow();
    advance(10_000);
    expect(breaker.state).toBe('half-open');
    await expect(succeed()).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
  });

  it('half-open: a failed trial re-opens it for a full timeout', async () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow();
    advance(10_000);
    await expect(fail()).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    advance(9_999);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half-open');
  });

  it('half-open admits only halfOpenMaxCalls concurrent trials', async () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow();
    advance(10_000);
    let release: () => void = () => undefined;
    const trial = breaker.execute(
      () =>
        new Promise<string>(
          (r) =>
            (release = () => {
              r('trial');
            }),
        ),
    );
    await expect(breaker.execute(() => Promise.resolve('second'))).rejects.toThrow(/circuit open for acme/);
    release();
    await expect(trial).resolves.toBe('trial');
    await expect(breaker.execute(() => Promise.resolve('after'))).resolves.toBe('after');
  });
});
