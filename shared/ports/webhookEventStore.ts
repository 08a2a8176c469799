import type { BlobRef } from '../messages/envelope';
import type { StoreOptions } from './documentStore';

/** One accepted delivery, kept ≥ 72 h so a provider's retry of it is recognised. */
export interface WebhookDelivery {
  /** Derived from (integration, delivery id): the dedup key. */
  readonly id: string;
  readonly tenantId: string;
  readonly integrationId: string;
  readonly provider: string;
  readonly deliveryId: string;
  readonly eventId: string;
  readonly receivedAt: string;
  readonly bodyRef: BlobRef;
  /** When the cleanup job may remove it (Cosmos TTL does it in Azure). */
  readonly expiresAt: string;
}

export interface WebhookEventStore {
  /** 'duplicate' when this delivery was already recorded: one write either way. */
  recordDelivery(delivery: WebhookDelivery, options?: StoreOptions): Promise<'recorded' | 'duplicate'>;
  /** Undoes recordDelivery when publishing failed, so the provider's retry is not taken for a duplicate. */
  forgetDelivery(tenantId: string, id: string, options?: StoreOptions): Promise<void>;
}
