import { z } from 'zod';

/**
 * A provider described as data (Nango `providers.yaml` style): what a registry lists, what the
 * admin API's provider catalogue shows, and what the generic REST adapter runs on. Code is only
 * for what this cannot say.
 */

export const PROVIDER_CATEGORIES = [
  'cms',
  'ecommerce',
  'accounting',
  'crm',
  'project-management',
  'productivity',
  'communication',
  'payments',
  'database',
  'time-tracking',
  'developer-tools',
  'generic',
] as const;
export const ProviderCategorySchema = z.enum(PROVIDER_CATEGORIES);
export type ProviderCategory = z.infer<typeof ProviderCategorySchema>;

/** Matches `integration_connections.authType` in DESIGN.md. */
export const AuthTypeSchema = z.enum(['API_KEY', 'OAUTH2', 'BASIC', 'BEARER']);
export type AuthType = z.infer<typeof AuthTypeSchema>;

export const WEBHOOK_SCHEME_IDS = [
  'standard-webhooks',
  'svix',
  'github',
  'stripe',
  'shopify',
  'woocommerce',
  'hubspot-v3',
  'slack',
  'asana',
  'intuit',
  'trello',
  'notion',
  'zoom',
  'twilio',
  'hmac',
] as const;
export const WebhookSchemeIdSchema = z.enum(WEBHOOK_SCHEME_IDS);
export type WebhookSchemeId = z.infer<typeof WebhookSchemeIdSchema>;

/** Lowercase kebab id, stable forever: it appears in URLs (`/webhooks/{provider}/…`) and stored documents. */
export const ProviderIdSchema = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and single dashes');

/** A dotted path into a JSON document, e.g. `data.items` or `meta.next_cursor`. Empty means the root. */
const JsonPathSchema = z
  .string()
  .max(200)
  .regex(/^$|^[A-Za-z0-9_$@-]+(?:\.[A-Za-z0-9_$@-]+)*$/, 'dotted path');

export const PaginationSchema = z.discriminatedUnion('style', [
  z.object({
    style: z.literal('page'),
    pageParam: z.string().default('page'),
    pageSizeParam: z.string().default('per_page'),
    firstPage: z.number().int().min(0).default(1),
    /** WordPress sends `X-WP-TotalPages`; without it the last page is the first short/empty one. */
    totalPagesHeader: z.string().optional(),
  }),
  z.object({
    style: z.literal('offset'),
    offsetParam: z.string().default('offset'),
    limitParam: z.string().default('limit'),
  }),
  z.object({
    style: z.literal('cursor'),
    cursorParam: z.string().default('cursor'),
    pageSizeParam: z.string().default('limit'),
    /** Where the next cursor sits in the response body. */
    nextCursorPath: JsonPathSchema,
    /** Optional boolean flag in the body; otherwise "has more" means "a next cursor was given". */
    hasMorePath: JsonPathSchema.optional(),
  }),
  z.object({
    style: z.literal('link-header'),
    pageSizeParam: z.string().default('per_page'),
  }),
  z.object({ style: z.literal('none') }),
]);
export type Pagination = z.infer<typeof PaginationSchema>;
export type PaginationStyle = Pagination['style'];

export const RetryHeadersSchema = z.object({
  retryAfter: z.array(z.string().min(1)).default(['retry-after']),
  rateLimitRemaining: z.array(z.string().min(1)).default(['x-ratelimit-remaining']),
  rateLimitReset: z.array(z.string().min(1)).default(['x-ratelimit-reset']),
});
export type RetryHeaders = z.infer<typeof RetryHeadersSchema>;

export const CAPABILITIES = [
  'read',
  'create',
  'update',
  'delete',
  'incremental',
  'webhooks',
  'register-webhook',
  'soft-delete',
] as const;
export const CapabilitySchema = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof CapabilitySchema>;

export const ResourceTypeDescriptorSchema = z.object({
  /** The engine's resource type name, e.g. `posts`, `contacts`. */
  name: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/),
  displayName: z.string().min(1).optional(),
  /** Path relative to baseUrl, may contain `{placeholders}` the adapter fills. */
  path: z.string().min(1),
  /** Where the record array sits in a list response; empty when the body is the array itself. */
  recordsPath: JsonPathSchema.default(''),
  idField: z.string().min(1).optional(),
  updatedAtField: z.string().min(1).optional(),
  /** Overrides the provider-level pagination for this resource. */
  pagination: PaginationSchema.optional(),
  capabilities: z.array(CapabilitySchema).optional(),
});
export type ResourceTypeDescriptor = z.infer<typeof ResourceTypeDescriptorSchema>;

export const ProviderDescriptorSchema = z
  .object({
    id: ProviderIdSchema,
    displayName: z.string().min(1).max(100),
    category: ProviderCategorySchema,
    authTypes: z.array(AuthTypeSchema).min(1),
    /** May contain `{placeholders}` filled from the connection (e.g. `https://{site}/wp-json/wp/v2`). */
    baseUrl: z
      .string()
      .min(1)
      .refine((v) => /^https?:\/\//.test(v), 'must start with http:// or https://'),
    docsUrl: z.url().optional(),
    pagination: PaginationSchema,
    defaultPageSize: z.number().int().min(1).max(1000).default(100),
    /** Opaque resumable position (a cursor token, page number or timestamp) kept per resource type. */
    cursorField: z.string().min(1).optional(),
    idField: z.string().min(1).default('id'),
    updatedAtField: z.string().min(1).optional(),
    /** Query parameter that filters by modification time, e.g. `modified_after`, `updated_since`. */
    incrementalParam: z.string().min(1).optional(),
    incrementalFormat: z.enum(['iso8601', 'unix-seconds', 'unix-ms']).default('iso8601'),
    retryHeaders: RetryHeadersSchema.default({
      retryAfter: ['retry-after'],
      rateLimitRemaining: ['x-ratelimit-remaining'],
      rateLimitReset: ['x-ratelimit-reset'],
    }),
    /** Requests per second the provider tolerates per connection; the HTTP client's token bucket. */
    rateLimit: z
      .object({
        requestsPerSecond: z.number().positive().max(10_000),
        burst: z.number().int().min(1).max(10_000),
      })
      .optional(),
    webhook: z
      .object({
        scheme: WebhookSchemeIdSchema,
        /** For `hmac`: the scheme's configuration (validated by the scheme itself). */
        config: z.record(z.string(), z.unknown()).optional(),
        /** Whether events carry full records (`records`) or only ids the engine must fetch (`ids`). */
        payload: z.enum(['records', 'ids']).default('ids'),
      })
      .optional(),
    /** Endpoint a test-connection call hits (relative to baseUrl), Nango's `verification`. */
    testConnectionPath: z.string().min(1).optional(),
    resourceTypes: z.array(ResourceTypeDescriptorSchema).min(1),
    capabilities: z.array(CapabilitySchema).min(1),
  })
  .superRefine((d, ctx) => {
    const names = new Set<string>();
    d.resourceTypes.forEach((r, i) => {
      if (names.has(r.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['resourceTypes', i, 'name'],
          message: `duplicate resource type ${r.name}`,
        });
      }
      names.add(r.name);
    });
    if (d.capabilities.includes('webhooks') && d.webhook === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhook'],
        message: 'capability "webhooks" needs a webhook scheme',
      });
    }
    if (d.capabilities.includes('incremental') && d.incrementalParam === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['incrementalParam'],
        message: 'capability "incremental" needs incrementalParam',
      });
    }
  });

/** The parsed (defaults applied) form adapters and the registry hold. */
export type ProviderDescriptor = z.infer<typeof ProviderDescriptorSchema>;
/** What authors write: defaults may be omitted. */
export type ProviderDescriptorInput = z.input<typeof ProviderDescriptorSchema>;

/**
 * Parses a descriptor and freezes it, so a registry can hand the same object to every caller.
 * Throws a zod error listing every problem: a bad descriptor is a programming error caught by tests.
 */
export function defineProvider(input: ProviderDescriptorInput): Readonly<ProviderDescriptor> {
  return deepFreeze(ProviderDescriptorSchema.parse(input));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
