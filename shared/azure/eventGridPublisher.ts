import type { EventGridPublisherClient } from '@azure/eventgrid';

import type { EventPublisher, PublishedEvent, PublishOptions } from '../ports/eventPublisher';

export class EventGridEventPublisher implements EventPublisher {
  constructor(private readonly client: EventGridPublisherClient<'EventGrid'>) {}

  async publish(events: readonly PublishedEvent[], options: PublishOptions = {}): Promise<void> {
    if (events.length === 0) return;
    await this.client.send(
      events.map((e) => ({
        id: e.id,
        eventType: e.eventType,
        subject: e.subject,
        dataVersion: e.dataVersion,
        data: e.data,
        ...(e.eventTime !== undefined ? { eventTime: e.eventTime } : {}),
      })),
      options.abortSignal ? { abortSignal: options.abortSignal } : {},
    );
  }
}
