import { z } from 'zod';

import {
  compileMapping,
  createTransformRegistry,
  defineTransform,
  failTransform,
  IDENTITY,
  MappingConfigError,
  type MappingDocument,
  MappingError,
  validateMapping,
} from '../../../shared/mapping';
import { createInMemoryLinkLookup, type InMemoryLinkLookup } from '../../../shared/ports/linkLookup';
import { classifyError } from '../../../shared/reliability/classifyError';
import { asanaTaskMapping, hubspotMemberMapping } from '../../fixtures/mapping/seed003';

const scope = { tenantId: 'tenant-1', integrationId: 'asana-main' };

function members(): InMemoryLinkLookup {
  return createInMemoryLinkLookup([
    { ...scope, resourceType: 'MEMBER', internalId: 'member-7', externalId: '1199' },
    { ...scope, resourceType: 'MEMBER', internalId: 'member-8', externalId: '1200' },
    // Same external id in another tenant: must never leak across.
    {
      tenantId: 'tenant-2',
      integrationId: 'asana-main',
      resourceType: 'MEMBER',
      internalId: 'other',
      externalId: '1201',
    },
  ]);
}

describe('seed 003: Asana task mapping', () => {
  const asanaTask = {
    gid: 'ext_123',
    name: 'Complete documentation',
    notes: 'Write the mapping reference',
    completed: true,
    due_on: '2025-12-25',
    assignee: { gid: '1199' },
  };

  it('is a valid bidirectional mapping', () => {
    expect(validateMapping(asanaTaskMapping, { direction: 'bidirectional' })).toMatchObject({ ok: true });
  });

  it('maps a task into the canonical model with the assignee resolved through the links port', async () => {
    const links = members();
    const task = await compileMapping(asanaTaskMapping).toInternal(asanaTask, { ...scope, links });
    expect(task).toEqual({
      externalId: 'ext_123',
      title: 'Complete documentation',
      description: 'Write the mapping reference',
      status: 'COMPLETED',
      dueDate: '2025-12-25',
      assignedToId: 'member-7',
    });
  });

  it('writes the task back through the derived reverse mapping, without the read-only gid', async () => {
    const links = members();
    const mapping = compileMapping(asanaTaskMapping);
    const internal = await mapping.toInternal(asanaTask, { ...scope, links });
    const external = await mapping.toExternal({ ...internal, status: 'IN_PROGRESS' }, { ...scope, links });
    expect(external).toEqual({
      name: 'Complete documentation',
      notes: 'Write the mapping reference',
      completed: false,
      due_on: '2025-12-25',
      assignee: { gid: '1199' },
    });
  });

  it('reports every bad field of a task at once', async () => {
    const links = members();
    const bad = { gid: 'x', completed: 'perhaps', due_on: '2025-02-30', assignee: { gid: '1201' } };
    const error = await compileMapping(asanaTaskMapping)
      .toInternal(bad, { ...scope, links })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(MappingError);
    const issues = (error as MappingError).issues;
    expect(issues.map((i) => [i.target, i.transform, i.valueType])).toEqual([
      ['title', undefined, 'undefined'],
      ['status', 'enum', 'string'],
      ['dueDate', 'date', 'string'],
      ['assignedToId', 'lookup', 'string'],
    ]);
    expect(issues.map((i) => i.path)).toEqual(['name', 'completed', 'due_on', 'assignee.gid']);
    // Issues carry types and reasons, never the values themselves.
    expect(JSON.stringify(error)).not.toContain('perhaps');
    expect((error as MappingError).message).not.toContain('2025-02-30');
    expect(classifyError(error)).toMatchObject({ retryable: false, code: 'InvalidPayload' });
  });
});

describe('seed 003: HubSpot member mapping', () => {
  it('splits the name, reads a nested profile field and casts a number', () => {
    const contact = compileMapping(hubspotMemberMapping).toExternalSync({
      email: 'ada@example.com',
      name: 'Ada King Lovelace',
      role: 'STEWARD',
      profile: { totalEquityUnits: '12.5' },
    });
    expect(contact).toEqual({
      email: 'ada@example.com',
      firstname: 'Ada',
      lastname: 'King Lovelace',
      britepool_role: 'STEWARD',
      britepool_equity_units: 12.5,
    });
  });

  it('is accepted as an outbound mapping and refused as a bidirectional one (no inbound rules)', () => {
    expect(validateMapping(hubspotMemberMapping, { direction: 'outbound' }).ok).toBe(true);
    expect(validateMapping(hubspotMemberMapping, { direction: 'bidirectional' }).ok).toBe(false);
  });
});

describe('lookups', () => {
  const doc: MappingDocument = {
    resourceType: 'TASK',
    inbound: [
      { from: 'gid', to: 'externalId' },
      { from: 'assignee.gid', to: 'assignedToId', transform: { type: 'lookup', resourceType: 'MEMBER' } },
      {
        from: 'followers[*].gid',
        to: 'followerIds',
        transform: { type: 'lookup', resourceType: 'MEMBER', onMissing: 'null' },
      },
    ],
  };

  it('resolves a whole page with one port call', async () => {
    const links = members();
    const page = Array.from({ length: 50 }, (_x, i) => ({
      gid: `t${i}`,
      assignee: { gid: i % 2 === 0 ? '1199' : '1200' },
      followers: [{ gid: '1200' }, { gid: 'unknown' }],
    }));
    const results = await compileMapping(doc).toInternalPage(page, { ...scope, links });
    expect(links.calls).toBe(1);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results[1]).toEqual({
      ok: true,
      value: { externalId: 't1', assignedToId: 'member-8', followerIds: ['member-8', null] },
    });
  });

  it('isolates failures per record and keeps the others', async () => {
    const links = members();
    const results = await compileMapping(doc).toInternalPage(
      [
        { gid: 'a', assignee: { gid: '1199' } },
        { gid: 'b', assignee: { gid: { nested: true } } },
        'not a record',
      ],
      { ...scope, links },
    );
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    const second = results[1];
    expect(second?.ok === false && second.error.issues[0]).toMatchObject({
      transform: 'lookup',
      valueType: 'object',
    });
  });

  it('skips the port when no record has an id, and says clearly when the port is missing', async () => {
    const links = members();
    await compileMapping(doc).toInternalPage([{ gid: 'a' }], { ...scope, links });
    expect(links.calls).toBe(0);
    await expect(
      compileMapping(doc).toInternal({ gid: 'a', assignee: { gid: '1' } }, scope),
    ).rejects.toBeInstanceOf(MappingConfigError);
    expect(() => compileMapping(doc).toInternalSync({ gid: 'a' })).toThrow(/uses lookups/);
  });

  it('passes the abort signal to the port', async () => {
    const links = members();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      compileMapping(doc).toInternal(
        { gid: 'a', assignee: { gid: '1199' } },
        { ...scope, links, abortSignal: controller.signal },
      ),
    ).rejects.toThrow('stop');
  });
});

describe('rules', () => {
  it('applies defaults, constants, conditions and required flags', () => {
    const mapping = compileMapping({
      resourceType: 'T',
      inbound: [
        { from: 'notes', to: 'notes', default: '' },
        { to: 'source', default: 'shop' },
        { from: 'meta', to: 'meta', default: { tags: [] } },
        { from: 'vip_level', to: 'vip', transform: 'integer', when: { path: 'type', equals: 'vip' } },
        { from: 'id', to: 'id', required: true },
      ],
    });
    const a = mapping.toInternalSync({ id: 1, type: 'vip', vip_level: '3' });
    expect(a).toEqual({ notes: '', source: 'shop', meta: { tags: [] }, vip: 3, id: 1 });
    (a['meta'] as { tags: string[] }).tags.push('mutated');
    expect(mapping.toInternalSync({ id: 2, vip_level: 'ignored' })).toEqual({
      notes: '',
      source: 'shop',
      meta: { tags: [] },
      id: 2,
    });
    expect(() => mapping.toInternalSync({ id: null })).toThrow(/required field is null/);
  });

  it('writes explicit nulls but leaves absent values out', () => {
    const mapping = compileMapping({
      resourceType: 'T',
      inbound: [
        { from: 'a', to: 'x.a' },
        { from: 'b', to: 'x.b' },
      ],
    });
    expect(mapping.toInternalSync({ a: null })).toEqual({ x: { a: null } });
    expect(mapping.toInternalSync({})).toEqual({});
  });

  it('reads array indexes, escaped keys and quoted keys', () => {
    const mapping = compileMapping({
      resourceType: 'T',
      inbound: [
        { from: 'custom_fields[0].value', to: 'first' },
        { from: 'a\\.b', to: 'dotted' },
        { from: '["weird key[1]"]', to: 'quoted' },
        { from: 'custom_fields[9].value', to: 'missing' },
      ],
    });
    expect(mapping.toInternalSync({ custom_fields: [{ value: 'x' }], 'a.b': 1, 'weird key[1]': 2 })).toEqual({
      first: 'x',
      dotted: 1,
      quoted: 2,
    });
  });

  it('maps arrays element by element through wildcards, reporting the failing index', () => {
    const mapping = compileMapping({
      resourceType: 'ORDER',
      inbound: [
        { from: 'line_items[*].sku', to: 'items[*].code', transform: 'uppercase' },
        { from: 'line_items[*].price', to: 'items[*].priceMinor', transform: 'toMinorUnits' },
        { from: 'line_items[*].sku', to: 'skus' },
      ],
    });
    expect(
      mapping.toInternalSync({
        line_items: [
          { sku: 'a1', price: '2.50' },
          { sku: 'b2', price: 3 },
        ],
      }),
    ).toEqual({
      items: [
        { code: 'A1', priceMinor: 250 },
        { code: 'B2', priceMinor: 300 },
      ],
      skus: ['a1', 'b2'],
    });
    try {
      mapping.toInternalSync({
        line_items: [
          { sku: 'a', price: 1 },
          { sku: 'b', price: 'free' },
        ],
      });
      throw new Error('accepted');
    } catch (e) {
      expect((e as MappingError).issues).toEqual([
        {
          path: 'line_items[1].price',
          target: 'items[*].priceMinor',
          rule: 1,
          transform: 'toMinorUnits',
          valueType: 'string',
          reason: expect.stringMatching(/expected an amount/) as unknown,
        },
      ]);
    }
  });

  it('writes under keys named like built-in members without touching the built-ins', async () => {
    const doc: MappingDocument = {
      resourceType: 'T',
      inbound: [
        { from: 'a', to: 'toString.y' },
        { from: 'b', to: 'hasOwnProperty[0]' },
        { from: 'list[*]', to: 'valueOf[*].v' },
      ],
    };
    for (const codegen of [true, false]) {
      const [result] = await compileMapping(doc, { codegen }).toInternalPage(
        [{ a: 1, b: 2, list: [3] }],
        scope,
      );
      expect(result).toEqual({
        ok: true,
        value: { toString: { y: 1 }, hasOwnProperty: [2], valueOf: [{ v: 3 }] },
      });
    }
    expect(Object.prototype.toString).not.toHaveProperty('y');
    expect(Object.keys(Object.prototype.hasOwnProperty)).toEqual([]);
  });

  it('never reads inherited members of the input', () => {
    const mapping = compileMapping({
      resourceType: 'T',
      inbound: [
        { from: 'toString', to: 'a' },
        { from: 'valueOf.length', to: 'b' },
        { from: 'items.length', to: 'c' },
        { from: 'name.length', to: 'd' },
      ],
    });
    expect(mapping.toInternalSync({ items: [1, 2], name: 'abc' })).toEqual({});
  });
});

describe('compilation', () => {
  it('caches compiled mappings by content hash', () => {
    const a = compileMapping({ resourceType: 'T', inbound: [{ from: 'a', to: 'b' }] });
    const b = compileMapping({ inbound: [{ to: 'b', from: 'a' }], resourceType: 'T' });
    const c = compileMapping({ resourceType: 'T', inbound: [{ from: 'a', to: 'c' }] });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to compile an invalid document, listing every problem', () => {
    try {
      compileMapping({
        resourceType: 'T',
        inbound: [
          { from: 'a', to: 'b', transform: 'nope' },
          { from: 'a.__proto__', to: 'c' },
        ],
      });
      throw new Error('compiled');
    } catch (e) {
      expect(e).toBeInstanceOf(MappingConfigError);
      expect((e as MappingConfigError).problems.map((p) => p.path)).toEqual(['inbound[1].from']);
    }
  });

  it('gives the same results with and without code generation', async () => {
    const doc: MappingDocument = {
      resourceType: 'T',
      inbound: [
        { from: 'a.b[1]', to: 'x.y[0].z', transform: 'number' },
        { from: ['f', 'l'], to: 'name', transform: { type: 'concat', separator: ' ' } },
        { from: 'd', to: 'd', transform: 'date', required: true },
        { from: 'e', to: 'e', default: { k: 1 }, when: { path: 'flag', exists: true } },
      ],
    };
    const inputs = [
      { a: { b: [0, '5'] }, f: 'A', l: 'B', d: '2025-01-02', flag: 1 },
      { a: { b: 'no' }, d: 'bad' },
      { a: null },
    ];
    const generated = await compileMapping(doc).toInternalPage(inputs, scope);
    const interpreted = await compileMapping(doc, { codegen: false }).toInternalPage(inputs, scope);
    expect(JSON.stringify(generated)).toEqual(JSON.stringify(interpreted));
    expect(generated[0]).toEqual({
      ok: true,
      value: { x: { y: [{ z: 5 }] }, name: 'A B', d: '2025-01-02', e: { k: 1 } },
    });
  });
});

describe('custom transforms', () => {
  const cents = defineTransform({
    name: 'vatIncluded',
    description: 'Adds VAT at `rate` percent.',
    args: z.strictObject({ rate: z.number().min(0).max(100) }),
    create: (args) => (value) =>
      typeof value === 'number' ? Math.round(value * (100 + args.rate)) / 100 : failTransform('not a number'),
  });
  const shout = defineTransform({
    name: 'shout',
    description: 'Upper-cases and adds an exclamation mark.',
    args: z.strictObject({}),
    create: () => (value) => `${String(value).toUpperCase()}!`,
    inverse: () => IDENTITY,
  });
  const broken = defineTransform({
    name: 'broken',
    description: 'Throws something that is not a TransformFailure.',
    args: z.strictObject({}),
    create: () => () => {
      throw new TypeError('boom');
    },
  });
  const registry = createTransformRegistry([cents, shout, broken]);

  it('runs registered transforms by name or through the "custom" spelling, with validated arguments', () => {
    const doc: MappingDocument = {
      resourceType: 'T',
      inbound: [
        { from: 'net', to: 'gross', transform: { type: 'vatIncluded', rate: 20 } },
        { from: 'name', to: 'loud', transform: { type: 'custom', function: 'shout' } },
      ],
    };
    expect(compileMapping(doc, { registry }).toInternalSync({ net: 10, name: 'hi' })).toEqual({
      gross: 12,
      loud: 'HI!',
    });
    expect(validateMapping(doc, { direction: 'inbound' }).ok).toBe(false);
    const badArgs = validateMapping(
      {
        resourceType: 'T',
        inbound: [{ from: 'net', to: 'gross', transform: { type: 'vatIncluded', rate: 200 } }],
      },
      { direction: 'inbound', registry },
    );
    expect(!badArgs.ok && badArgs.problems[0]?.path).toBe('inbound[0].transform.rate');
  });

  it('turns anything a custom transform throws into a MappingError, without its message', () => {
    const mapping = compileMapping(
      { resourceType: 'T', inbound: [{ from: 'a', to: 'a', transform: 'broken' }] },
      { registry },
    );
    expect(() => mapping.toInternalSync({ a: 1 })).toThrow(MappingError);
    expect(() => mapping.toInternalSync({ a: 1 })).toThrow(/transform threw TypeError/);
    expect(() => mapping.toInternalSync({ a: 1 })).not.toThrow(/boom/);
  });

  it('refuses names that clash with built-ins', () => {
    expect(() => createTransformRegistry([{ ...shout, name: 'trim' }])).toThrow(/already defined/);
    expect(() => createTransformRegistry([{ ...shout, name: 'custom' }])).toThrow(/invalid/);
  });
});
