import type { StoreOptions } from './documentStore';

/** One event in the Event Grid schema's terms; `id` doubles as the delivered message's id. */
export interface PublishedEvent {
  readonly id: string;
  readonly eventType: string;
  /** Routing and filtering hint, e.g. `/tenants/{t}/integrations/{i}`. */
  readonly subject: string;
  readonly dataVersion: string;
  readonly eventTime?: Date;
  readonly data: unknown;
}

export type PublishOptions = StoreOptions;

/** The event bus (Event Grid topic); subscriptions route events to queues (EVENT_ROUTES). */
export interface EventPublisher {
  publish(events: readonly PublishedEvent[], options?: PublishOptions): Promise<void>;
}
