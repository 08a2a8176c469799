import { canonicalHash, canonicalize, compileMapping } from '../../../shared/mapping';

describe('canonicalHash', () => {
  it('ignores key order at every depth', () => {
    expect(canonicalHash({ a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(
      canonicalHash({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }),
    );
  });

  it('treats numbers by value: 1 and 1.0, -0 and 0', () => {
    expect(canonicalHash(JSON.parse('{"n": 1.0, "z": -0}'))).toBe(canonicalHash({ n: 1, z: 0 }));
  });

  it('treats equivalent ISO date-times as equal, and Date objects like their ISO form', () => {
    const a = canonicalHash({ at: '2025-01-01T10:00:00+02:00' });
    expect(canonicalHash({ at: '2025-01-01T08:00:00.000Z' })).toBe(a);
    expect(canonicalHash({ at: '2025-01-01T08:00:00Z' })).toBe(a);
    expect(canonicalHash({ at: '2025-01-01 08:00:00.000000z' })).toBe(a);
    expect(canonicalHash({ at: new Date('2025-01-01T08:00:00Z') })).toBe(a);
    expect(canonicalHash({ at: '2025-01-01T08:00:01Z' })).not.toBe(a);
  });

  it('still tells apart what differs: types, array order, values', () => {
    const base = canonicalHash({ a: [1, 2], b: '1' });
    expect(canonicalHash({ a: [2, 1], b: '1' })).not.toBe(base);
    expect(canonicalHash({ a: [1, 2], b: 1 })).not.toBe(base);
    expect(canonicalHash({ a: [1, 2], b: '1', c: null })).not.toBe(base);
    // An absent key and an undefined one are the same record.
    expect(canonicalHash({ a: [1, 2], b: '1', c: undefined })).toBe(base);
  });

  it('leaves out volatile fields named by the ignore list, including under wildcards', () => {
    const options = { ignore: ['modified', 'meta.etag', 'items[*].updated_at'] };
    const a = { title: 'x', modified: 1, meta: { etag: 'a', v: 1 }, items: [{ id: 1, updated_at: 'then' }] };
    const b = { title: 'x', modified: 2, meta: { etag: 'b', v: 1 }, items: [{ id: 1, updated_at: 'now' }] };
    expect(canonicalHash(a, options)).toBe(canonicalHash(b, options));
    expect(canonicalHash(a)).not.toBe(canonicalHash(b));
    expect(canonicalHash({ ...b, title: 'y' }, options)).not.toBe(canonicalHash(a, options));
    expect(() => canonicalHash(a, { ignore: ['__proto__'] })).toThrow(/not allowed/);
  });

  it('uses the mapping document ignore list for records of that resource', () => {
    const mapping = compileMapping({
      resourceType: 'POST',
      inbound: [{ from: 'a', to: 'a' }],
      hash: { ignore: ['modified'] },
    });
    expect(mapping.hashRecord({ a: 1, modified: 'x' })).toBe(mapping.hashRecord({ a: 1, modified: 'y' }));
  });

  it('shows the canonical text it hashes', () => {
    expect(canonicalize({ b: 1.0, a: '2025-01-01T02:00:00+02:00' })).toBe(
      '{"a":"2025-01-01T00:00:00.000Z","b":1}',
    );
  });
});
