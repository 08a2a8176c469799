import type { HeadersInput, WebhookBinding } from '../../adapters/base/webhooks';
import { verifyWebhook } from '../../adapters/base/webhooks';
import { EventTypes } from '../config/eventRoutes';
import type { IntegrationDocument } from '../domain/integration';
import { webhookUrl } from '../domain/integration';
import type { WebhookEventEnvelope } from '../messages/envelope';
import { CLAIM_CHECK_THRESHOLD_BYTES, ENVELOPE_VERSION, MessageKinds } from '../messages/envelope';
import type { Logger } from '../observability/logger';
import type { BlobRef } from '../ports/blobStore';
import type { StoreOptions, Versioned } from '../ports/documentStore';
import type { EventPublisher } from '../ports/eventPublisher';
import type { Telemetry } from '../ports/telemetry';
import type { WebhookEventStore } from '../ports/webhookEventStore';
import { idempotencyKey } from '../reliability/idempotency';
import type { BodyArchive } from './bodyArchive';

/**
 * WebhookReceiver's use case. The hot path is: (cached) integration and secret, verify the raw
 * bytes, one dedup write, then the Blob copy and the Event Grid publish side by side. Everything
 * that can go wrong with the request itself is an answer (401/400/404/403/413), never a 5xx.
 */

/** What the receiver needs about an integration; the composition caches it briefly. */
export interface WebhookTarget {
  readonly tenantId: string;
  readonly integration: Versioned<IntegrationDocument>;
  readonly scheme?: string;
  readonly config?: unknown;
  readonly toleranceSec?: number;
  /** Never log it. */
  readonly secret?: string;
}

export type WebhookTargetLoader = (
  provider: string,
  integrationId: string,
  options?: StoreOptions,
) => Promise<WebhookTarget | undefined>;

export interface ReceiveWebhookDeps {
  readonly loadTarget: WebhookTargetLoader;
  /** Stores a secret a handshake delivered, and forgets the cached target. */
  readonly storeHandshakeSecret: (tenantId: string, integrationId: string, secret: string) => Promise<void>;
  readonly webhookEvents: WebhookEventStore;
  /** Raw bodies for replay (segment blobs in Blob Storage). */
  readonly archive: BodyArchive;
  readonly events: EventPublisher;
  readonly logger: Logger;
  readonly telemetry?: Telemetry;
  /** WEBHOOK_BASE_URL (ends with the /api prefix): schemes that sign the URL need the public one. */
  readonly webhookBaseUrl: string;
  readonly maxBodyBytes: number;
  readonly now?: () => Date;
}

export interface ReceiveWebhookRequest {
  readonly provider: string;
  readonly integrationId: string;
  readonly method: string;
  readonly headers: HeadersInput;
  /** `?…` exactly as received (Twilio signs it), or ''. */
  readonly search: string;
  readonly rawBody: Buffer;
  readonly contentType?: string;
  readonly correlationId: string;
}

export type WebhookRejection = 'too-large' | 'unknown-integration' | 'paused' | 'malformed' | 'unauthorized';

export type ReceiveWebhookOutcome =
  | { readonly kind: 'accepted'; readonly eventId: string; readonly duplicate: boolean }
  | {
      readonly kind: 'handshake';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
    }
  | { readonly kind: 'rejected'; readonly reason: WebhookRejection; readonly detail?: string };

/** Delivery ids are kept this long at least (the issue asks ≥ 72 h). */
export const DEDUP_RETENTION_MS = 7 * 24 * 60 * 60_000;
/** Room for the envelope around an inline body inside the 200 KB claim-check threshold. */
const INLINE_BODY_LIMIT = CLAIM_CHECK_THRESHOLD_BYTES - 8 * 1024;

export function webhookEventId(integrationId: string, deliveryId: string): string {
  return `evt_${idempotencyKey('webhook', integrationId, deliveryId).slice(0, 40)}`;
}

export async function receiveWebhook(
  deps: ReceiveWebhookDeps,
  request: ReceiveWebhookRequest,
): Promise<ReceiveWebhookOutcome> {
  if (request.rawBody.length > deps.maxBodyBytes) return { kind: 'rejected', reason: 'too-large' };
  const target = await deps.loadTarget(request.provider, request.integrationId);
  if (target === undefined || target.scheme === undefined)
    return { kind: 'rejected', reason: 'unknown-integration' };
  const status = target.integration.value.status;
  if (status === 'PAUSED' || status === 'DISABLED') return { kind: 'rejected', reason: 'paused' };

  const now = deps.now?.() ?? new Date();
  const binding: WebhookBinding = {
    scheme: target.scheme,
    secret: target.secret,
    config: target.config,
    ...(target.toleranceSec !== undefined ? { toleranceSec: target.toleranceSec } : {}),
  };
  const verified = verifyWebhook(binding, {
    rawBody: request.rawBody,
    headers: request.headers,
    method: request.method,
    url: webhookUrl(deps.webhookBaseUrl, request.provider, request.integrationId) + request.search,
    now,
  });
  if (!verified.ok) {
    deps.telemetry?.trackEvent('webhook.rejected', {
      scheme: verified.error.scheme,
      reason: verified.error.reason,
    });
    return {
      kind: 'rejected',
      reason: verified.error.reason === 'malformed' ? 'malformed' : 'unauthorized',
      detail: verified.error.reason,
    };
  }
  const handshake = verified.value.handshake;
  if (handshake !== undefined) {
    if (handshake.secretToStore !== undefined) {
      await deps.storeHandshakeSecret(target.tenantId, request.integrationId, handshake.secretToStore);
    }
    return {
      kind: 'handshake',
      status: handshake.status,
      headers: handshake.headers ?? {},
      body: handshake.body,
    };
  }

  const { deliveryId } = verified.value;
  const eventId = webhookEventId(request.integrationId, deliveryId);
  // The body's place is known at once; its write runs alongside the dedup write below.
  const archived = deps.archive.archive(target.tenantId, request.rawBody);
  const bodyRef: BlobRef = archived.ref;
  const receivedAt = now.toISOString();
  const recorded = await deps.webhookEvents.recordDelivery({
    id: eventId,
    tenantId: target.tenantId,
    integrationId: request.integrationId,
    provider: request.provider,
    deliveryId,
    eventId,
    receivedAt,
    bodyRef,
    expiresAt: new Date(now.getTime() + DEDUP_RETENTION_MS).toISOString(),
  });
  if (recorded === 'duplicate') {
    // The archived copy of a duplicate is unreferenced; its write must still not float.
    archived.written.catch(() => undefined);
    return { kind: 'accepted', eventId, duplicate: true };
  }

  const text = request.rawBody.toString('utf8');
  // Escaping can double a body's size inside JSON; measure what will actually travel.
  const inline =
    request.rawBody.length <= INLINE_BODY_LIMIT && JSON.stringify(text).length <= INLINE_BODY_LIMIT;
  const envelope: WebhookEventEnvelope = {
    v: ENVELOPE_VERSION,
    kind: MessageKinds.inboundWebhook,
    tenantId: target.tenantId,
    integrationId: request.integrationId,
    correlationId: request.correlationId,
    idempotencyKey: eventId,
    payload: {
      eventId,
      provider: request.provider,
      deliveryId,
      receivedAt,
      ...(request.contentType !== undefined ? { contentType: request.contentType.slice(0, 200) } : {}),
      ...(inline ? { body: text } : {}),
      bodyRef,
    },
  };
  const publish = (): Promise<void> =>
    deps.events.publish([
      {
        // The event id becomes the queue message id: the queue's duplicate detection is a second guard.
        id: eventId,
        eventType: EventTypes.webhookReceived,
        subject: `/tenants/${target.tenantId}/integrations/${request.integrationId}`,
        dataVersion: String(ENVELOPE_VERSION),
        eventTime: now,
        data: envelope,
      },
    ]);
  try {
    // An inline body does not need the blob to be readable first, so both go at once; a body
    // that travels by reference must be stored before anyone can be told about it.
    if (inline) await Promise.all([archived.written, publish()]);
    else {
      await archived.written;
      await publish();
    }
  } catch (err) {
    // Not accepted after all: forget the delivery so the provider's retry is not a "duplicate".
    await deps.webhookEvents.forgetDelivery(target.tenantId, eventId).catch((forgetErr: unknown) => {
      deps.logger.error('could not forget a webhook delivery after a failed publish', {
        eventId,
        error: forgetErr,
      });
    });
    throw err;
  }
  return { kind: 'accepted', eventId, duplicate: false };
}
