import {
  applyMappingOverrides,
  compileMapping,
  type MappingDocument,
  validateMapping,
} from '../../../shared/mapping';

/** A provider's default mapping for WordPress properties, as an adapter would ship it. */
const wordpressDefault: MappingDocument = {
  resourceType: 'PROPERTY',
  inbound: [
    { from: 'id', to: 'wordpressId', transform: 'string', reverse: false },
    { from: 'title.rendered', to: 'title', transform: 'htmlToText', reverse: false },
    { from: 'acf.price', to: 'price', transform: 'number' },
    { from: 'acf.bedrooms', to: 'bedrooms', transform: 'integer' },
  ],
  outbound: [{ from: 'title', to: 'title', transform: 'string' }],
  hash: { ignore: ['modified'] },
};

describe('per-integration overrides of a default mapping', () => {
  it('moves canonical fields to other external keys in both directions', () => {
    const doc = applyMappingOverrides(wordpressDefault, {
      fields: { price: 'acf.asking_price', title: 'acf.headline' },
    });
    const mapping = compileMapping(doc);
    expect(
      mapping.toInternalSync({ id: 5, title: { rendered: 'x' }, acf: { asking_price: '100', price: '1' } }),
    ).toMatchObject({
      price: 100,
    });
    expect(mapping.toExternalSync({ title: 'Flat', price: 100 })).toEqual({
      acf: { headline: 'Flat', asking_price: 100 },
    });
  });

  it('drops fields, patches rules and adds new ones', () => {
    const doc = applyMappingOverrides(wordpressDefault, {
      fields: {
        bedrooms: null,
        price: { transform: { type: 'toMinorUnits', currency: 'GBP' } },
        'location.city': { external: 'acf.city', transform: 'trim' },
      },
      hash: { ignore: ['acf.views'] },
    });
    expect(validateMapping(doc, { direction: 'bidirectional' })).toMatchObject({ ok: true });
    const mapping = compileMapping(doc);
    expect(
      mapping.toInternalSync({
        id: 1,
        title: { rendered: 'T' },
        acf: { price: '199.99', bedrooms: 3, city: ' York ' },
      }),
    ).toEqual({ wordpressId: '1', title: 'T', price: 19999, location: { city: 'York' } });
    expect(doc.hash?.ignore).toEqual(['modified', 'acf.views']);
    // The provider default itself is untouched.
    expect(wordpressDefault.inbound).toHaveLength(4);
  });

  it('needs an external key to add a field', () => {
    expect(() =>
      applyMappingOverrides(wordpressDefault, { fields: { newField: { transform: 'trim' } } }),
    ).toThrow(/needs an external key/);
  });
});
