import type { Credentials } from '../shared/domain/connection';
import type { AdapterDefinition } from './base/adapter';
import type { Capability, ProviderDescriptor } from './base/descriptor';
import { defineProvider } from './base/descriptor';
import type { HttpClient } from './base/httpClient';
import { restAdapterDefinition } from './rest';
import { wordpressAdapterDefinition } from './wordpress';

/**
 * Provider id → descriptor (data) and, where code exists, an adapter factory. The admin API's
 * provider catalogue, integration validation and test-connection all read this table.
 */

/** How to prove a connection works: a cheap authenticated request and the statuses that mean "yes". */
export interface ProviderVerification {
  readonly method: 'GET' | 'POST';
  /** Relative to the base URL; may hold `{placeholders}` filled from the connection's params. */
  readonly path: string;
  readonly expectStatus: readonly number[];
  /** Headers the provider insists on (API versions), never credentials. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
}

/** Where and as whom an adapter talks to a provider. */
export interface ConnectionTarget {
  readonly connectionId: string;
  readonly baseUrl: string;
  readonly params: Readonly<Record<string, string>>;
  readonly credentials: Credentials;
}

export interface ConnectionTestOutcome {
  /** The provider's HTTP status, when it answered. */
  readonly httpStatus?: number;
  /** True/false when the answer says so (2xx vs 401/403); undefined when it could not tell. */
  readonly credentialsValid?: boolean;
  readonly message: string;
}

/** What the admin slice needs from an adapter; the adapter contract in adapters/base extends it. */
export interface TestableAdapter {
  testConnection(
    target: ConnectionTarget,
    options?: { abortSignal?: AbortSignal },
  ): Promise<ConnectionTestOutcome>;
}

export type AdapterFactory = (deps: { readonly http: HttpClient }) => TestableAdapter;

export interface ProviderEntry {
  readonly descriptor: Readonly<ProviderDescriptor>;
  readonly verification?: ProviderVerification;
  /** True when integrations name their own resource types (generic REST, database tables). */
  readonly customResourceTypes: boolean;
  readonly createAdapter?: AdapterFactory;
  /** The full sync adapter (adapters/base contract) the sync use cases build per integration. */
  readonly adapterDefinition?: AdapterDefinition;
}

const all: Capability[] = ['read', 'create', 'update', 'delete'];
const ok200: readonly number[] = [200];

const ENTRIES: readonly ProviderEntry[] = [
  {
    descriptor: defineProvider({
      id: 'rest',
      displayName: 'Generic REST API',
      category: 'generic',
      authTypes: ['API_KEY', 'BEARER', 'BASIC', 'OAUTH2'],
      // The connection's baseUrl replaces this placeholder URL.
      baseUrl: 'https://{host}',
      pagination: { style: 'page' },
      incrementalParam: 'updated_since',
      webhook: { scheme: 'hmac', payload: 'records' },
      testConnectionPath: '/',
      resourceTypes: [{ name: 'records', path: '/records', displayName: 'Any collection you configure' }],
      capabilities: [...all, 'incremental', 'webhooks'],
    }),
    // `params.testPath` on the connection overrides the path.
    verification: { method: 'GET', path: '{testPath}', expectStatus: [200, 204] },
    customResourceTypes: true,
    adapterDefinition: restAdapterDefinition,
  },
  {
    descriptor: defineProvider({
      id: 'wordpress',
      displayName: 'WordPress',
      category: 'cms',
      authTypes: ['BASIC', 'BEARER'],
      baseUrl: 'https://{site}/wp-json/wp/v2',
      docsUrl: 'https://developer.wordpress.org/rest-api/',
      pagination: {
        style: 'page',
        pageParam: 'page',
        pageSizeParam: 'per_page',
        totalPagesHeader: 'X-WP-TotalPages',
      },
      defaultPageSize: 100,
      updatedAtField: 'modified_gmt',
      incrementalParam: 'modified_after',
      testConnectionPath: '/users/me',
      resourceTypes: [
        { name: 'posts', path: '/posts' },
        { name: 'pages', path: '/pages' },
        { name: 'media', path: '/media', capabilities: ['read', 'update', 'delete'] },
        { name: 'categories', path: '/categories', capabilities: all },
        { name: 'tags', path: '/tags', capabilities: all },
      ],
      capabilities: [...all, 'incremental', 'soft-delete'],
    }),
    // /users/me needs authentication, so 401 means the application password is wrong.
    verification: { method: 'GET', path: '/users/me?context=edit', expectStatus: ok200 },
    customResourceTypes: true,
    adapterDefinition: wordpressAdapterDefinition,
  },
  {
    descriptor: defineProvider({
      id: 'woocommerce',
      displayName: 'WooCommerce',
      category: 'ecommerce',
      authTypes: ['BASIC'],
      baseUrl: 'https://{site}/wp-json/wc/v3',
      docsUrl: 'https://woocommerce.github.io/woocommerce-rest-api-docs/',
      pagination: { style: 'page', totalPagesHeader: 'X-WP-TotalPages' },
      updatedAtField: 'date_modified_gmt',
      incrementalParam: 'modified_after',
      webhook: { scheme: 'woocommerce', payload: 'records' },
      testConnectionPath: '/system_status',
      resourceTypes: [
        { name: 'products', path: '/products' },
        { name: 'orders', path: '/orders' },
        { name: 'customers', path: '/customers' },
        { name: 'coupons', path: '/coupons' },
      ],
      capabilities: [...all, 'incremental', 'webhooks', 'register-webhook'],
    }),
    verification: { method: 'GET', path: '/products?per_page=1', expectStatus: ok200 },
    customResourceTypes: false,
  },
  {
    descriptor: defineProvider({
      id: 'hubspot',
      displayName: 'HubSpot',
      category: 'crm',
      authTypes: ['OAUTH2', 'BEARER'],
      baseUrl: 'https://api.hubapi.com',
      docsUrl: 'https://developers.hubspot.com/docs/api/overview',
      pagination: {
        style: 'cursor',
        cursorParam: 'after',
        pageSizeParam: 'limit',
        nextCursorPath: 'paging.next.after',
      },
      updatedAtField: 'updatedAt',
      retryHeaders: {
        retryAfter: ['retry-after'],
        rateLimitRemaining: ['x-hubspot-ratelimit-remaining'],
        rateLimitReset: ['x-hubspot-ratelimit-interval-milliseconds'],
      },
      rateLimit: { requestsPerSecond: 10, burst: 10 },
      webhook: { scheme: 'hubspot-v3', payload: 'ids' },
      testConnectionPath: '/crm/v3/objects/contacts?limit=1',
      resourceTypes: [
        { name: 'contacts', path: '/crm/v3/objects/contacts', recordsPath: 'results' },
        { name: 'companies', path: '/crm/v3/objects/companies', recordsPath: 'results' },
        { name: 'deals', path: '/crm/v3/objects/deals', recordsPath: 'results' },
        { name: 'tickets', path: '/crm/v3/objects/tickets', recordsPath: 'results' },
      ],
      capabilities: [...all, 'webhooks'],
    }),
    verification: { method: 'GET', path: '/crm/v3/objects/contacts?limit=1', expectStatus: ok200 },
    customResourceTypes: false,
  },
  {
    descriptor: defineProvider({
      id: 'asana',
      displayName: 'Asana',
      category: 'project-management',
      authTypes: ['BEARER', 'OAUTH2'],
      baseUrl: 'https://app.asana.com/api/1.0',
      docsUrl: 'https://developers.asana.com/reference/rest-api-reference',
      pagination: {
        style: 'cursor',
        cursorParam: 'offset',
        pageSizeParam: 'limit',
        nextCursorPath: 'next_page.offset',
      },
      idField: 'gid',
      updatedAtField: 'modified_at',
      incrementalParam: 'modified_since',
      webhook: { scheme: 'asana', payload: 'ids' },
      testConnectionPath: '/users/me',
      resourceTypes: [
        { name: 'tasks', path: '/projects/{project}/tasks', recordsPath: 'data' },
        { name: 'projects', path: '/workspaces/{workspace}/projects', recordsPath: 'data' },
      ],
      capabilities: [...all, 'incremental', 'webhooks', 'register-webhook'],
    }),
    verification: { method: 'GET', path: '/users/me', expectStatus: ok200 },
    customResourceTypes: false,
  },
  {
    descriptor: defineProvider({
      id: 'notion',
      displayName: 'Notion',
      category: 'productivity',
      authTypes: ['BEARER', 'OAUTH2'],
      baseUrl: 'https://api.notion.com/v1',
      docsUrl: 'https://developers.notion.com/reference/intro',
      pagination: {
        style: 'cursor',
        cursorParam: 'start_cursor',
        pageSizeParam: 'page_size',
        nextCursorPath: 'next_cursor',
        hasMorePath: 'has_more',
      },
      updatedAtField: 'last_edited_time',
      rateLimit: { requestsPerSecond: 3, burst: 3 },
      webhook: { scheme: 'notion', payload: 'ids' },
      testConnectionPath: '/users/me',
      resourceTypes: [
        { name: 'pages', path: '/databases/{database}/query', recordsPath: 'results' },
        { name: 'users', path: '/users', recordsPath: 'results', capabilities: ['read'] },
      ],
      capabilities: ['read', 'create', 'update', 'webhooks'],
    }),
    verification: {
      method: 'GET',
      path: '/users/me',
      expectStatus: ok200,
      headers: { 'Notion-Version': '2022-06-28' },
    },
    customResourceTypes: false,
  },
  {
    descriptor: defineProvider({
      id: 'quickbooks',
      displayName: 'QuickBooks Online',
      category: 'accounting',
      authTypes: ['OAUTH2'],
      baseUrl: 'https://quickbooks.api.intuit.com/v3/company/{realmId}',
      docsUrl: 'https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/account',
      // Paging is STARTPOSITION/MAXRESULTS inside the query text: adapter code, not descriptor data.
      pagination: { style: 'none' },
      updatedAtField: 'MetaData.LastUpdatedTime',
      webhook: { scheme: 'intuit', payload: 'ids' },
      testConnectionPath: '/companyinfo/{realmId}',
      resourceTypes: [
        { name: 'customers', path: '/query?query=select * from Customer', idField: 'Id' },
        { name: 'invoices', path: '/query?query=select * from Invoice', idField: 'Id' },
        { name: 'items', path: '/query?query=select * from Item', idField: 'Id' },
      ],
      capabilities: ['read', 'create', 'update', 'webhooks'],
    }),
    verification: { method: 'GET', path: '/companyinfo/{realmId}', expectStatus: ok200 },
    customResourceTypes: false,
  },
  {
    descriptor: defineProvider({
      id: 'salesforce',
      displayName: 'Salesforce',
      category: 'crm',
      authTypes: ['OAUTH2', 'BEARER'],
      baseUrl: 'https://{instance}.my.salesforce.com/services/data/v60.0',
      docsUrl: 'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/',
      // SOQL pages through nextRecordsUrl (a path, not a parameter): adapter code.
      pagination: { style: 'none' },
      idField: 'Id',
      updatedAtField: 'LastModifiedDate',
      testConnectionPath: '/limits',
      resourceTypes: [
        { name: 'contacts', path: '/sobjects/Contact' },
        { name: 'accounts', path: '/sobjects/Account' },
        { name: 'opportunities', path: '/sobjects/Opportunity' },
      ],
      capabilities: all,
    }),
    verification: { method: 'GET', path: '/limits', expectStatus: ok200 },
    customResourceTypes: false,
  },
  {
    descriptor: defineProvider({
      id: 'supabase',
      displayName: 'Supabase (PostgREST)',
      category: 'database',
      authTypes: ['API_KEY', 'BEARER'],
      baseUrl: 'https://{project}.supabase.co/rest/v1',
      docsUrl: 'https://supabase.com/docs/guides/api',
      pagination: { style: 'offset', offsetParam: 'offset', limitParam: 'limit' },
      updatedAtField: 'updated_at',
      testConnectionPath: '/',
      resourceTypes: [{ name: 'rows', path: '/{table}', displayName: 'Rows of a table you name' }],
      capabilities: all,
    }),
    // PostgREST's root answers with the schema when the key is accepted, 401 otherwise.
    verification: { method: 'GET', path: '/', expectStatus: ok200 },
    customResourceTypes: true,
  },
  {
    descriptor: defineProvider({
      id: 'toggl',
      displayName: 'Toggl Track',
      category: 'time-tracking',
      authTypes: ['BASIC'],
      baseUrl: 'https://api.track.toggl.com/api/v9',
      docsUrl: 'https://engineering.toggl.com/docs/',
      pagination: { style: 'none' },
      updatedAtField: 'at',
      incrementalParam: 'since',
      incrementalFormat: 'unix-seconds',
      rateLimit: { requestsPerSecond: 1, burst: 1 },
      testConnectionPath: '/me',
      resourceTypes: [
        { name: 'time_entries', path: '/me/time_entries' },
        { name: 'projects', path: '/workspaces/{workspace}/projects' },
        { name: 'clients', path: '/workspaces/{workspace}/clients' },
      ],
      capabilities: [...all, 'incremental'],
    }),
    verification: { method: 'GET', path: '/me', expectStatus: ok200 },
    customResourceTypes: false,
  },
];

const BY_ID: ReadonlyMap<string, ProviderEntry> = new Map(ENTRIES.map((e) => [e.descriptor.id, e]));

export function listProviders(): readonly ProviderEntry[] {
  return ENTRIES;
}

export function getProvider(id: string): ProviderEntry | undefined {
  return BY_ID.get(id);
}
