/**
 * The generic REST adapter's document: a whole REST API described as data (an integration's
 * `providerConfig`). Validated once with `RestApiDescriptorSchema`; the adapter never guesses.
 * See docs/ADAPTERS.md for a worked example per pagination style.
 */
import { z } from 'zod';

import { PathSchema } from '../../shared/mapping/schema';
import { PaginationSchema, WebhookSchemeIdSchema } from '../base/descriptor';
import { QueryTimeFormatSchema, UpdatedAtSchema } from './time';

/** Path relative to the base URL, starting with `/`; `{id}` and `{param}` placeholders allowed. */
const RelativePathSchema = z
  .string()
  .min(1)
  .max(500)
  .regex(/^\/[^\s?#]*$/, 'a path starting with / (query strings go in `query`)');

/** Dotted path into a JSON body; '' is the body itself. */
const BodyPathSchema = z.union([z.literal(''), PathSchema]);

const HeaderNameSchema = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'an HTTP header name');

const PrimitiveSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * How credentials are put on a request. Omitted: derived from the connection's credential type
 * (API_KEY uses the connection's placement, BASIC → Basic, BEARER → Bearer, OAUTH2 → its access token).
 */
export const RestAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('api-key'),
    /** Overrides the connection's placement: the API decides where its key goes. */
    in: z.enum(['header', 'query']).optional(),
    name: z.string().min(1).max(100).optional(),
    prefix: z.string().max(50).optional(),
  }),
  z.strictObject({ type: z.literal('bearer'), scheme: z.string().min(1).max(50).default('Bearer') }),
  z.strictObject({ type: z.literal('basic') }),
  z.strictObject({ type: z.literal('oauth2'), scheme: z.string().min(1).max(50).default('Bearer') }),
]);
export type RestAuth = z.infer<typeof RestAuthSchema>;

const QuerySchema = z.record(z.string().min(1).max(100), z.string().max(1000));

export const IncrementalSchema = z
  .strictObject({
    /** Query parameter filtering by modification time, e.g. `updated_since`, `modified_after`. */
    param: z.string().min(1).max(100),
    format: QueryTimeFormatSchema.default({ format: 'iso' }),
    /**
     * Seconds subtracted from the cursor when querying: covers "strictly greater than" filters,
     * second-precision comparisons and clock skew. The overlap is de-duplicated by the adapter.
     */
    lookbackSeconds: z.number().int().min(0).max(86_400).default(0),
    /**
     * The list is ordered by updated-at ascending (set the ordering in `query`): page by moving the
     * time bound forward instead of by page number, so records changed during a run cannot shift
     * others out of view. Needs `page` or `offset` pagination. `true`, or an object to also page
     * stably through more records sharing one second than fit on a page (ties come back in an
     * arbitrary order from MySQL-backed APIs such as WordPress, so page 2 of a tie can repeat page
     * 1 and skip another record): they are listed alone, between `param` = T − 1 s and
     * `beforeParam` = T + 1 s (strict, second-precision comparisons), with `tieQuery` making the
     * order unique (e.g. `{ "orderby": "id" }`), and the bound then moves to T.
     */
    keyset: z
      .union([
        z.boolean(),
        z.strictObject({ beforeParam: z.string().min(1).max(100), tieQuery: QuerySchema.default({}) }),
      ])
      .default(false),
  })
  .superRefine((v, ctx) => {
    if (
      v.keyset !== false &&
      v.lookbackSeconds === 0 &&
      v.format.format !== 'iso-ms' &&
      v.format.format !== 'epoch-ms'
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['lookbackSeconds'],
        message: 'keyset paging with a second-precision parameter needs lookbackSeconds ≥ 1',
      });
    }
  });
export type Incremental = z.infer<typeof IncrementalSchema>;

/** A write: where, how, and where the record sits in the request and the response. */
export const WriteOperationSchema = z.strictObject({
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']),
  path: RelativePathSchema,
  query: QuerySchema.optional(),
  /** Wrap the record under this key in the request body, e.g. `data` → `{ "data": {...} }`. */
  bodyPath: BodyPathSchema.default(''),
  /** Where the written record sits in the response ('' = the body; ignored for empty answers). */
  recordPath: BodyPathSchema.default(''),
});
export type WriteOperation = z.infer<typeof WriteOperationSchema>;

export const RestResourceSchema = z
  .strictObject({
    listPath: RelativePathSchema,
    /** Static list parameters (filters, ordering, `context=edit`…). */
    query: QuerySchema.optional(),
    /** Where the record array sits in a list response; '' when the body is the array. */
    recordsPath: BodyPathSchema.default(''),
    idField: PathSchema.default('id'),
    updatedAt: UpdatedAtSchema.optional(),
    pagination: PaginationSchema.optional(),
    pageSize: z.number().int().min(1).max(1000).optional(),
    incremental: IncrementalSchema.optional(),
    /** A record whose field has this value (or one of these) is a deletion (tombstone). */
    deleted: z
      .strictObject({ field: PathSchema, value: z.union([PrimitiveSchema, z.array(PrimitiveSchema).min(1)]) })
      .optional(),
    /** Single-record read, e.g. `/items/{id}`. */
    get: z
      .strictObject({
        path: RelativePathSchema,
        query: QuerySchema.optional(),
        recordPath: BodyPathSchema.default(''),
      })
      .optional(),
    create: WriteOperationSchema.optional(),
    update: WriteOperationSchema.optional(),
    delete: WriteOperationSchema.optional(),
  })
  .superRefine((r, ctx) => {
    const style = r.pagination?.style;
    if (
      (r.incremental?.keyset ?? false) !== false &&
      style !== undefined &&
      style !== 'page' &&
      style !== 'offset'
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['incremental', 'keyset'],
        message: 'keyset paging needs page or offset pagination',
      });
    }
    if (r.incremental !== undefined && r.updatedAt === undefined) {
      ctx.addIssue({ code: 'custom', path: ['updatedAt'], message: 'incremental sync needs updatedAt' });
    }
    for (const op of ['get', 'update', 'delete'] as const) {
      const o = r[op];
      if (o !== undefined && !o.path.includes('{id}')) {
        ctx.addIssue({ code: 'custom', path: [op, 'path'], message: 'needs an {id} placeholder' });
      }
    }
  });
export type RestResource = z.infer<typeof RestResourceSchema>;
export type RestResourceInput = z.input<typeof RestResourceSchema>;

/**
 * Webhooks as data: the signature scheme (adapters/base/webhooks) and where the events, their
 * resource type, action and record (or only the record's id) sit in a delivery.
 */
export const RestWebhookSchema = z
  .strictObject({
    scheme: WebhookSchemeIdSchema,
    /** Scheme configuration (required by `hmac`: header, algorithm, encoding…). */
    config: z.record(z.string(), z.unknown()).optional(),
    /** Where the events sit; the value there is one event or an array of them. '' = the body. */
    eventsPath: BodyPathSchema.default(''),
    /** Every event is about this resource type… */
    resourceType: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,63}$/)
      .optional(),
    /** …or the event names it in this field (its values are resource type names). */
    resourceTypeField: PathSchema.optional(),
    /** Where the full record is in an event ('' = the event itself); omit when events carry only ids. */
    recordPath: BodyPathSchema.optional(),
    /** Where the record id is in an event; default: the resource's idField inside the record. */
    idField: PathSchema.optional(),
    actionField: PathSchema.optional(),
    /** Values of `actionField` that mean the record was deleted. */
    deleteActions: z.array(z.string().min(1)).max(20).default([]),
    occurredAtField: PathSchema.optional(),
  })
  .superRefine((w, ctx) => {
    if ((w.resourceType === undefined) === (w.resourceTypeField === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['resourceType'],
        message: 'give exactly one of resourceType and resourceTypeField',
      });
    }
    if (w.recordPath === undefined && w.idField === undefined) {
      ctx.addIssue({ code: 'custom', path: ['idField'], message: 'events without a record need idField' });
    }
  });
export type RestWebhook = z.infer<typeof RestWebhookSchema>;

export const RestApiDescriptorSchema = z
  .strictObject({
    version: z.literal(1).default(1),
    /** Default base URL; the connection's base URL wins. `{param}` placeholders come from connection params. */
    baseUrl: z
      .string()
      .max(500)
      .regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL')
      .optional(),
    auth: RestAuthSchema.optional(),
    /** Static headers (API versions, accept); never credentials. */
    headers: z.record(HeaderNameSchema, z.string().max(1000)).optional(),
    pagination: PaginationSchema.default({ style: 'none' }),
    pageSize: z.number().int().min(1).max(1000).default(100),
    /** Cheap authenticated request that proves the credentials work. */
    testConnection: z
      .strictObject({
        path: RelativePathSchema,
        query: QuerySchema.optional(),
        expectStatus: z.array(z.number().int()).min(1).default([200]),
      })
      .optional(),
    /** Provider-specific retry header names (e.g. `x-hubspot-ratelimit-…`). */
    retryHeaders: z
      .strictObject({
        retryAfter: z.array(z.string().min(1)).optional(),
        rateLimitRemaining: z.array(z.string().min(1)).optional(),
        rateLimitReset: z.array(z.string().min(1)).optional(),
      })
      .optional(),
    webhook: RestWebhookSchema.optional(),
    resources: z
      .record(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/), RestResourceSchema)
      .refine((r) => Object.keys(r).length > 0, 'at least one resource type'),
  })
  .superRefine((d, ctx) => {
    for (const [name, r] of Object.entries(d.resources)) {
      const style = r.pagination?.style ?? d.pagination.style;
      if ((r.incremental?.keyset ?? false) !== false && style !== 'page' && style !== 'offset') {
        ctx.addIssue({
          code: 'custom',
          path: ['resources', name, 'incremental', 'keyset'],
          message: 'keyset paging needs page or offset pagination',
        });
      }
    }
    const w = d.webhook;
    if (w?.resourceType !== undefined && !(w.resourceType in d.resources)) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhook', 'resourceType'],
        message: `no resource ${w.resourceType}`,
      });
    }
    if (d.headers !== undefined) {
      for (const h of Object.keys(d.headers)) {
        if (/^(authorization|cookie|proxy-authorization)$/i.test(h)) {
          ctx.addIssue({
            code: 'custom',
            path: ['headers', h],
            message: 'credentials belong in the connection, not the descriptor',
          });
        }
      }
    }
  });

/** Parsed form (defaults applied). */
export type RestApiDescriptor = z.infer<typeof RestApiDescriptorSchema>;
/** What authors write. */
export type RestApiDescriptorInput = z.input<typeof RestApiDescriptorSchema>;
