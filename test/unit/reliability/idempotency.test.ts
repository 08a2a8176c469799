import fc from 'fast-check';

import { idempotencyKey, stableStringify } from '../../../shared/reliability';

describe('idempotencyKey', () => {
  it('is stable, hex and 64 chars', () => {
    const k = idempotencyKey('tenant-1', 'int-9', 'contacts', 42);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(idempotencyKey('tenant-1', 'int-9', 'contacts', 42)).toBe(k);
  });

  it('does not collide where a joined string would', () => {
    expect(idempotencyKey('a:b', 'c')).not.toBe(idempotencyKey('a', 'b:c'));
    expect(idempotencyKey('1')).not.toBe(idempotencyKey(1));
    expect(idempotencyKey(['a', 'b'])).not.toBe(idempotencyKey('a', 'b'));
  });

  it('ignores object key order', () => {
    expect(idempotencyKey({ a: 1, b: { c: 2, d: 3 } })).toBe(idempotencyKey({ b: { d: 3, c: 2 }, a: 1 }));
    expect(stableStringify({ b: 1, a: undefined, c: [undefined, null] })).toBe('{"b":1,"c":[null,null]}');
  });

  it('different part lists give different keys (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.array(fc.string()), (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        return idempotencyKey(...a) !== idempotencyKey(...b);
      }),
    );
  });
});
