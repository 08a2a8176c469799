import fc from 'fast-check';

import {
  canonicalHash,
  compileMapping,
  type FieldRule,
  MappingConfigError,
  type MappingDocument,
  MappingError,
  mergeGroupedFields,
  validateMapping,
} from '../../../shared/mapping';
import { createInMemoryLinkLookup } from '../../../shared/ports/linkLookup';

const scope = { tenantId: 't', integrationId: 'i' };
const LINKED = ['u-1', 'u-2', 'u-3'];
const links = createInMemoryLinkLookup(
  LINKED.map((externalId, k) => ({ ...scope, resourceType: 'USER', externalId, internalId: `user-${k}` })),
);
const ctx = { ...scope, links };

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const dateArb = fc.date({
  min: new Date('1900-01-01T00:00:00Z'),
  max: new Date('2200-12-31T23:59:59Z'),
  noInvalidDate: true,
});

/**
 * Kinds of invertible rules, each with values of the external side in canonical form. A kind
 * builds its rule from the external and internal key it is given.
 */
interface Kind {
  readonly rule: (ext: string, int: string) => FieldRule;
  readonly value: fc.Arbitrary<unknown>;
  /** Wildcard kinds own a whole array field. */
  readonly wrap?: (v: unknown) => unknown;
}

const kinds: Readonly<Record<string, Kind>> = {
  plain: { rule: (e, i) => ({ from: e, to: i }), value: fc.jsonValue({ maxDepth: 2 }) },
  string: { rule: (e, i) => ({ from: e, to: i, transform: 'string' }), value: fc.string() },
  number: {
    rule: (e, i) => ({ from: e, to: i, transform: 'number' }),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  },
  integer: { rule: (e, i) => ({ from: e, to: i, transform: 'integer' }), value: fc.maxSafeInteger() },
  boolean: { rule: (e, i) => ({ from: e, to: i, transform: 'boolean' }), value: fc.boolean() },
  trim: {
    rule: (e, i) => ({ from: e, to: i, transform: ['trim', 'lowercase'] }),
    value: fc
      .string()
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s === s.trim()),
  },
  date: {
    rule: (e, i) => ({ from: e, to: i, transform: 'date' }),
    value: dateArb.map((d) => d.toISOString().slice(0, 10)),
  },
  datetime: {
    rule: (e, i) => ({ from: e, to: i, transform: 'datetime' }),
    value: dateArb.map((d) => d.toISOString()),
  },
  epochMillis: {
    rule: (e, i) => ({ from: e, to: i, transform: { type: 'datetime', format: 'epochMillis' } }),
    value: dateArb.map((d) => d.getTime()),
  },
  epochSeconds: {
    rule: (e, i) => ({ from: e, to: i, transform: { type: 'datetime', format: 'epochSeconds' } }),
    value: dateArb.map((d) => Math.floor(d.getTime() / 1000)),
  },
  pattern: {
    rule: (e, i) => ({ from: e, to: i, transform: { type: 'datetime', format: 'DD.MM.YYYY HH:mm:ss' } }),
    value: dateArb.map(
      (d) =>
        `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCFullYear(), 4)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    ),
  },
  enum: {
    rule: (e, i) => ({
      from: e,
      to: i,
      transform: { type: 'enum', mapping: { open: 'OPEN', closed: 'CLOSED', '3': 'THREE' } },
    }),
    value: fc.constantFrom('open', 'closed', '3'),
  },
  enumBoolean: {
    rule: (e, i) => ({
      from: e,
      to: i,
      transform: { type: 'enum', mapping: { true: 'COMPLETED', false: 'IN_PROGRESS' }, keyType: 'boolean' },
    }),
    value: fc.boolean(),
  },
  json: {
    rule: (e, i) => ({ from: e, to: i, transform: 'json' }),
    value: fc
      .jsonValue({ maxDepth: 3 })
      // The text "null" reads as null, which a write-back treats as a cleared field (documented).
      .filter((v) => v !== null)
      .map((v) => JSON.stringify(v)),
  },
  split: {
    rule: (e, i) => ({ from: e, to: i, transform: { type: 'split', separator: ',' } }),
    value: fc.string(),
  },
  money: {
    rule: (e, i) => ({ from: e, to: i, transform: { type: 'toMinorUnits', currency: 'EUR' } }),
    value: fc.integer({ min: -1e12, max: 1e12 }).map((c) => c / 100),
  },
  minor: {
    rule: (e, i) => ({ from: e, to: i, transform: { type: 'fromMinorUnits', decimals: 3 } }),
    value: fc.integer({ min: -1e12, max: 1e12 }),
  },
  units: {
    rule: (e, i) => ({ from: e, to: i, transform: { type: 'convertUnit', from: 'mi', to: 'km' } }),
    // ≤ 8 significant digits: with the 7 of the factor the kilometres fit in 15 (see denoise).
    value: fc.integer({ min: -1e8, max: 1e8 }).map((n) => n / 1000),
  },
  email: {
    rule: (e, i) => ({ from: e, to: i, transform: 'email' }),
    value: fc
      .emailAddress()
      .map((s) => s.toLowerCase())
      .filter((s) => s.length <= 254 && /\.[^.]{2,}$/.test(s)),
  },
  lookup: {
    rule: (e, i) => ({ from: e, to: i, transform: { type: 'lookup', resourceType: 'USER' } }),
    value: fc.constantFrom(...LINKED),
  },
  wildcard: {
    rule: (e, i) => ({ from: `${e}[*].v`, to: `${i}[*].value`, transform: 'integer' }),
    value: fc.array(fc.integer(), { maxLength: 4 }),
    wrap: (v) => (v as number[]).map((n) => ({ v: n })),
  },
};

const kindNames = Object.keys(kinds);
/** External paths of several shapes: top level, nested, under an index. */
const shapes = [
  (k: number) => `f${k}`,
  (k: number) => `nested.f${k}`,
  (k: number) => `deep.a.b.f${k}`,
  (k: number) => `arr[0].f${k}`,
];
const internalShapes = [(k: number) => `F${k}`, (k: number) => `group.F${k}`, (k: number) => `list[1].F${k}`];

interface Case {
  readonly doc: MappingDocument;
  readonly external: Record<string, unknown>;
}

function setIn(root: Record<string, unknown>, path: string, value: unknown): void {
  // Test data only uses the shapes above: keys and `[0]`.
  const parts = path.split('.');
  let cur: Record<string, unknown> = root;
  parts.forEach((part, n) => {
    const m = /^(\w+)\[0\]$/.exec(part);
    const last = n === parts.length - 1;
    if (m !== null) {
      const key = m[1]!;
      const arr = (cur[key] ??= [{}]) as Record<string, unknown>[];
      cur = arr[0]!;
      return;
    }
    if (last) cur[part] = value;
    else cur = (cur[part] ??= {}) as Record<string, unknown>;
  });
}

const caseArb: fc.Arbitrary<Case> = fc
  .array(
    fc.record({
      kind: fc.constantFrom(...kindNames),
      shape: fc.nat({ max: shapes.length - 1 }),
      internal: fc.nat({ max: internalShapes.length - 1 }),
      present: fc.boolean(),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .chain((fields) =>
    fc.tuple(fc.constant(fields), fc.tuple(...fields.map((f) => (kinds[f.kind] as Kind).value))),
  )
  .map(([fields, values]) => {
    const inbound: FieldRule[] = [];
    const external: Record<string, unknown> = {};
    fields.forEach((f, k) => {
      const kind = kinds[f.kind] as Kind;
      const wildcard = kind.wrap !== undefined;
      const ext = wildcard ? `w${k}` : (shapes[f.shape] as (k: number) => string)(k);
      const int = wildcard ? `W${k}` : (internalShapes[f.internal] as (k: number) => string)(k);
      inbound.push(kind.rule(ext, int));
      if (f.present || f.kind === 'lookup') setIn(external, ext, wildcard ? kind.wrap(values[k]) : values[k]);
    });
    return { doc: { resourceType: 'PROP', inbound }, external };
  });

describe('properties', () => {
  it('reverse(forward(x)) equals x for invertible mappings, generated or interpreted', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, fc.boolean(), async ({ doc, external }, codegen) => {
        const validation = validateMapping(doc, { direction: 'bidirectional' });
        expect(validation).toMatchObject({ ok: true });
        const mapping = compileMapping(doc, { codegen });
        const internal = await mapping.toInternal(external, ctx);
        const back = await mapping.toExternal(internal, ctx);
        expect(back).toEqual(external);
      }),
      { numRuns: 300 },
    );
  });

  // Every built-in transform, reading fields an arbitrary record may or may not have.
  const wide: MappingDocument = {
    resourceType: 'ANY',
    inbound: [
      'string',
      'number',
      'integer',
      'boolean',
      'date',
      'datetime',
      { type: 'formatDate', format: 'DD/MM/YYYY' },
      { type: 'enum', mapping: { a: 'A' } },
      'json',
      'jsonStringify',
      { type: 'split', separator: ',' },
      { type: 'join', separator: ',' },
      { type: 'concat', separator: '-' },
      { type: 'template', template: '<{}>' },
      'trim',
      'lowercase',
      'uppercase',
      'titleCase',
      'slug',
      { type: 'regexReplace', pattern: '\\s+', replacement: ' ' },
      { type: 'round', decimals: 2 },
      'toMinorUnits',
      'fromMinorUnits',
      { type: 'convertUnit', from: 'lb', to: 'kg' },
      'coalesce',
      { type: 'default', value: 0 },
      { type: 'map', pipeline: 'string' },
      { type: 'filter', where: { exists: true } },
      { type: 'pick', keys: ['a'] },
      { type: 'omit', keys: ['a'] },
      { type: 'get', path: 'a[0].b' },
      'htmlToText',
      'email',
      'phone',
      'country',
      { type: 'splitName', part: 'last' },
      { type: 'datetime', format: 'epochSeconds' },
      { type: 'date', format: 'MM/DD/YYYY', timeZone: 'America/Chicago' },
    ].map((transform, k): FieldRule => ({
      from: k % 3 === 0 ? `f${k % 7}` : k % 3 === 1 ? `g.f${k % 5}` : `h[${k % 2}].x`,
      to: `out${k}`,
      transform,
    })),
    outbound: [
      { from: 'items[*].n', to: 'values[*]', transform: 'number' },
      {
        from: 'owner',
        to: 'ownerGid',
        transform: { type: 'lookup', resourceType: 'USER', onMissing: 'error' },
      },
      { from: ['a', 'b'], to: 'ab', transform: { type: 'template', template: '{0}/{1}' } },
    ],
  };
  const keys = [
    'f0',
    'f1',
    'f2',
    'f3',
    'f4',
    'f5',
    'f6',
    'g',
    'h',
    'items',
    'owner',
    'a',
    'b',
    '__proto__',
    'constructor',
  ];
  const recordArb = fc.oneof(
    fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 10 }),
    fc.jsonValue({ maxDepth: 3 }),
    fc.anything({
      maxDepth: 3,
      withNullPrototype: true,
      withMap: true,
      withBoxedValues: true,
      withSparseArray: true,
    }),
  );

  it('arbitrary input never makes the engine throw anything but MappingError', async () => {
    const mapping = compileMapping(wide);
    await fc.assert(
      fc.asyncProperty(recordArb, async (record) => {
        for (const run of [() => mapping.toInternalSync(record)]) {
          try {
            run();
          } catch (e) {
            expect(e).toBeInstanceOf(MappingError);
          }
        }
        const [result] = await mapping.toExternalPage([record], ctx);
        expect(result === undefined || result.ok || result.error instanceof MappingError).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('generated and interpreted mappings agree on arbitrary input', () => {
    const generated = compileMapping({ resourceType: 'ANY', inbound: wide.inbound ?? [] });
    const interpreted = compileMapping(
      { resourceType: 'ANY', inbound: wide.inbound ?? [] },
      { codegen: false },
    );
    const outcome = (f: () => unknown): string => {
      try {
        return JSON.stringify(f());
      } catch (e) {
        return `error ${JSON.stringify((e as MappingError).issues)}`;
      }
    };
    fc.assert(
      fc.property(recordArb, (record) => {
        expect(outcome(() => generated.toInternalSync(record))).toBe(
          outcome(() => interpreted.toInternalSync(record)),
        );
      }),
      { numRuns: 300 },
    );
  });

  const forbidden = fc.constantFrom('__proto__', 'constructor', 'prototype');
  const segment = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
  const pollutingPath = fc
    .tuple(fc.array(segment, { maxLength: 3 }), forbidden, fc.array(segment, { maxLength: 3 }), fc.boolean())
    .map(([before, bad, after, quoted]) =>
      [...before, quoted ? `["${bad}"]` : bad, ...after].join('.').replace(/\.\[/g, '['),
    );

  it('rejects __proto__, constructor and prototype path segments wherever they appear', () => {
    fc.assert(
      fc.property(pollutingPath, fc.constantFrom('from', 'to', 'when', 'get', 'ignore'), (path, where) => {
        const rule: Record<string, unknown> = { from: 'safe', to: 'safe' };
        let doc: Record<string, unknown> = { resourceType: 'T', inbound: [rule] };
        if (where === 'from' || where === 'to') rule[where] = path;
        if (where === 'when') rule['when'] = { path, exists: true };
        if (where === 'get') rule['transform'] = { type: 'get', path };
        if (where === 'ignore') doc = { ...doc, hash: { ignore: [path] } };
        const result = validateMapping(doc, { direction: 'inbound' });
        expect(result.ok).toBe(false);
        expect(() => compileMapping(doc)).toThrow(MappingConfigError);
      }),
      { numRuns: 300 },
    );
  });

  it('cannot pollute prototypes with hostile data', async () => {
    const hostile = fc.jsonValue({ maxDepth: 3 }).map(
      (v) =>
        JSON.parse(
          JSON.stringify({
            __proto__x: v,
            f0: { polluted: 1 },
            g: v,
            h: [{ x: v }],
            items: [{ n: '1' }],
          }).replace(/"__proto__x"/g, '"__proto__"'),
        ) as Record<string, unknown>,
    );
    const mapping = compileMapping(wide);
    const copy = compileMapping({
      resourceType: 'COPY',
      inbound: [
        { from: '__proto__x', to: 'ok' },
        { from: 'g', to: 'json', transform: ['jsonStringify', 'json'] },
        { from: 'g', to: 'picked', transform: { type: 'omit', keys: ['x'] } },
      ],
    });
    await fc.assert(
      fc.asyncProperty(hostile, async (record) => {
        try {
          mapping.toInternalSync(record);
        } catch {
          // Field errors are fine; pollution is not.
        }
        await mapping.toExternalPage([record], ctx);
        try {
          copy.toInternalSync(record);
        } catch (e) {
          expect(e).toBeInstanceOf(MappingError);
        }
        mergeGroupedFields(record, record);
        mergeGroupedFields(
          {},
          JSON.parse('{"__proto__": {"polluted": 1}, "a": {"__proto__": {"polluted": 1}}}') as Record<
            string,
            unknown
          >,
        );
        const probe: Record<string, unknown> = {};
        expect(probe['polluted']).toBeUndefined();
        expect(Object.keys(Object.prototype)).toEqual([]);
        expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
      }),
      { numRuns: 200 },
    );
  });

  it('the canonical hash ignores key order and number spelling', () => {
    const shuffle = (v: unknown, seed: number): unknown => {
      if (Array.isArray(v)) return v.map((x, k) => shuffle(x, seed + k));
      if (typeof v === 'object' && v !== null) {
        const entries = Object.entries(v);
        const rotated = entries
          .slice(seed % (entries.length || 1))
          .concat(entries.slice(0, seed % (entries.length || 1)));
        return Object.fromEntries(rotated.reverse().map(([k, x]) => [k, shuffle(x, seed + 1)]));
      }
      return v;
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        expect(canonicalHash(shuffle(value, seed))).toBe(canonicalHash(value));
        expect(canonicalHash(JSON.parse(JSON.stringify(value).replace(/(\d)(?=[,\]}]|$)/g, '$1')))).toBe(
          canonicalHash(value),
        );
      }),
      { numRuns: 300 },
    );
  });
});
