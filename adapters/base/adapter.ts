import type { Result } from '../../shared/domain/result';
import type { SyncError } from '../../shared/reliability/errors';
import type { AuthType, ProviderDescriptor } from './descriptor';
import type { HttpClient } from './httpClient';
import type { HeadersInput, WebhookBinding, WebhookRequest, WebhookVerifyResult } from './webhooks';

/**
 * The contract every provider adapter implements. Adapters are thin: the descriptor says what data
 * can say; the adapter maps the provider's records to ExternalRecord and back. Every async method
 * takes an options bag named after it with an `abortSignal` (Azure SDK `OperationOptions`), and
 * every failure is a SyncError so the queue handler can decide retry vs. dead-letter.
 */

export interface OperationOptions {
  readonly abortSignal?: AbortSignal;
}

/** Credentials resolved from Key Vault for one connection; never logged, never stored in documents. */
export type ConnectionCredentials =
  | {
      readonly type: Extract<AuthType, 'API_KEY'>;
      readonly apiKey: string;
      readonly headerName?: string;
      readonly queryParam?: string;
    }
  | { readonly type: Extract<AuthType, 'BEARER'>; readonly token: string }
  | { readonly type: Extract<AuthType, 'BASIC'>; readonly username: string; readonly password: string }
  | { readonly type: Extract<AuthType, 'OAUTH2'>; readonly accessToken: string; readonly expiresAt?: string };

/** What an adapter instance is built with: one per (integration, connection), reused across pages. */
export interface AdapterContext {
  readonly tenantId: string;
  readonly integrationId: string;
  /** Rate-limit key for the shared HTTP client. */
  readonly connectionId: string;
  readonly credentials: ConnectionCredentials;
  /** Provider-specific settings from the integration/connection (site URL, realm id, custom post types…). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly http: HttpClient;
}

/** A record as the provider holds it, before mapping to the canonical store. */
export interface ExternalRecord {
  /** The provider's id, always a string (numbers are stringified) so links compare reliably. */
  readonly id: string;
  /** ISO-8601 in UTC when the provider tells; drives incremental cursors and conflict checks. */
  readonly updatedAt?: string;
  /** A provider-side deletion (trashed post, archived contact) to apply as a delete. */
  readonly deleted?: boolean;
  /** ETag or version for optimistic concurrency on update, when the provider has one. */
  readonly version?: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface RecordPage {
  readonly records: readonly ExternalRecord[];
  /** Resume position after this page (checkpoint it once the page is stored); undefined at the end. */
  readonly cursor: string | undefined;
  readonly hasMore: boolean;
}

export type ConnectOptions = OperationOptions;
export type DisconnectOptions = OperationOptions;
export type TestConnectionOptions = OperationOptions;

export interface FetchRecordsOptions extends OperationOptions {
  /** Only records modified at or after this instant (incremental sync); adapters apply their lookback. */
  readonly since?: Date;
  /** A cursor from a previous RecordPage, to resume. */
  readonly cursor?: string;
  readonly pageSize?: number;
}

export type FetchRecordOptions = OperationOptions;

export interface CreateRecordOptions extends OperationOptions {
  /** Forwarded as the provider's idempotency header where it has one; also makes the call retry-safe. */
  readonly idempotencyKey?: string;
}

export interface UpdateRecordOptions extends OperationOptions {
  /** Expected version/ETag; a mismatch fails with RecordConflict. */
  readonly ifMatch?: string;
  readonly idempotencyKey?: string;
}

export interface DeleteRecordOptions extends OperationOptions {
  readonly ifMatch?: string;
}

export interface RegisterWebhookOptions extends OperationOptions {
  readonly resourceTypes: readonly string[];
  /** Public URL built from WEBHOOK_BASE_URL: `${base}/api/webhooks/{provider}/{integrationId}`. */
  readonly callbackUrl: string;
  /** A secret to ask the provider to sign with, where the provider lets the subscriber choose. */
  readonly secret?: string;
}

export interface RegisteredWebhook {
  /** Provider-side id, to unregister later. */
  readonly externalId: string;
  /** A secret the provider generated at registration (WooCommerce, Stripe); store it in Key Vault. */
  readonly secret?: string;
}

export interface ConnectionInfo {
  /** Human-readable account/site name for the admin UI. */
  readonly accountName?: string;
  readonly scopes?: readonly string[];
}

/** One change a webhook reports. */
export type WebhookEvent =
  | {
      readonly kind: 'upsert';
      readonly resourceType: string;
      readonly externalId: string;
      /** Present when the payload carries the full record; otherwise the engine fetches it. */
      readonly record?: ExternalRecord;
      readonly occurredAt?: string;
      readonly eventType?: string;
    }
  | {
      readonly kind: 'delete';
      readonly resourceType: string;
      readonly externalId: string;
      readonly occurredAt?: string;
      readonly eventType?: string;
    };

/** A verified delivery, for parsing. */
export interface WebhookPayload {
  readonly rawBody: Buffer;
  readonly headers: HeadersInput;
}

export interface WebhookParseFailure {
  readonly reason: 'malformed' | 'unsupported-event';
  readonly detail?: string;
}

export interface WebhookHandling {
  /** Usually `verifyWebhook` from adapters/base/webhooks with the descriptor's scheme. */
  verify(binding: WebhookBinding, request: WebhookRequest): WebhookVerifyResult;
  /** Turns a verified body into events; an empty list (pings, heartbeats) is a valid answer. */
  parse(payload: WebhookPayload): Result<readonly WebhookEvent[], WebhookParseFailure>;
}

export interface Adapter {
  readonly descriptor: Readonly<ProviderDescriptor>;

  connect(options?: ConnectOptions): Promise<void>;
  disconnect(options?: DisconnectOptions): Promise<void>;
  /** Bad credentials or an unreachable site are expected outcomes: Err, not a throw. */
  testConnection(options?: TestConnectionOptions): Promise<Result<ConnectionInfo, SyncError>>;

  /** Pages of records, oldest-first where the provider allows, each with a resumable cursor. */
  fetchRecords(resourceType: string, options?: FetchRecordsOptions): AsyncIterable<RecordPage>;
  /** Undefined when the provider has no such record (404). */
  fetchRecord(
    resourceType: string,
    id: string,
    options?: FetchRecordOptions,
  ): Promise<ExternalRecord | undefined>;
  createRecord(
    resourceType: string,
    data: Readonly<Record<string, unknown>>,
    options?: CreateRecordOptions,
  ): Promise<ExternalRecord>;
  updateRecord(
    resourceType: string,
    id: string,
    data: Readonly<Record<string, unknown>>,
    options?: UpdateRecordOptions,
  ): Promise<ExternalRecord>;
  /** Idempotent: deleting a record that is already gone succeeds. */
  deleteRecord(resourceType: string, id: string, options?: DeleteRecordOptions): Promise<void>;

  readonly webhooks?: WebhookHandling;
  registerWebhook?(options: RegisterWebhookOptions): Promise<RegisteredWebhook>;
  unregisterWebhook?(externalId: string, options?: OperationOptions): Promise<void>;
}

/** What a registry holds per provider: the data, and how to build an adapter from it. */
export interface AdapterDefinition {
  readonly descriptor: Readonly<ProviderDescriptor>;
  createAdapter(context: AdapterContext): Adapter;
}

export function isUnsupportedCapability(
  descriptor: ProviderDescriptor,
  capability: ProviderDescriptor['capabilities'][number],
): boolean {
  return !descriptor.capabilities.includes(capability);
}

/**
 * Builds an ExternalRecord from a JSON object using the descriptor's id/updated-at fields (dotted
 * paths allowed). Returns undefined when the object has no usable id, so callers can count it as a
 * per-record failure instead of failing the page.
 */
export function toExternalRecord(
  raw: unknown,
  fields: { readonly idField: string; readonly updatedAtField?: string | undefined },
): ExternalRecord | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const data = raw as Record<string, unknown>;
  const id = readPath(data, fields.idField);
  if (!((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id))))
    return undefined;
  const updated = fields.updatedAtField !== undefined ? readPath(data, fields.updatedAtField) : undefined;
  const updatedAt = normaliseTimestamp(updated);
  return { id: String(id), ...(updatedAt !== undefined ? { updatedAt } : {}), data };
}

function readPath(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * Providers send ISO strings with or without an offset (WordPress `modified_gmt` has none but is
 * UTC), epoch seconds or epoch ms. Everything becomes ISO-8601 UTC; unparsable values are dropped.
 */
export function normaliseTimestamp(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value >= 1e12 ? value : value * 1000).toISOString();
  }
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return normaliseTimestamp(Number(v));
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(v);
  const ms = Date.parse(hasZone || !/T|\s/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
