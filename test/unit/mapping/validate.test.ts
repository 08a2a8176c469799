import {
  compileMapping,
  MappingDocumentSchema,
  type MappingProblem,
  validateMapping,
} from '../../../shared/mapping';

function problems(
  doc: unknown,
  direction: 'inbound' | 'outbound' | 'bidirectional' = 'inbound',
): MappingProblem[] {
  const result = validateMapping(doc, { direction });
  return result.ok ? [] : [...result.problems];
}

describe('validateMapping', () => {
  it('reports every problem of a document, each with where it is', () => {
    const found = problems({
      resourceType: 'T',
      inbound: [
        { from: 'a', to: 'a', transform: 'nope' },
        { from: 'b', to: 'b', transform: { type: 'enum' } },
        { from: 'c', to: 'c', transform: ['trim', { type: 'round', decimals: 99 }] },
        { from: 'd..e', to: 'd' },
        { to: 'e' },
      ],
    });
    expect(found.map((p) => p.path)).toEqual(['inbound[3].from', 'inbound[4].from']);
    // Structural problems come first; once the shape is right, the transform arguments are checked.
    const next = problems({
      resourceType: 'T',
      inbound: [
        { from: 'a', to: 'a', transform: 'nope' },
        { from: 'b', to: 'b', transform: { type: 'enum' } },
        { from: 'c', to: 'c', transform: ['trim', { type: 'round', decimals: 99 }] },
      ],
    });
    expect(next.map((p) => [p.path, p.field])).toEqual([
      ['inbound[0].transform', 'a'],
      ['inbound[1].transform.mapping', 'b'],
      ['inbound[2].transform[1].decimals', 'c'],
    ]);
    expect(next[0]?.message).toBe('unknown transform "nope"');
  });

  it('refuses two rules writing the same target or one writing inside the other', () => {
    expect(
      problems({
        resourceType: 'T',
        inbound: [
          { from: 'a', to: 'x' },
          { from: 'b', to: 'x' },
          { from: 'c', to: 'y' },
          { from: 'd', to: 'y.z' },
          { from: 'e', to: 'list[0]' },
          { from: 'f', to: 'list.k' },
        ],
      }).map((p) => p.message),
    ).toEqual([
      'target "x" is also written by "x" (inbound[0])',
      'target "y.z" overlaps (one writes inside the other) "y" (inbound[2])',
      'target "list.k" uses as an array what another rule uses as an object: "list[0]" (inbound[4])',
    ]);
  });

  it('checks wildcard shapes and where lookups may go', () => {
    const found = problems({
      resourceType: 'T',
      inbound: [
        { from: 'a', to: 'items[*].x' },
        { from: ['a[*]', 'b'], to: 'ab' },
        { from: 'ids[*]', to: 'out[*]', transform: { type: 'lookup', resourceType: 'U' } },
        {
          from: 'ids',
          to: 'two',
          transform: [
            { type: 'lookup', resourceType: 'U' },
            { type: 'lookup', resourceType: 'U' },
          ],
        },
        {
          from: 'list',
          to: 'nested',
          transform: { type: 'map', pipeline: { type: 'lookup', resourceType: 'U' } },
        },
      ],
    });
    expect(found.map((p) => p.message)).toEqual([
      'target has 1 wildcard(s) but the source has 0; they must match (or the target has none)',
      'several sources cannot use wildcards',
      'a rule with a lookup cannot write through a wildcard',
      'a rule can have at most one lookup',
      'lookup must be a top-level step of a rule, not inside map',
    ]);
  });

  it('needs rules for the direction the integration syncs', () => {
    expect(problems({ resourceType: 'T' }, 'inbound')[0]?.message).toMatch(/needs inbound rules/);
    expect(problems({ resourceType: 'T' }, 'outbound')[0]?.message).toMatch(/needs outbound rules/);
    expect(problems({ resourceType: 'T', inbound: [{ from: 'a', to: 'b' }] }, 'outbound')).toEqual([]);
  });
});

describe('bidirectional mappings', () => {
  it('names the field whose rule cannot be inverted', () => {
    const found = problems(
      {
        resourceType: 'CONTACT',
        inbound: [
          { from: 'email', to: 'email', transform: 'email' },
          {
            from: 'stage',
            to: 'lifecycle',
            transform: { type: 'enum', mapping: { lead: 'LEAD', mql: 'LEAD' } },
          },
          { from: ['first', 'last'], to: 'name', transform: { type: 'concat', separator: ' ' } },
          { from: 'bio_html', to: 'bio', transform: 'htmlToText' },
        ],
      },
      'bidirectional',
    );
    expect(found.map((p) => [p.path, p.field])).toEqual([
      ['inbound[1]', 'lifecycle'],
      ['inbound[2]', 'name'],
      ['inbound[3]', 'bio'],
    ]);
    expect(found[0]?.message).toBe(
      'field "lifecycle" cannot be written back to "stage": enum maps two values to the same target. ' +
        'Add "reverse" to the rule (false for read-only fields), or an outbound rule writing "stage".',
    );
  });

  it('accepts an explicit reverse, a read-only marker or a declared outbound rule instead', () => {
    const doc = {
      resourceType: 'CONTACT',
      inbound: [
        {
          from: 'stage',
          to: 'lifecycle',
          transform: { type: 'enum', mapping: { lead: 'LEAD', mql: 'LEAD' } },
          reverse: { transform: { type: 'enum', mapping: { LEAD: 'lead' } } },
        },
        {
          from: ['first', 'last'],
          to: 'name',
          transform: { type: 'concat', separator: ' ' },
          reverse: false,
        },
        { from: 'bio_html', to: 'bio', transform: 'htmlToText' },
      ],
      outbound: [{ from: 'bio', to: 'bio_html', transform: { type: 'template', template: '<p>{}</p>' } }],
    };
    expect(problems(doc, 'bidirectional')).toEqual([]);
    const mapping = compileMapping(doc);
    expect(mapping.toExternalSync({ lifecycle: 'LEAD', name: 'Ada Lovelace', bio: 'Hi' })).toEqual({
      bio_html: '<p>Hi</p>',
      stage: 'lead',
    });
  });

  it('derives reverses for invertible pipelines and checks them', () => {
    const doc = {
      resourceType: 'T',
      inbound: [
        { from: 'price', to: 'priceMinor', transform: { type: 'toMinorUnits', currency: 'EUR' } },
        { from: 'ts', to: 'at', transform: { type: 'datetime', format: 'epochSeconds' } },
        { from: 'csv', to: 'tags', transform: { type: 'split', separator: ';' } },
        { from: 'meta', to: 'meta', transform: 'json' },
        { from: 'h', to: 'height', transform: { type: 'convertUnit', from: 'in', to: 'cm' } },
        {
          from: 'done',
          to: 'status',
          transform: { type: 'enum', mapping: { 1: 'DONE', 0: 'OPEN' }, keyType: 'number' },
        },
      ],
    };
    expect(problems(doc, 'bidirectional')).toEqual([]);
    const mapping = compileMapping(doc);
    const external = { price: 12.5, ts: 1741083330, csv: 'a;b', meta: '{"k":[1]}', h: 70, done: 1 };
    expect(mapping.toExternalSync(mapping.toInternalSync(external))).toEqual(external);
  });
});

describe('the document schema', () => {
  it('refuses prototype-polluting path segments wherever a path goes', () => {
    for (const bad of ['__proto__', 'a.constructor', 'a[0].prototype', 'a["__proto__"]', 'x.__proto__.y']) {
      const doc = {
        resourceType: 'T',
        inbound: [
          { from: bad, to: 'ok' },
          { from: 'ok', to: bad },
        ],
      };
      expect(MappingDocumentSchema.safeParse(doc).success).toBe(false);
      expect(problems(doc).map((p) => p.path)).toEqual(['inbound[0].from', 'inbound[1].to']);
    }
    const inCondition = {
      resourceType: 'T',
      inbound: [{ from: 'a', to: 'b', when: { path: 'constructor', exists: true } }],
    };
    expect(problems(inCondition)).toHaveLength(1);
    const inHashIgnore = {
      resourceType: 'T',
      inbound: [{ from: 'a', to: 'b' }],
      hash: { ignore: ['prototype'] },
    };
    expect(problems(inHashIgnore)).toHaveLength(1);
  });

  it('refuses unknown keys so typos are not silently ignored', () => {
    expect(
      problems({ resourceType: 'T', inbound: [{ from: 'a', to: 'b', requried: true }] })[0]?.message,
    ).toMatch(/requried/);
  });
});
