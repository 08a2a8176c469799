import jsonata from 'jsonata';

import { compileMapping, type MappingDocument } from '../shared/mapping';
import { createInMemoryLinkLookup, type LinkLookup, type LinkScope } from '../shared/ports/linkLookup';

/**
 * Mapping throughput: one 25-field mapping (nesting on both sides, three date formats, two
 * enums, money, units, a split and one lookup) over 100k generated order records, run three ways
 * in one process:
 *  (a) the engine: compileMapping(doc).toInternalPage(page, ctx);
 *  (b) a hand-written TypeScript function doing the same conversions and checks;
 *  (c) the same mapping as one JSONata expression.
 * All three map pages of PAGE_SIZE records and resolve the page's owner ids with ONE call to the
 * same in-memory LinkLookup, so the lookup cost is identical. Before timing, the three outputs
 * are compared on the first pages; the bench refuses to report if they disagree.
 * The machine is shared, so each variant gets a warm-up and several rounds, interleaved, and the
 * median round is reported. JSONata runs about 50× slower, so its rounds cover the first
 * JSONATA_RECORDS records (same data, same pages) to keep the whole bench near a minute.
 * Usage: npm run bench -- mapping [records] [rounds]
 */

const PAGE_SIZE = 1000;
const OWNERS = 500;
const JSONATA_RECORDS = 20_000;
const scope: LinkScope = { tenantId: 'tenant-bench', integrationId: 'integration-bench' };

export const benchMapping: MappingDocument = {
  version: 1,
  resourceType: 'ORDER',
  inbound: [
    { from: 'id', to: 'externalId', transform: 'string', required: true },
    { from: 'number', to: 'orderNumber', transform: 'integer', required: true },
    {
      from: 'status',
      to: 'status',
      transform: {
        type: 'enum',
        mapping: { paid: 'PAID', pending: 'PENDING', refunded: 'REFUNDED', cancelled: 'CANCELLED' },
      },
    },
    {
      from: 'priority',
      to: 'priority',
      transform: { type: 'enum', mapping: { 1: 'LOW', 2: 'MEDIUM', 3: 'HIGH' }, keyType: 'number' },
    },
    { from: 'created_at', to: 'createdAt', transform: 'datetime' },
    { from: 'updated_at', to: 'updatedAt', transform: { type: 'datetime', format: 'epochMillis' } },
    { from: 'due_on', to: 'dueDate', transform: 'date' },
    { from: 'customer.email', to: 'contact.email', transform: 'email' },
    { from: 'customer.first_name', to: 'contact.firstName', transform: 'trim' },
    { from: 'customer.last_name', to: 'contact.lastName', transform: 'trim' },
    { from: 'customer.company.name', to: 'contact.company.name', transform: 'string' },
    { from: 'customer.company.vat', to: 'contact.company.taxId', transform: 'uppercase' },
    { from: 'shipping.address.line1', to: 'address.street', transform: 'trim' },
    { from: 'shipping.address.city', to: 'address.city', transform: 'string' },
    { from: 'shipping.address.postcode', to: 'address.postalCode', transform: 'uppercase' },
    { from: 'shipping.address.country', to: 'address.country', transform: 'uppercase' },
    { from: 'totals.amount', to: 'total.amountMinor', transform: { type: 'toMinorUnits', decimals: 2 } },
    { from: 'totals.currency', to: 'total.currency', transform: 'uppercase' },
    { from: 'totals.tax', to: 'total.taxMinor', transform: { type: 'toMinorUnits', decimals: 2 } },
    { from: 'weight_kg', to: 'weightGrams', transform: { type: 'convertUnit', from: 'kg', to: 'g' } },
    { from: 'is_gift', to: 'gift', transform: 'boolean' },
    { from: 'tags', to: 'tags', transform: { type: 'split', separator: ',' } },
    { from: 'owner.id', to: 'ownerId', transform: { type: 'lookup', resourceType: 'USER' } },
    { from: 'custom_fields[0].value', to: 'channel', transform: 'string' },
    { from: 'notes', to: 'notes', transform: 'string', default: '' },
  ],
};

// ---- data ----------------------------------------------------------------------------------

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

export function makeOrders(count: number, seed = 7): Record<string, unknown>[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const statuses = ['paid', 'pending', 'refunded', 'cancelled'] as const;
  const firsts = ['Ada', ' Grace', 'Alan ', 'Edsger', 'Barbara', 'Donald'] as const;
  const lasts = ['Lovelace', 'Hopper', 'Turing ', ' Dijkstra', 'Liskov', 'Knuth'] as const;
  const cities = ['London', 'Paris', 'Berlin', 'Lisbon', 'Oslo'] as const;
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const month = 1 + Math.floor(rnd() * 12);
    const day = 1 + Math.floor(rnd() * 28);
    const hour = Math.floor(rnd() * 24);
    const offset = pick(['Z', '+02:00', '-05:00', '+05:30']);
    const first = pick(firsts);
    const last = pick(lasts);
    const record: Record<string, unknown> = {
      id: `ord_${i}`,
      number: String(10000 + i),
      status: pick(statuses),
      priority: 1 + Math.floor(rnd() * 3),
      created_at: `2025-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(Math.floor(rnd() * 60))}:${pad(Math.floor(rnd() * 60))}${offset}`,
      updated_at: 1_735_689_600_000 + Math.floor(rnd() * 31_536_000_000),
      due_on: `2025-${pad(month)}-${pad(Math.min(28, day + 3))}`,
      customer: {
        email: `  ${first.trim()}.${last.trim()}${i}@Example.COM `,
        first_name: first,
        last_name: last,
        company: { name: `Company ${i % 97}`, vat: `gb${100000 + (i % 9973)}` },
      },
      shipping: {
        address: {
          line1: ` ${i % 300} High Street `,
          city: pick(cities),
          postcode: `sw${i % 20} 1aa`,
          country: pick(['gb', 'fr', 'de', 'pt', 'no']),
        },
      },
      totals: {
        amount: (Math.floor(rnd() * 100000) / 100).toFixed(2),
        currency: pick(['eur', 'gbp', 'usd']),
        tax: Math.floor(rnd() * 5000) / 100,
      },
      weight_kg: Math.floor(rnd() * 5000) / 1000,
      is_gift: pick(['yes', 'no', 'true', 'false', '1', '0']),
      tags: pick(['web,promo', 'store,vip,repeat', 'web,first-order']),
      owner: { id: `u-${Math.floor(rnd() * OWNERS)}` },
      custom_fields: [{ key: 'channel', value: pick(['web', 'phone', 'store']) }],
    };
    if (rnd() < 0.7) record['notes'] = `Leave at the door ${i % 13}`;
    out.push(record);
  }
  return out;
}

function makeLinks(): LinkLookup {
  const links = createInMemoryLinkLookup();
  for (let k = 0; k < OWNERS; k++) {
    links.add({ ...scope, resourceType: 'USER', externalId: `u-${k}`, internalId: `user-${k}` });
  }
  return links;
}

// ---- (b) hand-written ----------------------------------------------------------------------

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const str = (v: unknown, field: string): string => {
  if (typeof v !== 'string') throw new Error(`${field}: expected a string`);
  return v;
};
const TRUE = new Set(['yes', 'true', '1', 'y', 'on']);
const FALSE = new Set(['no', 'false', '0', 'n', 'off', '']);
const STATUS: Readonly<Record<string, string>> = {
  paid: 'PAID',
  pending: 'PENDING',
  refunded: 'REFUNDED',
  cancelled: 'CANCELLED',
};
const PRIORITY: Readonly<Record<string, string>> = { 1: 'LOW', 2: 'MEDIUM', 3: 'HIGH' };

function isoDateTime(v: unknown, field: string): string {
  const d = new Date(str(v, field));
  if (Number.isNaN(d.getTime())) throw new Error(`${field}: invalid date`);
  return d.toISOString();
}

function mapOrderByHand(src: Obj, owners: ReadonlyMap<string, string>): Obj {
  const customer = obj(src['customer']);
  const company = obj(customer?.['company']);
  const address = obj(obj(src['shipping'])?.['address']);
  const totals = obj(src['totals']);
  const due = str(src['due_on'], 'due_on');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(due)) throw new Error('due_on: invalid date');
  const email = str(customer?.['email'], 'email').trim().toLowerCase();
  if (!email.includes('@')) throw new Error('email: invalid');
  const number = Number(src['number']);
  if (!Number.isSafeInteger(number)) throw new Error('number: not an integer');
  const status = STATUS[str(src['status'], 'status')];
  if (status === undefined) throw new Error('status: unknown');
  const priority = PRIORITY[String(src['priority'])];
  if (priority === undefined) throw new Error('priority: unknown');
  const updated = src['updated_at'];
  if (typeof updated !== 'number') throw new Error('updated_at: not a number');
  const gift = str(src['is_gift'], 'is_gift').trim().toLowerCase();
  if (!TRUE.has(gift) && !FALSE.has(gift)) throw new Error('is_gift: not a boolean');
  const ownerId = owners.get(str(obj(src['owner'])?.['id'], 'owner.id'));
  if (ownerId === undefined) throw new Error('owner.id: no link');
  const customFields = src['custom_fields'];
  const channel = Array.isArray(customFields) ? obj(customFields[0])?.['value'] : undefined;
  const weight = src['weight_kg'];
  if (typeof weight !== 'number') throw new Error('weight_kg: not a number');
  const tax = totals?.['tax'];
  if (typeof tax !== 'number') throw new Error('tax: not a number');
  const notes = src['notes'];
  return {
    externalId: str(src['id'], 'id'),
    orderNumber: number,
    status,
    priority,
    createdAt: isoDateTime(src['created_at'], 'created_at'),
    updatedAt: new Date(updated).toISOString(),
    dueDate: due,
    contact: {
      email,
      firstName: str(customer?.['first_name'], 'first_name').trim(),
      lastName: str(customer?.['last_name'], 'last_name').trim(),
      company: {
        name: str(company?.['name'], 'company.name'),
        taxId: str(company?.['vat'], 'vat').toUpperCase(),
      },
    },
    address: {
      street: str(address?.['line1'], 'line1').trim(),
      city: str(address?.['city'], 'city'),
      postalCode: str(address?.['postcode'], 'postcode').toUpperCase(),
      country: str(address?.['country'], 'country').toUpperCase(),
    },
    total: {
      amountMinor: Math.round(Number(str(totals?.['amount'], 'amount')) * 100),
      currency: str(totals?.['currency'], 'currency').toUpperCase(),
      taxMinor: Math.round(tax * 100),
    },
    weightGrams: Math.round(weight * 1000 * 1e6) / 1e6,
    gift: TRUE.has(gift),
    tags: str(src['tags'], 'tags').split(','),
    ownerId,
    channel: str(channel, 'channel'),
    notes: typeof notes === 'string' ? notes : '',
  };
}

async function handwrittenPage(page: readonly Obj[], links: LinkLookup): Promise<Obj[]> {
  const ids = new Set<string>();
  for (const r of page) {
    const id = obj(r['owner'])?.['id'];
    if (typeof id === 'string') ids.add(id);
  }
  const [owners] = await links.resolveLinks(scope, [
    { resourceType: 'USER', direction: 'toInternal', ids: [...ids] },
  ]);
  return page.map((r) => mapOrderByHand(r, owners ?? new Map()));
}

// ---- (c) JSONata ---------------------------------------------------------------------------

const JSONATA_EXPRESSION = `{
  "externalId": $string(id),
  "orderNumber": $number(number),
  "status": $lookup({"paid": "PAID", "pending": "PENDING", "refunded": "REFUNDED", "cancelled": "CANCELLED"}, status),
  "priority": $lookup({"1": "LOW", "2": "MEDIUM", "3": "HIGH"}, $string(priority)),
  "createdAt": $fromMillis($toMillis(created_at)),
  "updatedAt": $fromMillis(updated_at),
  "dueDate": $fromMillis($toMillis(due_on), "[Y0001]-[M01]-[D01]"),
  "contact": {
    "email": $lowercase($trim(customer.email)),
    "firstName": $trim(customer.first_name),
    "lastName": $trim(customer.last_name),
    "company": { "name": customer.company.name, "taxId": $uppercase(customer.company.vat) }
  },
  "address": {
    "street": $trim(shipping.address.line1),
    "city": shipping.address.city,
    "postalCode": $uppercase(shipping.address.postcode),
    "country": $uppercase(shipping.address.country)
  },
  "total": {
    "amountMinor": $round($number(totals.amount) * 100),
    "currency": $uppercase(totals.currency),
    "taxMinor": $round(totals.tax * 100)
  },
  "weightGrams": $round(weight_kg * 1000, 6),
  "gift": $lowercase($trim(is_gift)) in ["yes", "true", "1", "y", "on"],
  "tags": $split(tags, ","),
  "ownerId": $lookup($owners, owner.id),
  "channel": custom_fields[0].value,
  "notes": $exists(notes) ? notes : ""
}`;

async function jsonataPage(
  expr: jsonata.Expression,
  page: readonly Obj[],
  links: LinkLookup,
): Promise<unknown[]> {
  const ids = new Set<string>();
  for (const r of page) {
    const id = obj(r['owner'])?.['id'];
    if (typeof id === 'string') ids.add(id);
  }
  const [owners] = await links.resolveLinks(scope, [
    { resourceType: 'USER', direction: 'toInternal', ids: [...ids] },
  ]);
  const bindings = { owners: Object.fromEntries(owners ?? new Map<string, string>()) };
  const out: unknown[] = [];
  for (const r of page) out.push(await expr.evaluate(r, bindings));
  return out;
}

// ---- running -------------------------------------------------------------------------------

type PageRunner = (page: readonly Obj[]) => Promise<unknown[]>;

async function runAll(pages: readonly (readonly Obj[])[], runner: PageRunner): Promise<number> {
  const started = process.hrtime.bigint();
  let n = 0;
  for (const page of pages) n += (await runner(page)).length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return n / seconds;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Order-insensitive deep comparison through JSON with sorted keys. */
function sameJson(a: unknown, b: unknown): boolean {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sortKeys((v as Obj)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

export async function main(): Promise<void> {
  const total = Number(process.argv[3] ?? 100_000);
  const rounds = Math.max(1, Number(process.argv[4] ?? 5));
  const records = makeOrders(total);
  const pages: Obj[][] = [];
  for (let i = 0; i < records.length; i += PAGE_SIZE) pages.push(records.slice(i, i + PAGE_SIZE));
  const links = makeLinks();
  const ctx = { ...scope, links };

  const mapping = compileMapping(benchMapping);
  const expr = jsonata(JSONATA_EXPRESSION);
  const engine: PageRunner = async (page) => {
    const results = await mapping.toInternalPage(page, ctx);
    return results.map((r) => {
      if (!r.ok) throw r.error;
      return r.value;
    });
  };
  const handwritten: PageRunner = (page) => handwrittenPage(page, links);
  const viaJsonata: PageRunner = (page) => jsonataPage(expr, page, links);

  // Same answers first: a fast wrong mapping is not a result.
  for (const page of pages.slice(0, 2)) {
    const [a, b, c] = await Promise.all([engine(page), handwritten(page), viaJsonata(page)]);
    for (let i = 0; i < page.length; i++) {
      if (!sameJson(a[i], b[i]) || !sameJson(a[i], c[i])) {
        throw new Error(
          `outputs differ at record ${i}:\nengine      ${JSON.stringify(a[i])}\nhandwritten ${JSON.stringify(b[i])}\njsonata     ${JSON.stringify(c[i])}`,
        );
      }
    }
  }

  // Warm-up: one full pass each so every variant runs optimised code.
  await runAll(pages, engine);
  await runAll(pages, handwritten);
  const jsonataPages = pages.slice(0, Math.max(1, Math.ceil(JSONATA_RECORDS / PAGE_SIZE)));
  await runAll(jsonataPages.slice(0, 3), viaJsonata);

  const figures = { engine: [] as number[], handwritten: [] as number[], jsonata: [] as number[] };
  const jsonataRounds = Math.min(rounds, 3);
  for (let r = 0; r < rounds; r++) {
    figures.engine.push(await runAll(pages, engine));
    figures.handwritten.push(await runAll(pages, handwritten));
    if (r < jsonataRounds) figures.jsonata.push(await runAll(jsonataPages, viaJsonata));
    console.log(
      `round ${r + 1}/${rounds}: engine ${figures.engine.at(-1)?.toFixed(0)}/s, hand-written ${figures.handwritten.at(-1)?.toFixed(0)}/s` +
        (r < jsonataRounds ? `, JSONata ${figures.jsonata.at(-1)?.toFixed(0)}/s` : ''),
    );
  }
  const engineRps = Math.round(median(figures.engine));
  const handRps = Math.round(median(figures.handwritten));
  const jsonataRps = Math.round(median(figures.jsonata));
  console.log(
    `${total} records (JSONata: the first ${jsonataPages.length * PAGE_SIZE}), 25 fields, pages of ${PAGE_SIZE} ` +
      `(one lookup call per page), median of ${rounds} rounds (JSONata ${jsonataRounds})`,
  );
  console.log(`engine       ${engineRps} records/s`);
  console.log(
    `hand-written ${handRps} records/s  → engine = ${(engineRps / handRps).toFixed(2)}× hand-written (goal ≥ 0.5×)`,
  );
  console.log(
    `JSONata      ${jsonataRps} records/s  → engine = ${(engineRps / jsonataRps).toFixed(1)}× JSONata (goal ≥ 10×)`,
  );
  console.log(
    JSON.stringify({
      bench: 'mapping',
      engine_rps: engineRps,
      handwritten_rps: handRps,
      jsonata_rps: jsonataRps,
    }),
  );
}
