import { randomBytes } from 'node:crypto';

import { z } from 'zod';

import { MappingDocumentSchema, MappingOverridesSchema, PathSchema } from '../mapping/schema';
import { quoteEtag } from './etag';
import type { Schedule } from './schedule';
import { ScheduleSchema } from './schedule';

/**
 * An integration: which provider, through which connection, which resource types with which
 * mappings, in which direction, how conflicts resolve and when it runs (DESIGN.md "Data").
 */

export const DirectionSchema = z.enum(['inbound', 'outbound', 'bidirectional']);
export type Direction = z.infer<typeof DirectionSchema>;

export const SourceOfTruthSchema = z.enum(['local', 'external']);
export type SourceOfTruth = z.infer<typeof SourceOfTruthSchema>;

export const CONFLICT_STRATEGIES = [
  'LATEST_WINS',
  'LOCAL_WINS',
  'EXTERNAL_WINS',
  'MANUAL_REVIEW',
  'CUSTOM_MERGE',
] as const;
export const ConflictStrategySchema = z.enum(CONFLICT_STRATEGIES);
export type ConflictStrategy = z.infer<typeof ConflictStrategySchema>;

/** A per-field rule; CUSTOM_MERGE is the strategy that consists of these. */
export const FieldConflictRuleSchema = z.enum([
  'LATEST_WINS',
  'LOCAL_WINS',
  'EXTERNAL_WINS',
  'MANUAL_REVIEW',
]);
export type FieldConflictRule = z.infer<typeof FieldConflictRuleSchema>;

export const INTEGRATION_STATUSES = ['ACTIVE', 'PAUSED', 'DEGRADED', 'ERROR', 'DISABLED'] as const;
export const IntegrationStatusSchema = z.enum(INTEGRATION_STATUSES);
export type IntegrationStatus = z.infer<typeof IntegrationStatusSchema>;

export const IntegrationNameSchema = z.string().trim().min(1).max(100);
export const ResourceTypeNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, _ and -, starting with a letter');

/** Path placeholders and adapter-specific values per resource type (e.g. Asana's `project`). */
const ParamsSchema = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/), z.string().max(500));

export const ResourceTypeConfigSchema = z.strictObject({
  name: ResourceTypeNameSchema,
  enabled: z.boolean().default(true),
  /** The full mapping; validated against the integration's direction before it is saved. */
  mapping: MappingDocumentSchema.optional(),
  /** Changes to the provider's default mapping, by canonical path. */
  mappingOverrides: MappingOverridesSchema.optional(),
  params: ParamsSchema.optional(),
});
export type ResourceTypeConfig = z.infer<typeof ResourceTypeConfigSchema>;

/** Scheme ids come from the webhook scheme registry; checked by the use case, not here. */
export const WebhookInputSchema = z.strictObject({
  scheme: z.string().min(1).max(64),
  secret: z
    .string()
    .min(16, 'a webhook secret needs at least 16 characters')
    .max(1024)
    .optional()
    .describe('Omit to have one generated (whsec_…) and shown once'),
  /** Scheme configuration; required by `hmac` (header, algorithm, encoding…). */
  config: z.record(z.string(), z.unknown()).optional(),
  toleranceSec: z.number().int().min(1).max(86_400).optional(),
});
export type WebhookInput = z.infer<typeof WebhookInputSchema>;

const SourceOfTruthOverridesSchema = z
  .record(PathSchema, SourceOfTruthSchema)
  .describe('Per-field source of truth, by canonical path');
const ConflictRulesSchema = z
  .record(PathSchema, FieldConflictRuleSchema)
  .describe('Per-field conflict rules, by canonical path');
const ProviderConfigSchema = z
  .record(z.string(), z.json())
  .describe('Adapter-specific settings, validated by the provider adapter (e.g. a generic REST descriptor)');

function checkIntegration(
  value: {
    conflictStrategy?: ConflictStrategy | undefined;
    conflictRules?: Record<string, FieldConflictRule> | null | undefined;
    resourceTypes?: readonly { name: string }[] | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (
    value.conflictStrategy === 'CUSTOM_MERGE' &&
    (value.conflictRules === undefined ||
      value.conflictRules === null ||
      Object.keys(value.conflictRules).length === 0)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['conflictRules'],
      message: 'CUSTOM_MERGE needs per-field conflictRules',
    });
  }
  const seen = new Set<string>();
  value.resourceTypes?.forEach((r, i) => {
    if (seen.has(r.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['resourceTypes', i, 'name'],
        message: `resource type ${r.name} is listed twice`,
      });
    }
    seen.add(r.name);
  });
}

export const IntegrationCreateSchema = z
  .strictObject({
    name: IntegrationNameSchema,
    provider: z.string().min(1).max(64),
    connectionId: z.string().min(1).max(64),
    direction: DirectionSchema,
    sourceOfTruth: SourceOfTruthSchema.default('external'),
    sourceOfTruthOverrides: SourceOfTruthOverridesSchema.optional(),
    resourceTypes: z.array(ResourceTypeConfigSchema).min(1).max(50),
    conflictStrategy: ConflictStrategySchema.default('LATEST_WINS'),
    conflictRules: ConflictRulesSchema.optional(),
    schedule: ScheduleSchema.default({ frequency: 'MANUAL', timeZone: 'UTC' }),
    webhook: WebhookInputSchema.optional(),
    providerConfig: ProviderConfigSchema.optional(),
    status: z.enum(['ACTIVE', 'PAUSED']).default('ACTIVE').describe('Create paused to configure first'),
  })
  .superRefine(checkIntegration);
export type IntegrationCreate = z.infer<typeof IntegrationCreateSchema>;

/** Top-level fields replace what is stored; `null` removes an optional one. */
export const IntegrationPatchSchema = z
  .strictObject({
    name: IntegrationNameSchema.optional(),
    connectionId: z.string().min(1).max(64).optional(),
    direction: DirectionSchema.optional(),
    sourceOfTruth: SourceOfTruthSchema.optional(),
    sourceOfTruthOverrides: SourceOfTruthOverridesSchema.nullable().optional(),
    resourceTypes: z.array(ResourceTypeConfigSchema).min(1).max(50).optional(),
    conflictStrategy: ConflictStrategySchema.optional(),
    conflictRules: ConflictRulesSchema.nullable().optional(),
    schedule: ScheduleSchema.optional(),
    webhook: WebhookInputSchema.nullable().optional(),
    rotateWebhookSecret: z
      .literal(true)
      .optional()
      .describe('Generate a new webhook secret (shown once); the scheme stays'),
    providerConfig: ProviderConfigSchema.nullable().optional(),
  })
  .superRefine(checkIntegration);
export type IntegrationPatch = z.infer<typeof IntegrationPatchSchema>;

/** Where a secret value lives in the secret store: its name and the version in use. */
export interface SecretRef {
  readonly name: string;
  readonly version: string;
}

export interface StoredWebhook {
  readonly scheme: string;
  readonly config?: Record<string, unknown>;
  readonly toleranceSec?: number;
  /** Absent until a secret is given, generated, or delivered by a provider handshake (Asana). */
  readonly secret?: SecretRef;
}

export interface IntegrationError {
  readonly code: string;
  readonly message: string;
  readonly at: string;
}

/** The integrations container's document (partition key /tenantId, unique /name per tenant). */
export interface IntegrationDocument {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly provider: string;
  readonly connectionId: string;
  readonly direction: Direction;
  readonly sourceOfTruth: SourceOfTruth;
  readonly sourceOfTruthOverrides?: Record<string, SourceOfTruth>;
  readonly resourceTypes: readonly ResourceTypeConfig[];
  readonly conflictStrategy: ConflictStrategy;
  readonly conflictRules?: Record<string, FieldConflictRule>;
  readonly schedule: Schedule;
  readonly status: IntegrationStatus;
  readonly statusReason?: string;
  readonly webhook?: StoredWebhook;
  readonly providerConfig?: Record<string, z.core.util.JSONType>;
  /** Resumable position per resource type, owned by the sync slice. */
  readonly cursors: Record<string, unknown>;
  readonly nextSyncAt?: string;
  readonly lastSyncAt?: string;
  readonly lastSuccessAt?: string;
  readonly lastError?: IntegrationError;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type StatusAction = 'pause' | 'resume' | 'disable';

/** Which statuses each action leaves from; DEGRADED and ERROR are set by the engine, not by callers. */
export const STATUS_TRANSITIONS: Readonly<
  Record<StatusAction, { readonly from: readonly IntegrationStatus[]; readonly to: IntegrationStatus }>
> = {
  pause: { from: ['ACTIVE', 'DEGRADED', 'ERROR'], to: 'PAUSED' },
  resume: { from: ['PAUSED', 'DEGRADED', 'ERROR', 'DISABLED'], to: 'ACTIVE' },
  disable: { from: ['ACTIVE', 'PAUSED', 'DEGRADED', 'ERROR'], to: 'DISABLED' },
};

export function transition(current: IntegrationStatus, action: StatusAction): IntegrationStatus | undefined {
  const rule = STATUS_TRANSITIONS[action];
  return rule.from.includes(current) ? rule.to : undefined;
}

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The public URL a provider posts to; WEBHOOK_BASE_URL already ends with the /api prefix. */
export function webhookUrl(baseUrl: string, provider: string, integrationId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(provider)}/${encodeURIComponent(integrationId)}`;
}

const StoredWebhookViewSchema = z.object({
  scheme: z.string(),
  config: z.record(z.string(), z.unknown()).optional(),
  toleranceSec: z.number().int().optional(),
  secretConfigured: z.boolean().describe('False until a secret is set or a provider handshake stores one'),
  secretVersion: z.string().optional(),
  secret: z.string().optional().describe('Only in the response that created or rotated it'),
});

export const IntegrationViewSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  provider: z.string(),
  connectionId: z.string(),
  direction: DirectionSchema,
  sourceOfTruth: SourceOfTruthSchema,
  sourceOfTruthOverrides: z.record(z.string(), SourceOfTruthSchema).optional(),
  resourceTypes: z.array(ResourceTypeConfigSchema),
  conflictStrategy: ConflictStrategySchema,
  conflictRules: z.record(z.string(), FieldConflictRuleSchema).optional(),
  schedule: ScheduleSchema,
  status: IntegrationStatusSchema,
  statusReason: z.string().optional(),
  webhook: StoredWebhookViewSchema.optional(),
  webhookUrl: z.url().describe('Where the provider sends webhooks'),
  providerConfig: z.record(z.string(), z.json()).optional(),
  nextSyncAt: z.iso.datetime().optional(),
  lastSyncAt: z.iso.datetime().optional(),
  lastSuccessAt: z.iso.datetime().optional(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.iso.datetime() }).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  etag: z.string().describe('Send it back in If-Match to update only what you read'),
});
export type IntegrationView = z.infer<typeof IntegrationViewSchema>;

export function toIntegrationView(
  doc: IntegrationDocument,
  etag: string,
  webhookBaseUrl: string,
  shownSecret?: string,
): IntegrationView {
  const { cursors: _cursors, webhook, ...rest } = doc;
  const view: IntegrationView = {
    ...rest,
    resourceTypes: [...doc.resourceTypes],
    webhookUrl: webhookUrl(webhookBaseUrl, doc.provider, doc.id),
    etag: quoteEtag(etag),
  };
  if (webhook !== undefined) {
    view.webhook = {
      scheme: webhook.scheme,
      ...(webhook.config !== undefined ? { config: webhook.config } : {}),
      ...(webhook.toleranceSec !== undefined ? { toleranceSec: webhook.toleranceSec } : {}),
      secretConfigured: webhook.secret !== undefined,
      ...(webhook.secret !== undefined ? { secretVersion: webhook.secret.version } : {}),
      ...(shownSecret !== undefined ? { secret: shownSecret } : {}),
    };
  }
  return view;
}

/** What DELETE removed, per container (seed 003's DELETE report). */
export const IntegrationDeletionReportSchema = z.object({
  id: z.string(),
  deleted: z.object({
    integration: z.boolean(),
    links: z.number().int(),
    logs: z.number().int(),
    conflicts: z.number().int(),
    runs: z.number().int(),
    deadLetters: z.number().int(),
    webhookEvents: z.number().int(),
    secrets: z.number().int().describe('Webhook secrets removed from the vault'),
  }),
});
export type IntegrationDeletionReport = z.infer<typeof IntegrationDeletionReportSchema>;
