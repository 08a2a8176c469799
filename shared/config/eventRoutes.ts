import { QueueNames } from './queues';

/**
 * Event Grid routing: ONE table that the local Event Grid endpoint applies and infra/azure turns
 * into topic subscriptions (event-type filter → Service Bus queue).
 */
export interface EventRoute {
  /** Subscription name in Azure (3–64 chars, letters, digits and hyphens). */
  readonly name: string;
  readonly eventTypes: readonly string[];
  readonly queue: string;
}

export const EventTypes = {
  webhookReceived: 'Sync.Webhook.Received',
} as const;

export const EVENT_GRID_TOPIC = 'sync-events';

export const EVENT_ROUTES: readonly EventRoute[] = [
  { name: 'webhook-to-inbound', eventTypes: [EventTypes.webhookReceived], queue: QueueNames.inboundWebhook },
];
