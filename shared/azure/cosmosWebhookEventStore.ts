import type { Container } from '@azure/cosmos';

import type { StoreOptions } from '../ports/documentStore';
import type { WebhookDelivery, WebhookEventStore } from '../ports/webhookEventStore';
import { cosmosStatus } from './cosmosDocuments';

/** Dedup is the create itself: a 409 on the delivery's id means it was seen. One write, no read. */
export class CosmosWebhookEventStore implements WebhookEventStore {
  constructor(private readonly container: Container) {}

  async recordDelivery(
    delivery: WebhookDelivery,
    options: StoreOptions = {},
  ): Promise<'recorded' | 'duplicate'> {
    try {
      await this.container.items.create(
        // Cosmos TTL (seconds) removes it in Azure; the cleanup job uses expiresAt locally.
        { ...delivery, ttl: Math.max(1, Math.ceil((Date.parse(delivery.expiresAt) - Date.now()) / 1000)) },
        options.abortSignal ? { abortSignal: options.abortSignal } : {},
      );
      return 'recorded';
    } catch (err) {
      if (cosmosStatus(err) === 409) return 'duplicate';
      throw err;
    }
  }

  async forgetDelivery(tenantId: string, id: string, options: StoreOptions = {}): Promise<void> {
    try {
      await this.container
        .item(id, tenantId)
        .delete(options.abortSignal ? { abortSignal: options.abortSignal } : {});
    } catch (err) {
      if (cosmosStatus(err) !== 404) throw err;
    }
  }
}
