/**
 * Provider simulator: a real HTTP server on 127.0.0.1:0 that behaves like the REST APIs the
 * adapters talk to, with an in-memory dataset, every pagination style, updated-at filters, faults
 * and a signing webhook sender. Adapter integration tests and the sync slice's e2e tests use it.
 *
 * ```ts
 * const sim = await startRestProvider({ auth: { type: 'bearer', token: 't' } });
 * sim.defineCollection('items', { updatedAtFormat: 'epoch-s', softDelete: { field: 'archived', value: true } });
 * sim.seed('items', [{ name: 'a' }, { name: 'b' }]);      // ids 1, 2; updatedAt = sim.now()
 * sim.urlFor('cursor', 'items');                          // http://127.0.0.1:PORT/cursor/items
 * sim.inject({ kind: 'status', status: 429, retryAfter: '1', times: 1 });
 * sim.killAfterPage(2);                                   // page 3+ → connection reset until sim.revive()
 * sim.requests;                                           // request log (method, path, query, status…)
 * await sim.sendWebhook({ url, scheme: 'github', secret, body: { id: 1 } });   // also exported alone
 * await sim.close();
 * ```
 * Adapter contexts for it: test/simulators/adapterContext.ts (`simulatorHttpClient`, `adapterContext`).
 * Time: `now` option / `setNow` / `advance` give a manual clock for updated-at values.
 *
 * Routes (every one checks `auth` when configured: 401 otherwise):
 * - `GET /{style}/{collection}` list, `style` ∈ PAGINATION_STYLES:
 *   - `page`:        `?page=1&per_page=n` → `{ data: [...], meta: { page, per_page, total, total_pages } }`
 *   - `offset`:      `?offset=0&limit=n` → `{ items: [...], total, offset, limit }`
 *   - `cursor`:      `?cursor=…&limit=n` → `{ results: [...], paging: { next: string | null } }` (keyset, opaque)
 *   - `link`:        `?page=1&per_page=n` → `[...]` with `Link: <…>; rel="next"` while more remain
 *   - `pages-header`:`?page=1&per_page=n` → `[...]` with `X-Total-Pages` and `X-Total-Count`
 *   Filter `updated_since` (inclusive ≥; ISO with zone, ISO without zone = the collection's site
 *   time, or epoch digits: seconds below 1e11, else ms). Order: updated asc, then id.
 *   Soft-deleted records stay in lists with their marker; hard-deleted ones vanish.
 * - `GET|PUT|PATCH|DELETE /{style}/{collection}/{id}`, `POST /{style}/{collection}` (201).
 *   PATCH merges top-level fields, PUT replaces them; DELETE is 204 (soft when configured).
 * - `GET /me` → 200 `{ ok: true }` (a test-connection endpoint).
 * - WordPress-like `/wp-json/wp/v2/{collection}` for collections defined with `wordpress`:
 *   `page`/`per_page` (≤ 100), X-WP-Total / X-WP-TotalPages / Link; a page past the end is 400
 *   `rest_post_invalid_page_number`; `modified_after`/`modified_before` strictly greater/less at
 *   second precision (no zone = site time); `status=` list (default `publish`; `any` excludes
 *   trash); `orderby=modified|id|date`, `order`; `_fields`; `POST /{id}` updates (meta and acf
 *   update only the keys sent); `DELETE` trashes (bumps modified), `?force=true` removes. Records
 *   carry `date`/`modified` in site time and `*_gmt` in UTC, both without a suffix.
 * - `GET /wp-json/wp/v2/users/me` → the current user (WordPress test-connection).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { signWebhook } from '../../adapters/base/webhooks';

export const PAGINATION_STYLES = ['page', 'offset', 'cursor', 'link', 'pages-header'] as const;
export type SimPaginationStyle = (typeof PAGINATION_STYLES)[number];

export type SimAuth =
  | { readonly type: 'none' }
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'header'; readonly name: string; readonly value: string }
  | { readonly type: 'query'; readonly name: string; readonly value: string };

export type UpdatedAtFormat = 'iso' | 'epoch-s' | 'epoch-ms' | 'site-local';

export interface CollectionOptions {
  readonly idField?: string;
  readonly updatedAtField?: string;
  readonly updatedAtFormat?: UpdatedAtFormat;
  /** Site time zone as minutes east of UTC, for `site-local` values and WordPress `modified`. */
  readonly siteOffsetMinutes?: number;
  /** DELETE marks the record instead of removing it (and bumps its updated time). */
  readonly softDelete?: { readonly field: string; readonly value: string | number | boolean };
  /**
   * Serve this collection WordPress-style at `/wp-json/wp/v2/{name}` with this post type.
   * `unstableTies` orders records with the same sort key differently on every request, as
   * MySQL does for WordPress' `orderby=modified` (measured: page 2 repeated a record of page 1).
   */
  readonly wordpress?: { readonly type: string; readonly unstableTies?: boolean };
  readonly maxPageSize?: number;
  readonly defaultPageSize?: number;
}

export interface SimRecord {
  readonly id: string;
  readonly fields: Record<string, unknown>;
  readonly createdMs: number;
  readonly updatedMs: number;
  /** Soft-deleted (generic) or trashed (WordPress). */
  readonly deleted: boolean;
}

export interface RecordWrite {
  readonly id?: string | number;
  /** Epoch ms; defaults to `sim.now()`. */
  readonly updatedAt?: number;
  readonly deleted?: boolean;
}

export type FaultSpec = {
  /** Only requests with this method (case-insensitive). */
  readonly method?: string;
  /** Only requests whose path starts with this string or matches this RegExp. */
  readonly path?: string | RegExp;
  /** 1-based positions among the matching requests counted from injection, e.g. `[2, 3]`. */
  readonly nth?: readonly number[];
  /** The next `times` matching requests (default: every matching request, unless `nth`/`probability`). */
  readonly times?: number;
  /** Each matching request fails with this probability (seeded, reproducible). */
  readonly probability?: number;
  readonly seed?: number;
} & (
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly retryAfter?: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: unknown;
    }
  /** Accepts the request and never answers (until close): the client's timeout must fire. */
  | { readonly kind: 'hang' }
  /** Answers normally after a delay. */
  | { readonly kind: 'delay'; readonly delayMs: number }
  /** Destroys the socket without a response (ECONNRESET / "fetch failed" on the client). */
  | { readonly kind: 'reset' }
);

export interface FaultHandle {
  /** How many requests this fault has hit so far. */
  readonly hits: () => number;
  readonly remove: () => void;
}

export interface LoggedRequest {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names; `authorization` is replaced by its scheme only, never the secret. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly at: number;
  status?: number;
  fault?: string;
}

export interface KillOptions {
  /** Only count list pages of this path prefix. */
  readonly path?: string;
  /** What requests get after the kill: a reset socket (default) or a 503. */
  readonly mode?: 'reset' | 'unavailable';
  /** Called once, right after the k-th page has been sent. */
  readonly onKill?: () => void;
}

export interface WebhookSendInput {
  /** Where to POST. */
  readonly url: string;
  /** Signature scheme id (adapters/base/webhooks), e.g. `github`, `stripe`, `hmac`. */
  readonly scheme: string;
  readonly secret: string;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  readonly body: unknown;
  /** The public URL the provider believes it calls (HubSpot/Twilio/Trello sign it); defaults to `url`. */
  readonly signedUrl?: string;
  /** Delivery id for schemes that send one; the same id + now replays the same delivery. */
  readonly id?: string;
  readonly now?: number | Date;
  /** Scheme configuration (required by `hmac`). */
  readonly config?: unknown;
  /** Extra headers, e.g. a content type other than JSON; they override the signed ones. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Replace the computed signature headers, to send tampered or stale deliveries on purpose. */
  readonly tamper?: (headers: Record<string, string>) => Record<string, string>;
}

export interface WebhookSendResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The exact bytes and headers sent, to assert on what the receiver stored. */
  readonly sent: { readonly body: Buffer; readonly headers: Readonly<Record<string, string>> };
}

export interface RestProviderOptions {
  readonly auth?: SimAuth;
  /** Clock for updated times; defaults to real time. Use `sim.setNow`/`advance` for a manual one. */
  readonly now?: number;
}

export interface RestProvider {
  readonly url: string;
  readonly wordpressBaseUrl: string;
  urlFor(style: SimPaginationStyle, collection: string): string;
  defineCollection(name: string, options?: CollectionOptions): void;
  /** Inserts records with ascending ids (`1, 2, …` unless given) and returns them. */
  seed(collection: string, records: readonly Record<string, unknown>[], write?: RecordWrite): SimRecord[];
  /** Creates or replaces one record. */
  put(collection: string, fields: Record<string, unknown>, write?: RecordWrite): SimRecord;
  /** Merges fields into an existing record and bumps its updated time. */
  patch(
    collection: string,
    id: string | number,
    fields: Record<string, unknown>,
    write?: RecordWrite,
  ): SimRecord;
  /** Soft delete / WordPress trash (bumps the updated time). */
  trash(collection: string, id: string | number, write?: RecordWrite): SimRecord;
  /** Removes for good. */
  remove(collection: string, id: string | number): boolean;
  get(collection: string, id: string | number): SimRecord | undefined;
  list(collection: string): SimRecord[];
  now(): number;
  setNow(ms: number | undefined): void;
  advance(ms: number): void;
  inject(fault: FaultSpec): FaultHandle;
  clearFaults(): void;
  killAfterPage(pages: number, options?: KillOptions): void;
  revive(): void;
  readonly requests: readonly LoggedRequest[];
  clearRequests(): void;
  sendWebhook(input: WebhookSendInput): Promise<WebhookSendResult>;
  close(): Promise<void>;
}

interface Collection {
  readonly name: string;
  readonly options: Required<Omit<CollectionOptions, 'softDelete' | 'wordpress'>> &
    Pick<CollectionOptions, 'softDelete' | 'wordpress'>;
  readonly records: Map<string, SimRecord>;
  nextId: number;
}

interface ActiveFault {
  readonly spec: FaultSpec;
  seen: number;
  hits: number;
  rng: () => number;
}

interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

const WP_MAX_PAGE_SIZE = 100;
const WP_STATUSES = ['publish', 'future', 'draft', 'pending', 'private', 'trash'] as const;

export async function startRestProvider(options: RestProviderOptions = {}): Promise<RestProvider> {
  const auth: SimAuth = options.auth ?? { type: 'none' };
  const collections = new Map<string, Collection>();
  const faults: ActiveFault[] = [];
  const log: LoggedRequest[] = [];
  const hung = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let fixedNow = options.now;
  let kill: (KillOptions & { remaining: number; killed: boolean }) | undefined;

  const now = (): number => fixedNow ?? Date.now();

  function collection(name: string): Collection {
    let c = collections.get(name);
    if (c === undefined) {
      defineCollection(name);
      c = collections.get(name);
      if (c === undefined) throw new Error(`collection ${name} could not be created`);
    }
    return c;
  }

  function defineCollection(name: string, o: CollectionOptions = {}): void {
    const existing = collections.get(name);
    collections.set(name, {
      name,
      options: {
        idField: o.idField ?? 'id',
        updatedAtField: o.updatedAtField ?? (o.wordpress !== undefined ? 'modified_gmt' : 'updated_at'),
        updatedAtFormat: o.updatedAtFormat ?? 'iso',
        siteOffsetMinutes: o.siteOffsetMinutes ?? 0,
        maxPageSize: o.maxPageSize ?? (o.wordpress !== undefined ? WP_MAX_PAGE_SIZE : 1000),
        defaultPageSize: o.defaultPageSize ?? 10,
        ...(o.softDelete !== undefined ? { softDelete: o.softDelete } : {}),
        ...(o.wordpress !== undefined ? { wordpress: o.wordpress } : {}),
      },
      records: existing?.records ?? new Map(),
      nextId: existing?.nextId ?? 1,
    });
  }

  function put(name: string, fields: Record<string, unknown>, write: RecordWrite = {}): SimRecord {
    const c = collection(name);
    const id = write.id !== undefined ? String(write.id) : String(c.nextId);
    const numeric = Number(id);
    if (Number.isInteger(numeric) && numeric >= c.nextId) c.nextId = numeric + 1;
    const at = write.updatedAt ?? now();
    const prev = c.records.get(id);
    const { [c.options.idField]: _ignored, ...rest } = fields;
    const rec: SimRecord = {
      id,
      fields: c.options.wordpress !== undefined ? { status: 'publish', ...rest } : rest,
      createdMs: prev?.createdMs ?? at,
      updatedMs: at,
      deleted: write.deleted ?? false,
    };
    c.records.set(id, rec);
    return rec;
  }

  function patch(
    name: string,
    id: string | number,
    fields: Record<string, unknown>,
    write: RecordWrite = {},
  ): SimRecord {
    const c = collection(name);
    const prev = c.records.get(String(id));
    if (prev === undefined) throw new Error(`no record ${name}/${String(id)}`);
    const merged = { ...prev.fields };
    for (const [k, v] of Object.entries(fields)) {
      // WordPress updates only the meta/acf keys a request sends.
      if (c.options.wordpress !== undefined && (k === 'meta' || k === 'acf') && isObject(v)) {
        merged[k] = { ...(isObject(prev.fields[k]) ? prev.fields[k] : {}), ...v };
      } else {
        merged[k] = v;
      }
    }
    const rec: SimRecord = {
      ...prev,
      fields: merged,
      updatedMs: write.updatedAt ?? now(),
      deleted: write.deleted ?? prev.deleted,
    };
    c.records.set(rec.id, rec);
    return rec;
  }

  function trash(name: string, id: string | number, write: RecordWrite = {}): SimRecord {
    const c = collection(name);
    const extra = c.options.wordpress !== undefined ? { status: 'trash' } : {};
    return patch(name, id, extra, { ...write, deleted: true });
  }

  // ---- fault and kill machinery -------------------------------------------------------------

  /** Every matching fault counts the request (so `nth` is a position among matching requests); the first that fires wins. */
  function pickFault(req: LoggedRequest): FaultSpec | undefined {
    let chosen: ActiveFault | undefined;
    for (const f of faults) {
      const s = f.spec;
      if (s.method !== undefined && s.method.toUpperCase() !== req.method) continue;
      if (typeof s.path === 'string' && !req.path.startsWith(s.path)) continue;
      if (s.path instanceof RegExp && !s.path.test(req.path)) continue;
      f.seen += 1;
      let fire: boolean;
      if (s.nth !== undefined) fire = s.nth.includes(f.seen);
      else if (s.probability !== undefined) fire = f.rng() < s.probability;
      else fire = true;
      if (fire && s.times !== undefined && f.hits >= s.times) fire = false;
      if (fire && chosen === undefined) chosen = f;
    }
    if (chosen === undefined) return undefined;
    chosen.hits += 1;
    return chosen.spec;
  }

  // ---- routing --------------------------------------------------------------------------------

  function authorized(req: IncomingMessage, url: URL): boolean {
    const header = req.headers.authorization ?? '';
    switch (auth.type) {
      case 'none':
        return true;
      case 'bearer':
        return header === `Bearer ${auth.token}`;
      case 'basic':
        return header === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      case 'header':
        return req.headers[auth.name.toLowerCase()] === auth.value;
      case 'query':
        return url.searchParams.get(auth.name) === auth.value;
    }
  }

  function route(req: IncomingMessage, url: URL, body: string): Reply {
    const method = (req.method ?? 'GET').toUpperCase();
    const parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const isWp = parts[0] === 'wp-json' && parts[1] === 'wp' && parts[2] === 'v2';
    if (!authorized(req, url)) {
      return isWp
        ? wpError(401, 'rest_not_logged_in', 'You are not currently logged in.')
        : { status: 401, body: { error: 'unauthorized' } };
    }
    if (isWp) return routeWordPress(method, parts.slice(3), url, body);
    if (parts.length === 1 && parts[0] === 'me' && method === 'GET')
      return { status: 200, body: { ok: true } };
    const [style, name, id] = parts;
    if (style === undefined || !isStyle(style) || name === undefined || !collections.has(name)) {
      return { status: 404, body: { error: 'no such route' } };
    }
    if (parts.length > 3) return { status: 404, body: { error: 'no such route' } };
    const c = collection(name);
    if (id === undefined) {
      if (method === 'GET') return listGeneric(style, c, url);
      if (method === 'POST') {
        const parsed = parseJsonObject(body);
        if (parsed === undefined) return { status: 400, body: { error: 'invalid json' } };
        return { status: 201, body: renderGeneric(c, put(c.name, parsed)) };
      }
      return { status: 405, body: { error: 'method not allowed' } };
    }
    const rec = c.records.get(id);
    if (method === 'GET') {
      return rec === undefined ? notFound() : { status: 200, body: renderGeneric(c, rec) };
    }
    if (method === 'PUT' || method === 'PATCH') {
      if (rec === undefined) return notFound();
      const parsed = parseJsonObject(body);
      if (parsed === undefined) return { status: 400, body: { error: 'invalid json' } };
      const next =
        method === 'PUT'
          ? put(c.name, parsed, { id: rec.id, deleted: rec.deleted })
          : patch(c.name, id, parsed);
      return { status: 200, body: renderGeneric(c, next) };
    }
    if (method === 'DELETE') {
      if (rec === undefined) return notFound();
      if (c.options.softDelete !== undefined) trash(c.name, id);
      else c.records.delete(id);
      return { status: 204 };
    }
    return { status: 405, body: { error: 'method not allowed' } };
  }

  function listGeneric(style: SimPaginationStyle, c: Collection, url: URL): Reply {
    const q = url.searchParams;
    let rows = sorted([...c.records.values()]);
    const since = q.get('updated_since');
    if (since !== null) {
      const sinceMs = parseTime(since, c.options.siteOffsetMinutes);
      if (sinceMs === undefined) return { status: 400, body: { error: 'invalid updated_since' } };
      rows = rows.filter((r) => r.updatedMs >= sinceMs);
    }
    const sizeParam = style === 'offset' || style === 'cursor' ? 'limit' : 'per_page';
    const size = clampSize(q.get(sizeParam), c);
    if (size === undefined) return { status: 400, body: { error: `invalid ${sizeParam}` } };
    const render = (r: SimRecord): Record<string, unknown> => renderGeneric(c, r);
    const total = rows.length;
    const totalPages = Math.max(1, Math.ceil(total / size));

    if (style === 'offset') {
      const offset = Number(q.get('offset') ?? '0');
      if (!Number.isInteger(offset) || offset < 0) return { status: 400, body: { error: 'invalid offset' } };
      return listPage({
        status: 200,
        body: { items: rows.slice(offset, offset + size).map(render), total, offset, limit: size },
      });
    }
    if (style === 'cursor') {
      const token = q.get('cursor');
      let start = 0;
      if (token !== null && token !== '') {
        const after = decodeCursor(token);
        if (after === undefined) return { status: 400, body: { error: 'invalid cursor' } };
        start = rows.findIndex((r) => compareKey(r, after) > 0);
        if (start < 0) start = rows.length;
      }
      const slice = rows.slice(start, start + size);
      const last = slice[slice.length - 1];
      const next = start + size < rows.length && last !== undefined ? encodeCursor(last) : null;
      return listPage({ status: 200, body: { results: slice.map(render), paging: { next } } });
    }
    const page = Number(q.get('page') ?? '1');
    if (!Number.isInteger(page) || page < 1) return { status: 400, body: { error: 'invalid page' } };
    const slice = rows.slice((page - 1) * size, page * size).map(render);
    if (style === 'page') {
      return listPage({
        status: 200,
        body: { data: slice, meta: { page, per_page: size, total, total_pages: totalPages } },
      });
    }
    if (style === 'link') {
      const headers: Record<string, string> = {};
      if (page < totalPages) {
        const next = new URL(url.toString());
        next.searchParams.set('page', String(page + 1));
        headers['link'] = `<${publicUrl(next)}>; rel="next"`;
      }
      return listPage({ status: 200, headers, body: slice });
    }
    return listPage({
      status: 200,
      headers: { 'x-total-pages': String(totalPages), 'x-total-count': String(total) },
      body: slice,
    });
  }

  function renderGeneric(c: Collection, r: SimRecord): Record<string, unknown> {
    const o = c.options;
    const out: Record<string, unknown> = {
      [o.idField]: /^\d+$/.test(r.id) ? Number(r.id) : r.id,
      ...r.fields,
      [o.updatedAtField]: formatTime(r.updatedMs, o.updatedAtFormat, o.siteOffsetMinutes),
    };
    if (r.deleted && o.softDelete !== undefined) out[o.softDelete.field] = o.softDelete.value;
    return out;
  }

  // ---- WordPress ------------------------------------------------------------------------------

  function routeWordPress(method: string, parts: string[], url: URL, body: string): Reply {
    const [name, id, extra] = parts;
    if (name === 'users' && id === 'me' && method === 'GET') {
      return { status: 200, body: { id: 1, name: 'admin', slug: 'admin' } };
    }
    const c = name !== undefined ? collections.get(name) : undefined;
    if (c?.options.wordpress === undefined || extra !== undefined) {
      return wpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
    const q = url.searchParams;
    if (id === undefined) {
      if (method === 'GET') return listWordPress(c, q);
      if (method === 'POST') {
        const parsed = parseJsonObject(body);
        if (parsed === undefined) return wpError(400, 'rest_invalid_json', 'Invalid JSON body passed.');
        const rec = put(c.name, wpFieldsFrom(parsed, undefined));
        return { status: 201, body: pickFields(renderWordPress(c, rec), q.get('_fields')) };
      }
      return wpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
    const rec = c.records.get(id);
    if (rec === undefined) return wpError(404, 'rest_post_invalid_id', 'Invalid post ID.');
    if (method === 'GET') return { status: 200, body: pickFields(renderWordPress(c, rec), q.get('_fields')) };
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      const parsed = parseJsonObject(body);
      if (parsed === undefined) return wpError(400, 'rest_invalid_json', 'Invalid JSON body passed.');
      const fields = wpFieldsFrom(parsed, rec);
      const next = patch(c.name, id, fields, { deleted: fields['status'] === 'trash' });
      return { status: 200, body: pickFields(renderWordPress(c, next), q.get('_fields')) };
    }
    if (method === 'DELETE') {
      if (q.get('force') === 'true' || q.get('force') === '1') {
        const previous = renderWordPress(c, rec);
        c.records.delete(id);
        return { status: 200, body: { deleted: true, previous } };
      }
      if (rec.deleted) return wpError(410, 'rest_already_trashed', 'The post has already been deleted.');
      return { status: 200, body: renderWordPress(c, trash(c.name, id)) };
    }
    return wpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
  }

  function listWordPress(c: Collection, q: URLSearchParams): Reply {
    const size = Number(q.get('per_page') ?? '10');
    if (!Number.isInteger(size) || size < 1 || size > WP_MAX_PAGE_SIZE) {
      return wpError(400, 'rest_invalid_param', 'Invalid parameter(s): per_page');
    }
    const page = Number(q.get('page') ?? '1');
    if (!Number.isInteger(page) || page < 1)
      return wpError(400, 'rest_invalid_param', 'Invalid parameter(s): page');
    const statusParam = (q.get('status') ?? 'publish').split(',').filter((s) => s !== '');
    const statuses = new Set<string>(
      statusParam.includes('any') ? WP_STATUSES.filter((s) => s !== 'trash') : statusParam,
    );
    const offset = c.options.siteOffsetMinutes;
    const bounds: { after?: number; before?: number } = {};
    for (const [param, key] of [
      ['modified_after', 'after'],
      ['modified_before', 'before'],
    ] as const) {
      const raw = q.get(param);
      if (raw === null) continue;
      const ms = parseTime(raw, offset);
      if (ms === undefined) return wpError(400, 'rest_invalid_param', `Invalid parameter(s): ${param}`);
      bounds[key] = Math.floor(ms / 1000);
    }
    let rows = [...c.records.values()].filter((r) => statuses.has(wpStatus(r)));
    // WordPress compares whole seconds of post_modified, strictly.
    if (bounds.after !== undefined) {
      const after = bounds.after;
      rows = rows.filter((r) => Math.floor(r.updatedMs / 1000) > after);
    }
    if (bounds.before !== undefined) {
      const before = bounds.before;
      rows = rows.filter((r) => Math.floor(r.updatedMs / 1000) < before);
    }
    const orderby = q.get('orderby') ?? 'date';
    const desc = (q.get('order') ?? 'desc').toLowerCase() !== 'asc';
    const keyOf = (r: SimRecord): number =>
      orderby === 'modified'
        ? Math.floor(r.updatedMs / 1000)
        : orderby === 'id'
          ? Number(r.id)
          : Math.floor(r.createdMs / 1000);
    const salt = q.toString();
    const tieKey = (r: SimRecord): number =>
      c.options.wordpress?.unstableTies === true ? hashString(`${r.id}|${salt}`) : Number(r.id);
    rows.sort((a, b) => (desc ? keyOf(b) - keyOf(a) : keyOf(a) - keyOf(b)) || tieKey(a) - tieKey(b));
    const total = rows.length;
    const totalPages = Math.ceil(total / size);
    if (page > Math.max(1, totalPages)) {
      return wpError(
        400,
        'rest_post_invalid_page_number',
        'The page number requested is larger than the number of pages available.',
      );
    }
    const headers: Record<string, string> = {
      'x-wp-total': String(total),
      'x-wp-totalpages': String(totalPages),
    };
    if (page < totalPages) {
      const next = new URL(`${origin()}/wp-json/wp/v2/${c.name}`);
      q.forEach((v, k) => {
        next.searchParams.set(k, v);
      });
      next.searchParams.set('page', String(page + 1));
      headers['link'] = `<${next.toString()}>; rel="next"`;
    }
    const slice = rows.slice((page - 1) * size, page * size);
    return listPage({
      status: 200,
      headers,
      body: slice.map((r) => pickFields(renderWordPress(c, r), q.get('_fields'))),
    });
  }

  function renderWordPress(c: Collection, r: SimRecord): Record<string, unknown> {
    const off = c.options.siteOffsetMinutes;
    const f = r.fields;
    const title = typeof f['title'] === 'string' ? f['title'] : '';
    const content = typeof f['content'] === 'string' ? f['content'] : '';
    const out: Record<string, unknown> = {
      id: Number(r.id),
      date: wpTime(r.createdMs, off),
      date_gmt: wpTime(r.createdMs, 0),
      modified: wpTime(r.updatedMs, off),
      modified_gmt: wpTime(r.updatedMs, 0),
      slug: typeof f['slug'] === 'string' ? f['slug'] : slugify(title),
      status: wpStatus(r),
      type: c.options.wordpress?.type ?? 'post',
      link: `${origin()}/?p=${r.id}`,
      title: { raw: title, rendered: escapeHtml(title) },
      content: { raw: content, rendered: content === '' ? '' : `<p>${escapeHtml(content)}</p>\n` },
      meta: isObject(f['meta']) ? f['meta'] : {},
    };
    if (f['acf'] !== undefined) out['acf'] = f['acf'];
    for (const [k, v] of Object.entries(f)) {
      if (!(k in out) && k !== 'title' && k !== 'content') out[k] = v;
    }
    return out;
  }

  function wpStatus(r: SimRecord): string {
    if (r.deleted) return 'trash';
    const s = r.fields['status'];
    return typeof s === 'string' ? s : 'publish';
  }

  function wpFieldsFrom(body: Record<string, unknown>, prev: SimRecord | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) {
      if (k === 'id') continue;
      // Clients send either the raw string or the `{ raw }` object they read back.
      if ((k === 'title' || k === 'content') && isObject(v) && typeof v['raw'] === 'string')
        out[k] = v['raw'];
      else out[k] = v;
    }
    if (prev === undefined && out['status'] === undefined) out['status'] = 'draft';
    return out;
  }

  // ---- helpers that need the server -----------------------------------------------------------

  function listPage(reply: Reply): Reply {
    return { ...reply, headers: { ...reply.headers, 'x-sim-list-page': '1' } };
  }

  let port = 0;
  const origin = (): string => `http://127.0.0.1:${port}`;
  const publicUrl = (u: URL): string => `${origin()}${u.pathname}${u.search}`;

  // ---- server ---------------------------------------------------------------------------------

  let seq = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', origin());
    const entry: LoggedRequest = {
      seq: ++seq,
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: redactHeaders(req),
      body,
      at: Date.now(),
    };
    log.push(entry);

    if (kill?.killed === true) {
      entry.fault = `killed-${kill.mode ?? 'reset'}`;
      if (kill.mode === 'unavailable') {
        send(res, entry, { status: 503, body: { error: 'killed' } });
      } else {
        req.socket.destroy();
      }
      return;
    }
    const fault = pickFault(entry);
    if (fault !== undefined) {
      entry.fault = fault.kind === 'status' ? `status-${fault.status}` : fault.kind;
      switch (fault.kind) {
        case 'hang':
          hung.add(res);
          res.on('close', () => hung.delete(res));
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'status': {
          const headers: Record<string, string> = { ...fault.headers };
          if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
          send(res, entry, {
            status: fault.status,
            headers,
            body: fault.body ?? { error: 'injected fault' },
          });
          return;
        }
        case 'delay': {
          const t = setTimeout(() => {
            respond(req, res, url, body, entry);
          }, fault.delayMs);
          res.on('close', () => {
            clearTimeout(t);
          });
          return;
        }
      }
    }
    respond(req, res, url, body, entry);
  }

  function respond(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: string,
    entry: LoggedRequest,
  ): void {
    let reply: Reply;
    try {
      reply = route(req, url, body);
    } catch (e) {
      reply = { status: 500, body: { error: e instanceof Error ? e.message : 'simulator error' } };
    }
    const isListPage = reply.headers?.['x-sim-list-page'] === '1' && reply.status < 300;
    send(res, entry, reply);
    if (isListPage && kill !== undefined && !kill.killed) {
      if (kill.path === undefined || entry.path.startsWith(kill.path)) {
        kill.remaining -= 1;
        if (kill.remaining <= 0) {
          kill.killed = true;
          kill.onKill?.();
        }
      }
    }
  }

  function send(res: ServerResponse, entry: LoggedRequest, reply: Reply): void {
    entry.status = reply.status;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(reply.headers ?? {})) {
      if (k !== 'x-sim-list-page') headers[k] = v;
    }
    if (reply.body === undefined || reply.status === 204) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json; charset=UTF-8';
    res.writeHead(reply.status, headers);
    res.end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  const api: RestProvider = {
    url: origin(),
    wordpressBaseUrl: `${origin()}/wp-json/wp/v2`,
    urlFor: (style, name) => `${origin()}/${style}/${encodeURIComponent(name)}`,
    defineCollection,
    seed(name, records, write = {}) {
      return records.map((fields) => put(name, fields, write));
    },
    put,
    patch,
    trash,
    remove: (name, id) => collection(name).records.delete(String(id)),
    get: (name, id) => collection(name).records.get(String(id)),
    list: (name) => sorted([...collection(name).records.values()]),
    now,
    setNow(ms) {
      fixedNow = ms;
    },
    advance(ms) {
      fixedNow = now() + ms;
    },
    inject(spec) {
      const f: ActiveFault = { spec, seen: 0, hits: 0, rng: mulberry32(spec.seed ?? 42) };
      faults.push(f);
      return {
        hits: () => f.hits,
        remove: () => {
          const i = faults.indexOf(f);
          if (i >= 0) faults.splice(i, 1);
        },
      };
    },
    clearFaults() {
      faults.length = 0;
    },
    killAfterPage(pages, opts = {}) {
      if (!Number.isInteger(pages) || pages < 1) throw new RangeError('pages must be a positive integer');
      kill = { ...opts, remaining: pages, killed: false };
    },
    revive() {
      kill = undefined;
    },
    get requests() {
      return log;
    },
    clearRequests() {
      log.length = 0;
    },
    sendWebhook,
    async close() {
      for (const res of hung) res.destroy();
      hung.clear();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const s of sockets) s.destroy();
      });
    },
  };
  return api;
}

/**
 * POSTs one delivery signed the way `scheme`'s provider signs it (adapters/base/webhooks
 * `signWebhook`), over real HTTP. Usable without a running simulator.
 */
export async function sendWebhook(input: WebhookSendInput): Promise<WebhookSendResult> {
  const body = Buffer.isBuffer(input.body)
    ? input.body
    : Buffer.from(typeof input.body === 'string' ? input.body : JSON.stringify(input.body), 'utf8');
  const signed = signWebhook(input.scheme, input.secret, {
    body,
    url: input.signedUrl ?? input.url,
    method: 'POST',
    now: input.now ?? Date.now(),
    ...(input.id !== undefined ? { id: input.id } : {}),
    ...(input.config !== undefined ? { config: input.config } : {}),
  });
  const base: Record<string, string> = { 'content-type': 'application/json', ...signed, ...input.headers };
  const headers = input.tamper !== undefined ? input.tamper(base) : base;
  const res = await fetch(input.url, { method: 'POST', headers, body });
  const text = await res.text();
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    body: text,
    sent: { body, headers },
  };
}

// ---- pure helpers ---------------------------------------------------------------------------

function isStyle(value: string): value is SimPaginationStyle {
  return (PAGINATION_STYLES as readonly string[]).includes(value);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text === '' ? '{}' : text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function notFound(): Reply {
  return { status: 404, body: { error: 'not_found' } };
}

function wpError(status: number, code: string, message: string): Reply {
  return { status, body: { code, message, data: { status } } };
}

function clampSize(raw: string | null, c: Collection): number | undefined {
  if (raw === null) return c.options.defaultPageSize;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) return undefined;
  return Math.min(n, c.options.maxPageSize);
}

function sorted(rows: SimRecord[]): SimRecord[] {
  return rows.sort((a, b) => a.updatedMs - b.updatedMs || compareIds(a.id, b.id));
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKey(r: SimRecord, key: { u: number; i: string }): number {
  return r.updatedMs - key.u || compareIds(r.id, key.i);
}

function encodeCursor(r: SimRecord): string {
  return Buffer.from(JSON.stringify({ u: r.updatedMs, i: r.id })).toString('base64url');
}

function decodeCursor(token: string): { u: number; i: string } | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isObject(v) && typeof v['u'] === 'number' && typeof v['i'] === 'string')
      return { u: v['u'], i: v['i'] };
  } catch {
    // an unparsable cursor is answered with 400 by the caller
  }
  return undefined;
}

/** `2024-05-01T10:00:00` in a zone `offsetMinutes` east of UTC, without a suffix (WordPress style). */
export function wpTime(ms: number, offsetMinutes: number): string {
  return new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
}

export function formatTime(ms: number, format: UpdatedAtFormat, offsetMinutes = 0): string | number {
  switch (format) {
    case 'iso':
      return new Date(ms).toISOString();
    case 'epoch-s':
      return Math.floor(ms / 1000);
    case 'epoch-ms':
      return ms;
    case 'site-local':
      return wpTime(ms, offsetMinutes);
  }
}

/** ISO with a zone, ISO without one (site time), or epoch digits (seconds below 1e11, else ms). */
export function parseTime(raw: string, siteOffsetMinutes: number): number | undefined {
  const s = raw.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n < 1e11 ? n * 1000 : n;
  }
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m === null) return undefined;
  const zone = m[3];
  if (zone !== undefined) {
    const ms = Date.parse(`${m[1] ?? ''}T${m[2] ?? ''}${zone}`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const ms = Date.parse(`${m[1] ?? ''}T${m[2] ?? ''}Z`);
  return Number.isNaN(ms) ? undefined : ms - siteOffsetMinutes * 60_000;
}

function pickFields(record: Record<string, unknown>, fields: string | null): Record<string, unknown> {
  if (fields === null || fields === '') return record;
  const out: Record<string, unknown> = {};
  for (const f of fields.split(',')) {
    const [top, sub] = f.split('.', 2);
    if (top === undefined || !(top in record)) continue;
    const v = record[top];
    if (sub !== undefined && isObject(v)) {
      const prev = isObject(out[top]) ? out[top] : {};
      if (sub in v) out[top] = { ...prev, [sub]: v[sub] };
    } else {
      out[top] = v;
    }
  }
  return out;
}

function redactHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : v;
    out[k] = k === 'authorization' ? (value.split(' ')[0] ?? '') : value;
  }
  return out;
}

function slugify(title: string): string {
  const s = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return s === '' ? randomUUID().slice(0, 8) : s;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&#038;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Small seeded PRNG so probabilistic faults are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
