/**
 * The generic REST adapter: one engine that runs any API described by a RestApiDescriptor.
 * Provider adapters with quirks (WordPress) build a descriptor and pass hooks for the few things
 * data cannot say.
 */
import { z } from 'zod';

import type { Result } from '../../shared/domain/result';
import { err, ok } from '../../shared/domain/result';
import type { ParsedPath } from '../../shared/mapping/paths';
import { parsePath, readPath, writePath } from '../../shared/mapping/paths';
import type { RetryHeaderNames } from '../../shared/reliability/classifyError';
import type { SyncError } from '../../shared/reliability/errors';
import {
  CancelledError,
  ConfigInvalidError,
  InvalidPayloadError,
  isSyncError,
  ProviderAuthExpiredError,
  ProviderRejectedError,
  toSyncError,
} from '../../shared/reliability/index';
import type {
  Adapter,
  AdapterContext,
  ConnectionCredentials,
  ConnectionInfo,
  CreateRecordOptions,
  DeleteRecordOptions,
  ExternalRecord,
  FetchRecordOptions,
  FetchRecordsOptions,
  RecordPage,
  TestConnectionOptions,
  UpdateRecordOptions,
  WebhookHandling,
} from '../base/adapter';
import type { Pagination, ProviderDescriptor } from '../base/descriptor';
import type { HttpMethod, HttpResponse } from '../base/httpClient';
import type { PageRequest, PageResponse } from '../base/pagination';
import { paginate } from '../base/pagination';
import type { CursorState } from './cursor';
import { decodeCursor, encodeCursor, pruneRecent, recentKey } from './cursor';
import type { RestApiDescriptor, RestApiDescriptorInput, RestResource, WriteOperation } from './descriptor';
import { RestApiDescriptorSchema } from './descriptor';
import { toProviderDescriptor } from './providerDescriptor';
import { formatQueryTime, parseTimestamp, toIsoUtc } from './time';
import { createRestWebhookHandling } from './webhook';

/**
 * `AdapterContext.settings` for REST-described providers: where (base URL and its `{params}`) and,
 * for the generic `rest` provider, the API description itself (the integration's providerConfig).
 */
export const RestAdapterSettingsSchema = z.looseObject({
  baseUrl: z.string().min(1).max(500).optional(),
  params: z.record(z.string(), z.string().max(500)).optional(),
  descriptor: z.unknown().optional(),
});
export type RestAdapterSettings = z.infer<typeof RestAdapterSettingsSchema>;

/** What a provider adapter built on this engine may add, for what its descriptor cannot say. */
export interface RestHooks {
  /** A list request failed with this error: true means "there are no more pages" (WordPress' 400 past the end). */
  readonly isPastEnd?: (error: SyncError, page: PageRequest) => boolean;
}

export interface RestAdapterOptions {
  /** The API description; default: `context.settings.descriptor`. */
  readonly api?: RestApiDescriptorInput | RestApiDescriptor;
  /** The catalogue entry; default: derived from the API description. */
  readonly providerDescriptor?: Readonly<ProviderDescriptor>;
  readonly hooks?: RestHooks;
}

export function parseRestDescriptor(input: unknown): RestApiDescriptor {
  const r = RestApiDescriptorSchema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new ConfigInvalidError(`invalid REST descriptor: ${issues}`, { details: { reason: 'descriptor' } });
}

interface CompiledResource {
  readonly name: string;
  readonly spec: RestResource;
  readonly pagination: Pagination;
  readonly pageSize: number;
  readonly recordsPath: ParsedPath;
  readonly idPath: ParsedPath;
  readonly updatedPath: ParsedPath | undefined;
  readonly deletedPath: ParsedPath | undefined;
  readonly lookbackMs: number;
}

export function compilePath(text: string, where: string): ParsedPath {
  if (text === '') return [];
  const p = parsePath(text);
  if (!p.ok) throw new ConfigInvalidError(`invalid path at ${where}: ${p.reason}`);
  return p.path;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

export class RestAdapter implements Adapter {
  readonly descriptor: Readonly<ProviderDescriptor>;
  readonly api: RestApiDescriptor;
  readonly webhooks?: WebhookHandling;
  private readonly context: AdapterContext;
  private readonly hooks: RestHooks;
  private readonly resources = new Map<string, CompiledResource>();
  private readonly base: URL;
  private readonly params: Readonly<Record<string, string>>;
  private readonly retryHeaders: RetryHeaderNames | undefined;
  private readonly provider: string;

  /** Validates an API description; ConfigInvalid lists every problem. */
  static parse(input: unknown): RestApiDescriptor {
    return parseRestDescriptor(input);
  }

  constructor(context: AdapterContext, options: RestAdapterOptions = {}) {
    const settings = RestAdapterSettingsSchema.safeParse(context.settings);
    if (!settings.success)
      throw new ConfigInvalidError('invalid REST adapter settings', { details: { reason: 'settings' } });
    this.api = parseRestDescriptor(options.api ?? settings.data.descriptor);
    this.descriptor = options.providerDescriptor ?? toProviderDescriptor(this.api);
    this.provider = this.descriptor.id;
    this.context = context;
    this.hooks = options.hooks ?? {};
    this.params = settings.data.params ?? {};
    this.retryHeaders = this.api.retryHeaders;
    this.base = this.resolveBase(settings.data.baseUrl ?? this.api.baseUrl);
    for (const [name, spec] of Object.entries(this.api.resources)) {
      this.resources.set(name, {
        name,
        spec,
        pagination: spec.pagination ?? this.api.pagination,
        pageSize: spec.pageSize ?? this.api.pageSize,
        recordsPath: compilePath(spec.recordsPath, `resources.${name}.recordsPath`),
        idPath: compilePath(spec.idField, `resources.${name}.idField`),
        updatedPath:
          spec.updatedAt !== undefined
            ? compilePath(spec.updatedAt.field, `resources.${name}.updatedAt`)
            : undefined,
        deletedPath:
          spec.deleted !== undefined
            ? compilePath(spec.deleted.field, `resources.${name}.deleted`)
            : undefined,
        lookbackMs: (spec.incremental?.lookbackSeconds ?? 0) * 1000,
      });
    }
    if (this.api.webhook !== undefined) {
      this.webhooks = createRestWebhookHandling(this.api.webhook, (type, raw) =>
        this.toRecord(this.resource(type), raw),
      );
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /** Nothing to open: every call is a stateless request through the shared client. */
  connect(): Promise<void> {
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }

  async testConnection(options: TestConnectionOptions = {}): Promise<Result<ConnectionInfo, SyncError>> {
    const first = [...this.resources.values()][0];
    const spec = this.api.testConnection ?? {
      path: first?.spec.listPath ?? '/',
      query: { ...first?.spec.query },
      expectStatus: [200],
    };
    try {
      const res = await this.call('GET', this.urlFor(spec.path), {
        ...(spec.query !== undefined ? { query: spec.query } : {}),
        abortSignal: options.abortSignal,
      });
      if (spec.expectStatus.includes(res.status)) return ok({ accountName: this.base.host });
      return err(
        new ProviderRejectedError(`connection test answered ${res.status}`, {
          provider: this.provider,
          status: res.status,
        }),
      );
    } catch (error) {
      const e = toSyncError(error);
      // The caller gave up: that is not a fact about the connection.
      if (e.code === 'Cancelled') throw e;
      return err(e);
    }
  }

  // ---- reading ---------------------------------------------------------------------------------

  async *fetchRecords(
    resourceType: string,
    options: FetchRecordsOptions = {},
  ): AsyncGenerator<RecordPage, void, undefined> {
    const r = this.resource(resourceType);
    const signal = options.abortSignal;
    const pageSize = Math.max(1, Math.min(options.pageSize ?? r.pageSize, r.pageSize));
    const inc = r.spec.incremental;
    const listUrl = this.urlFor(r.spec.listPath);
    const keyset = inc?.keyset ?? false;
    let state = this.startState(r, options);

    for (;;) {
      const since = state.since;
      const tie = state.tie;
      const fetchPage = async (req: PageRequest): Promise<PageResponse<unknown>> => {
        let url = listUrl;
        let query: Record<string, string> = { ...r.spec.query, ...req.query };
        if (req.url !== undefined) {
          url = new URL(req.url);
          // A Link header may point anywhere; the credentials only go back to the API's own origin.
          if (url.origin !== this.base.origin) {
            throw new ProviderRejectedError('next-page link points to another origin', {
              provider: this.provider,
              details: { reason: 'link-origin' },
            });
          }
          query = {};
        } else if (inc !== undefined && tie !== undefined && typeof keyset === 'object') {
          const at = Date.parse(tie);
          query = { ...query, ...keyset.tieQuery };
          query[inc.param] = formatQueryTime(at - 1000, inc.format);
          query[keyset.beforeParam] = formatQueryTime(at + 1000, inc.format);
        } else if (since !== undefined && inc !== undefined) {
          query[inc.param] = formatQueryTime(Date.parse(since), inc.format);
        }
        try {
          const res = await this.call('GET', url, { query, abortSignal: req.abortSignal });
          return { records: this.recordsOf(r, res.body), headers: res.headers, body: res.body, url: res.url };
        } catch (error) {
          if (isSyncError(error) && this.hooks.isPastEnd?.(error, req) === true) {
            return { records: [], headers: {}, body: undefined };
          }
          throw error;
        }
      };

      let restart = false;
      for await (const page of paginate(r.pagination, fetchPage, {
        cursor: state.next,
        pageSize,
        abortSignal: signal,
      })) {
        const recent = new Set(state.recent);
        const keys = [...state.recent];
        const delivered: ExternalRecord[] = [];
        let hwm = state.hwm !== undefined ? Date.parse(state.hwm) : undefined;
        let last: number | undefined;
        for (const raw of page.records) {
          const rec = this.toRecord(r, raw);
          if (rec.updatedAt !== undefined) {
            const ms = Date.parse(rec.updatedAt);
            last = last === undefined ? ms : Math.max(last, ms);
            hwm = hwm === undefined ? ms : Math.max(hwm, ms);
            const key = recentKey(rec.id, ms, raw);
            // The look-back overlap brings back what was already delivered: drop exact repeats only.
            if (recent.has(key)) continue;
            keys.push(key);
          }
          delivered.push(rec);
        }
        const common: CursorState = {
          v: 1,
          more: true,
          ...(since !== undefined ? { since } : {}),
          ...(hwm !== undefined ? { hwm: toIsoUtc(hwm) } : {}),
          recent: hwm !== undefined ? pruneRecent(keys, hwm - r.lookbackMs) : [],
        };
        let next: CursorState;
        if (tie !== undefined) {
          if (page.hasMore) {
            next = { ...common, tie, ...(page.cursor !== undefined ? { next: page.cursor } : {}) };
          } else {
            // The one-second group is complete: continue strictly after it.
            next = { ...common, since: tie };
            restart = true;
          }
        } else if (!page.hasMore) {
          yield { records: delivered, cursor: undefined, hasMore: false };
          return;
        } else if (keyset !== false && last !== undefined) {
          if (since === undefined || last - r.lookbackMs > Date.parse(since)) {
            // Move the time bound instead of the page number: a record edited mid-run moves to the
            // end of the ordering and would otherwise shift an unseen record onto a page already read.
            next = { ...common, since: toIsoUtc(last - r.lookbackMs) };
            restart = true;
          } else if (typeof keyset === 'object' && Date.parse(since) !== last) {
            // A whole page inside one second: list that second alone, in a stable order. (Not again
            // for the second just listed: an API whose bound is inclusive would loop on it.)
            next = { ...common, tie: toIsoUtc(last) };
            restart = true;
          } else {
            next = { ...common, ...(page.cursor !== undefined ? { next: page.cursor } : {}) };
          }
        } else {
          next = { ...common, ...(page.cursor !== undefined ? { next: page.cursor } : {}) };
        }
        yield { records: delivered, cursor: encodeCursor(next), hasMore: true };
        state = next;
        if (restart) break;
      }
      if (!restart) return;
      if (signal?.aborted === true) throw new CancelledError('fetch aborted', { cause: signal.reason });
    }
  }

  async fetchRecord(
    resourceType: string,
    id: string,
    options: FetchRecordOptions = {},
  ): Promise<ExternalRecord | undefined> {
    const r = this.resource(resourceType);
    const get = r.spec.get ?? { path: `${r.spec.listPath.replace(/\/$/, '')}/{id}`, recordPath: '' };
    try {
      const res = await this.call('GET', this.urlFor(get.path, id), {
        ...(get.query !== undefined ? { query: get.query } : {}),
        abortSignal: options.abortSignal,
      });
      return this.toRecord(r, pick(res.body, get.recordPath));
    } catch (error) {
      if (isSyncError(error) && error.code === 'RecordNotFound') return undefined;
      throw error;
    }
  }

  // ---- writing ---------------------------------------------------------------------------------

  createRecord(
    resourceType: string,
    data: Readonly<Record<string, unknown>>,
    options: CreateRecordOptions = {},
  ): Promise<ExternalRecord> {
    const r = this.resource(resourceType);
    return this.write(r, this.operation(r, 'create'), undefined, data, options);
  }

  updateRecord(
    resourceType: string,
    id: string,
    data: Readonly<Record<string, unknown>>,
    options: UpdateRecordOptions = {},
  ): Promise<ExternalRecord> {
    const r = this.resource(resourceType);
    return this.write(r, this.operation(r, 'update'), id, data, options);
  }

  async deleteRecord(resourceType: string, id: string, options: DeleteRecordOptions = {}): Promise<void> {
    await this.deleteWith(resourceType, id, {}, options);
  }

  /** Delete with extra query parameters (WordPress `force=true`). Already gone counts as done. */
  async deleteWith(
    resourceType: string,
    id: string,
    extraQuery: Readonly<Record<string, string>>,
    options: DeleteRecordOptions = {},
  ): Promise<void> {
    const r = this.resource(resourceType);
    const op = this.operation(r, 'delete');
    try {
      await this.call(op.method, this.urlFor(op.path, id), {
        query: { ...op.query, ...extraQuery },
        abortSignal: options.abortSignal,
        ...(options.ifMatch !== undefined ? { headers: { 'if-match': options.ifMatch } } : {}),
      });
    } catch (error) {
      if (isSyncError(error) && error.code === 'RecordNotFound') return;
      throw error;
    }
  }

  // ---- shared internals (also used by provider adapters built on this engine) -----------------

  resource(name: string): CompiledResource {
    const r = this.resources.get(name);
    if (r === undefined) {
      throw new ConfigInvalidError(`resource type ${name} is not described`, {
        provider: this.provider,
        details: { reason: 'unknown-resource', resourceType: name },
      });
    }
    return r;
  }

  toRecord(r: CompiledResource, raw: unknown): ExternalRecord {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InvalidPayloadError(`a ${r.name} record is not an object`, {
        provider: this.provider,
        details: { reason: 'record-shape' },
      });
    }
    const data = raw as Record<string, unknown>;
    const idValue = readPath(data, r.idPath);
    if (!(
      (typeof idValue === 'string' && idValue !== '') ||
      (typeof idValue === 'number' && Number.isFinite(idValue))
    )) {
      throw new InvalidPayloadError(`a ${r.name} record has no usable id at ${r.spec.idField}`, {
        provider: this.provider,
        details: { reason: 'record-id' },
      });
    }
    let updatedAt: string | undefined;
    if (r.updatedPath !== undefined && r.spec.updatedAt !== undefined) {
      const ms = parseTimestamp(readPath(data, r.updatedPath), r.spec.updatedAt);
      if (ms !== undefined) updatedAt = toIsoUtc(ms);
    }
    let deleted = false;
    if (r.deletedPath !== undefined && r.spec.deleted !== undefined) {
      const v = readPath(data, r.deletedPath);
      const marker = r.spec.deleted.value;
      deleted = Array.isArray(marker) ? marker.some((m) => m === v) : marker === v;
    }
    return { id: String(idValue), ...(updatedAt !== undefined ? { updatedAt } : {}), deleted, data };
  }

  urlFor(path: string, id?: string): URL {
    const params: Record<string, string> = { ...this.params, ...(id !== undefined ? { id } : {}) };
    const relative = path.replace(PLACEHOLDER, (whole, name: string) => {
      const v = params[name];
      return v === undefined ? whole : encodeURIComponent(v);
    });
    if (new RegExp(PLACEHOLDER.source).test(relative)) {
      throw new ConfigInvalidError(`path ${path} has unfilled placeholders`, {
        provider: this.provider,
        details: { reason: 'path' },
      });
    }
    return new URL(`${this.base.pathname.replace(/\/$/, '')}${relative}`, this.base.origin);
  }

  async call(
    method: HttpMethod,
    url: URL,
    init: {
      query?: Readonly<Record<string, string>>;
      json?: unknown;
      headers?: Readonly<Record<string, string>>;
      abortSignal?: AbortSignal | undefined;
      idempotencyKey?: string | undefined;
    },
  ): Promise<HttpResponse<unknown>> {
    const auth = this.authFor(this.context.credentials);
    return this.context.http.request(url, {
      method,
      headers: { ...auth.headers, ...init.headers },
      query: { ...init.query, ...auth.query },
      connectionId: this.context.connectionId,
      ...(init.json !== undefined ? { json: init.json } : {}),
      ...(init.abortSignal !== undefined ? { abortSignal: init.abortSignal } : {}),
      ...(init.idempotencyKey !== undefined ? { idempotencyKey: init.idempotencyKey } : {}),
      ...(this.retryHeaders !== undefined ? { retryHeaders: this.retryHeaders } : {}),
    });
  }

  private resolveBase(raw: string | undefined): URL {
    if (raw === undefined) {
      throw new ConfigInvalidError('no base URL: set it in the connection or the descriptor', {
        details: { reason: 'base-url' },
      });
    }
    const filled = raw.replace(PLACEHOLDER, (whole, name: string) => this.params[name] ?? whole);
    if (new RegExp(PLACEHOLDER.source).test(filled)) {
      throw new ConfigInvalidError('base URL has unfilled placeholders', { details: { reason: 'base-url' } });
    }
    let u: URL;
    try {
      u = new URL(filled);
    } catch (cause) {
      throw new ConfigInvalidError('base URL is not a URL', { cause, details: { reason: 'base-url' } });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new ConfigInvalidError('base URL must be http(s)', { details: { reason: 'base-url' } });
    }
    return u;
  }

  private authFor(c: ConnectionCredentials): {
    headers: Record<string, string>;
    query: Record<string, string>;
  } {
    const auth = this.api.auth ?? defaultAuth(c.type);
    const headers: Record<string, string> = { ...this.api.headers };
    const query: Record<string, string> = {};
    const mismatch = (): ConfigInvalidError =>
      new ConfigInvalidError(`the API expects ${auth.type} credentials, the connection has ${c.type}`, {
        provider: this.provider,
        details: { reason: 'auth-type' },
      });
    switch (auth.type) {
      case 'none':
        break;
      case 'api-key': {
        if (c.type !== 'API_KEY') throw mismatch();
        const value = `${auth.prefix ?? ''}${c.apiKey}`;
        const where =
          auth.in ?? (c.queryParam !== undefined && c.headerName === undefined ? 'query' : 'header');
        if (where === 'query') query[auth.name ?? c.queryParam ?? 'api_key'] = value;
        else headers[auth.name ?? c.headerName ?? 'X-API-Key'] = value;
        break;
      }
      case 'basic':
        if (c.type !== 'BASIC') throw mismatch();
        headers['authorization'] =
          `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
        break;
      case 'bearer':
      case 'oauth2': {
        let token: string;
        if (c.type === 'BEARER') token = c.token;
        else if (c.type === 'OAUTH2') {
          if (c.expiresAt !== undefined && Date.parse(c.expiresAt) <= Date.now()) {
            // TokenRefresher's job; a call with a dead token would only earn a 401.
            throw new ProviderAuthExpiredError('OAuth2 access token expired', { provider: this.provider });
          }
          token = c.accessToken;
        } else throw mismatch();
        headers['authorization'] = `${auth.scheme} ${token}`;
        break;
      }
    }
    return { headers, query };
  }

  private startState(r: CompiledResource, options: FetchRecordsOptions): CursorState {
    if (options.cursor !== undefined && options.cursor !== '') {
      // A cursor is a position inside a pass and carries that pass's own time bound.
      return decodeCursor(options.cursor);
    }
    if (options.since !== undefined) {
      if (r.spec.incremental === undefined) {
        throw new ConfigInvalidError(`resource type ${r.name} has no incremental parameter`, {
          provider: this.provider,
          details: { reason: 'not-incremental' },
        });
      }
      const ms = options.since.getTime();
      if (Number.isNaN(ms))
        throw new ConfigInvalidError('since is not a valid date', { details: { reason: 'since' } });
      return { v: 1, more: true, since: toIsoUtc(ms - r.lookbackMs), recent: [] };
    }
    return { v: 1, more: true, recent: [] };
  }

  private recordsOf(r: CompiledResource, body: unknown): unknown[] {
    const list = r.recordsPath.length === 0 ? body : readPath(body, r.recordsPath);
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) {
      throw new InvalidPayloadError(`no record array at ${r.spec.recordsPath || '(root)'}`, {
        provider: this.provider,
        details: { reason: 'records-path' },
      });
    }
    return list;
  }

  private operation(r: CompiledResource, kind: 'create' | 'update' | 'delete'): WriteOperation {
    const op = r.spec[kind];
    if (op === undefined) {
      throw new ConfigInvalidError(`resource type ${r.name} cannot ${kind}`, {
        provider: this.provider,
        details: { reason: `no-${kind}` },
      });
    }
    return op;
  }

  private async write(
    r: CompiledResource,
    op: WriteOperation,
    id: string | undefined,
    data: Readonly<Record<string, unknown>>,
    options: CreateRecordOptions & { ifMatch?: string },
  ): Promise<ExternalRecord> {
    let json: unknown = data;
    if (op.bodyPath !== '') {
      const wrapped: Record<string, unknown> = {};
      writePath(wrapped, compilePath(op.bodyPath, 'bodyPath'), data);
      json = wrapped;
    }
    const res = await this.call(op.method, this.urlFor(op.path, id), {
      ...(op.query !== undefined ? { query: op.query } : {}),
      json,
      abortSignal: options.abortSignal,
      idempotencyKey: options.idempotencyKey,
      ...(options.ifMatch !== undefined ? { headers: { 'if-match': options.ifMatch } } : {}),
    });
    const written = pick(res.body, op.recordPath);
    if (written === undefined || written === null || written === '') {
      // A 204 answer: the caller's data under the id it named is all there is to report.
      if (id === undefined) {
        throw new InvalidPayloadError(`create of ${r.name} returned no record`, { provider: this.provider });
      }
      return { id, deleted: false, data: { ...data } };
    }
    return this.toRecord(r, written);
  }
}

function pick(body: unknown, path: string): unknown {
  return path === '' ? body : readPath(body, compilePath(path, 'recordPath'));
}

function defaultAuth(type: ConnectionCredentials['type']): NonNullable<RestApiDescriptor['auth']> {
  switch (type) {
    case 'API_KEY':
      return { type: 'api-key' };
    case 'BASIC':
      return { type: 'basic' };
    case 'BEARER':
      return { type: 'bearer', scheme: 'Bearer' };
    case 'OAUTH2':
      return { type: 'oauth2', scheme: 'Bearer' };
  }
}

/** Builds the generic REST adapter for one (integration, connection). */
export function createRestAdapter(context: AdapterContext, options: RestAdapterOptions = {}): RestAdapter {
  return new RestAdapter(context, options);
}
