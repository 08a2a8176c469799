import { decodeEnvelope } from '../messages/codec';
import type { Envelope } from '../messages/envelope';
import { runWithCorrelation } from '../observability/correlation';
import type { DeadLetterEntry } from '../ports/deadLetterStore';
import { UNKNOWN_TENANT } from '../ports/deadLetterStore';
import { classifyError } from '../reliability/classifyError';
import { ensureError } from '../reliability/errors';
import { idempotencyKey } from '../reliability/idempotency';
import type { SyncDeps } from './deps';
import { clock } from './deps';

/**
 * The error model of every queue handler (STYLE.md "Error model"), in one place: a message that
 * cannot become an envelope, or whose processing fails for good, is recorded in dead_letters
 * with its reason and completed; a retryable failure is rethrown so the broker redelivers it
 * (and dead-letters it after maxDeliveryCount). Nothing is dropped silently.
 */

export interface QueueDelivery {
  readonly queue: string;
  readonly body: unknown;
  readonly messageId?: string;
  /** 1 on the first delivery (the Functions binding's DeliveryCount). */
  readonly deliveryCount?: number;
  readonly maxDeliveryCount: number;
}

export interface HandlerContext {
  /** The broker will not deliver this message again if this attempt fails. */
  readonly finalAttempt: boolean;
}

export type QueueOutcome<T> =
  | { readonly kind: 'done'; readonly value: T }
  | { readonly kind: 'dead-lettered'; readonly code: string; readonly reason: string };

function deadLetterId(delivery: QueueDelivery): string {
  return `dl_${idempotencyKey(delivery.queue, delivery.messageId ?? JSON.stringify(delivery.body ?? null)).slice(0, 40)}`;
}

export async function processQueueMessage<K extends Envelope['kind'], T>(
  deps: Pick<SyncDeps, 'deadLetters' | 'blobs' | 'logger' | 'now' | 'telemetry'>,
  delivery: QueueDelivery,
  kind: K,
  handle: (envelope: Extract<Envelope, { kind: K }>, context: HandlerContext) => Promise<T>,
): Promise<QueueOutcome<T>> {
  const finalAttempt = (delivery.deliveryCount ?? 1) >= delivery.maxDeliveryCount;
  const record = async (
    entry: Omit<DeadLetterEntry, 'id' | 'queue' | 'deadLetteredAt' | 'message'>,
  ): Promise<QueueOutcome<T>> => {
    await deps.deadLetters.recordDeadLetter({
      id: deadLetterId(delivery),
      queue: delivery.queue,
      ...(delivery.messageId !== undefined ? { messageId: delivery.messageId } : {}),
      ...(delivery.deliveryCount !== undefined ? { deliveryCount: delivery.deliveryCount } : {}),
      message: delivery.body ?? null,
      deadLetteredAt: clock(deps).toISOString(),
      ...entry,
    });
    deps.telemetry?.trackEvent('queue.deadLettered', { queue: delivery.queue, code: entry.code });
    deps.logger.warn('message dead-lettered', {
      queue: delivery.queue,
      messageId: delivery.messageId,
      code: entry.code,
      reason: entry.reason,
    });
    return { kind: 'dead-lettered', code: entry.code, reason: entry.reason };
  };

  const decoded = await decodeEnvelope(delivery.body, deps.blobs);
  if (!decoded.ok)
    return record({ tenantId: UNKNOWN_TENANT, code: 'InvalidPayload', reason: decoded.error.reason });
  const envelope = decoded.value;
  if (envelope.kind !== kind) {
    return record({
      tenantId: envelope.tenantId,
      integrationId: envelope.integrationId,
      correlationId: envelope.correlationId,
      code: 'InvalidPayload',
      reason: `expected a ${kind} message, got ${envelope.kind}`,
    });
  }
  return runWithCorrelation(envelope.correlationId, async () => {
    try {
      const value = await handle(envelope as Extract<Envelope, { kind: K }>, { finalAttempt });
      return { kind: 'done', value } as const;
    } catch (err) {
      const c = classifyError(err);
      if (c.retryable && !finalAttempt) throw err;
      return record({
        tenantId: envelope.tenantId,
        integrationId: envelope.integrationId,
        correlationId: envelope.correlationId,
        code: c.code,
        reason: `${c.reason}: ${ensureError(err).message}`.slice(0, 1000),
      });
    }
  });
}
