import { z } from 'zod';

/**
 * Every queue message is one versioned envelope (DESIGN.md "Messages"). The schema is strict on
 * the envelope and per-kind on the payload, so a consumer that meets a newer version or an
 * unknown kind refuses it loudly instead of half-processing it.
 */
export const ENVELOPE_VERSION = 1;

/** Service Bus Standard caps a message at 256 KB; anything over this goes to Blob (claim check). */
export const CLAIM_CHECK_THRESHOLD_BYTES = 200 * 1024;

export const MessageKinds = {
  inboundScheduled: 'sync.inbound.scheduled',
  inboundWebhook: 'sync.inbound.webhook',
} as const;
export type MessageKind = (typeof MessageKinds)[keyof typeof MessageKinds];

const Id = z.string().min(1).max(200);

export const SyncModeSchema = z.enum(['full', 'incremental']);
export type SyncMode = z.infer<typeof SyncModeSchema>;

/** A blob holding what did not fit in the message; `sha256` lets the reader prove it is intact. */
export const BlobRefSchema = z.strictObject({
  container: z.string().min(3).max(63),
  name: z.string().min(1).max(1024),
  /** Where the content starts inside a segment blob holding several bodies; absent = the whole blob. */
  offset: z.number().int().min(0).optional(),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BlobRef = z.infer<typeof BlobRefSchema>;

export const InboundSyncPayloadSchema = z.strictObject({
  runId: Id,
  trigger: z.enum(['schedule', 'manual']),
  mode: SyncModeSchema,
  resourceTypes: z.array(z.string().min(1).max(64)).min(1).max(50),
  /** Only these external ids (manual runs); the run fetches each instead of listing. */
  ids: z.array(z.string().min(1).max(500)).max(1000).optional(),
  dryRun: z.boolean().default(false),
  /** The schedule slot this run stands for (ISO time), for scheduled runs. */
  slot: z.iso.datetime().optional(),
});
export type InboundSyncPayload = z.infer<typeof InboundSyncPayloadSchema>;

export const WebhookEventPayloadSchema = z
  .strictObject({
    eventId: Id,
    provider: z.string().min(1).max(64),
    deliveryId: z.string().min(1).max(500),
    receivedAt: z.iso.datetime(),
    contentType: z.string().max(200).optional(),
    /** The raw body as UTF-8 when it is small enough to travel in the message. */
    body: z.string().optional(),
    /** Where the raw body is kept for replay; the consumer reads it when `body` is absent. */
    bodyRef: BlobRefSchema,
  })
  .refine((p) => p.body === undefined || Buffer.byteLength(p.body, 'utf8') === p.bodyRef.bytes, {
    message: 'inline body does not match the stored body size',
    path: ['body'],
  });
export type WebhookEventPayload = z.infer<typeof WebhookEventPayloadSchema>;

const envelopeBase = {
  v: z.literal(ENVELOPE_VERSION),
  tenantId: Id,
  integrationId: Id,
  correlationId: Id,
  idempotencyKey: z.string().min(1).max(128),
};

export const InboundSyncEnvelopeSchema = z.strictObject({
  ...envelopeBase,
  kind: z.literal(MessageKinds.inboundScheduled),
  payload: InboundSyncPayloadSchema,
});
export type InboundSyncEnvelope = z.infer<typeof InboundSyncEnvelopeSchema>;

export const WebhookEventEnvelopeSchema = z.strictObject({
  ...envelopeBase,
  kind: z.literal(MessageKinds.inboundWebhook),
  payload: WebhookEventPayloadSchema,
});
export type WebhookEventEnvelope = z.infer<typeof WebhookEventEnvelopeSchema>;

export const EnvelopeSchema = z.discriminatedUnion('kind', [
  InboundSyncEnvelopeSchema,
  WebhookEventEnvelopeSchema,
]);
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** An envelope whose payload was moved to Blob; only this travels on the queue. */
export const ClaimCheckEnvelopeSchema = z.strictObject({
  ...envelopeBase,
  kind: z.string().min(1).max(64),
  claimCheck: BlobRefSchema,
});
export type ClaimCheckEnvelope = z.infer<typeof ClaimCheckEnvelopeSchema>;
