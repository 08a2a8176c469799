import { mergeGroupedFields } from '../../../shared/mapping';

describe('mergeGroupedFields (seed 000 ACF rule)', () => {
  const existing = {
    details: { bedrooms: 3, bathrooms: 2, garage: true },
    location: { city: 'Leeds', postcode: 'LS1' },
    gallery: ['a.jpg', 'b.jpg'],
    price: 250000,
  };

  it('merges dictionaries group by group and keeps what the update does not mention', () => {
    expect(mergeGroupedFields(existing, { details: { bedrooms: 4 }, price: 245000 })).toEqual({
      details: { bedrooms: 4, bathrooms: 2, garage: true },
      location: { city: 'Leeds', postcode: 'LS1' },
      gallery: ['a.jpg', 'b.jpg'],
      price: 245000,
    });
  });

  it('replaces non-dictionary values, arrays included, and dictionaries that replace scalars', () => {
    const merged = mergeGroupedFields(existing, {
      gallery: ['c.jpg'],
      price: { amount: 1 },
      location: 'unknown',
    });
    expect(merged['gallery']).toEqual(['c.jpg']);
    expect(merged['price']).toEqual({ amount: 1 });
    expect(merged['location']).toBe('unknown');
  });

  it('merges one level only: a dictionary inside a group is replaced whole', () => {
    const merged = mergeGroupedFields({ g: { inner: { a: 1, b: 2 } } }, { g: { inner: { a: 9 } } });
    expect(merged).toEqual({ g: { inner: { a: 9 } } });
  });

  it('starts from nothing and leaves both inputs untouched', () => {
    const update = { details: { bedrooms: 1 } };
    expect(mergeGroupedFields(undefined, update)).toEqual(update);
    const before = JSON.stringify(existing);
    mergeGroupedFields(existing, { details: { bedrooms: 9 } });
    expect(JSON.stringify(existing)).toBe(before);
  });

  it('keeps a "__proto__" key from JSON as data without touching any prototype', () => {
    const update = JSON.parse(
      '{"__proto__": {"polluted": true}, "details": {"__proto__": {"polluted": true}}}',
    ) as Record<string, unknown>;
    const merged = mergeGroupedFields(existing, update);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((merged as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(merged)).toContain('__proto__');
    expect(Object.getPrototypeOf(merged['details'])).toBe(Object.prototype);
  });
});
