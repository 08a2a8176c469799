import { err, isErr, isOk, mapErr, mapResult, ok, unwrap, unwrapOr } from '../../../shared/domain/result';

describe('Result', () => {
  it('narrows and maps', () => {
    const good = ok(2);
    const bad = err({ reason: 'bad-signature' as const });
    expect(isOk(good) && good.value).toBe(2);
    expect(isErr(bad) && bad.error.reason).toBe('bad-signature');
    expect(mapResult(good, (n) => n * 3)).toEqual({ ok: true, value: 6 });
    expect(mapResult(bad, () => 1)).toBe(bad);
    expect(mapErr(bad, (e) => e.reason.length)).toEqual({ ok: false, error: 13 });
    expect(unwrapOr(bad, 7)).toBe(7);
    expect(ok()).toEqual({ ok: true, value: undefined });
  });

  it('unwrap throws the error (or a described one) for Err', () => {
    const e = new Error('x');
    expect(() => unwrap(err(e))).toThrow(e);
    expect(() => unwrap(err({ reason: 'stale' }))).toThrow('unwrap of an Err: {"reason":"stale"}');
    expect(unwrap(ok('v'))).toBe('v');
  });
});
