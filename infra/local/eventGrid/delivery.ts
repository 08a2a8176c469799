import type { ServiceBusClient, ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';

import type { EventRoute } from '../../../shared/config/eventRoutes';
import type { AcceptedEvent } from './events';

/** An event that could not be delivered after every attempt; kept for inspection, never dropped. */
export interface DeadLetteredEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly subscription: string;
  readonly queue: string;
  readonly attempts: number;
  readonly reason: string;
  readonly deadLetteredAt: string;
}

export interface DeliveryOptions {
  /** Attempts before an event is dead-lettered; default 10 (≈1 min of backoff). */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt up to maxRetryDelayMs. */
  readonly initialRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
}

interface Delivery {
  readonly event: AcceptedEvent;
  readonly route: EventRoute;
  readonly body: Buffer;
  /** Attempts already made. */
  attempts: number;
  lastError?: string;
}

const MAX_BATCH = 100;

/**
 * Delivers routed events to one Service Bus queue with a pooled sender. Events wait in memory
 * (the publisher already has its 200), go out in batches when several are pending, and failed
 * sends are retried with exponential backoff; after maxAttempts they land in the dead-letter list.
 */
export class QueueDelivery {
  private readonly ready: Delivery[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private running: Promise<void> | undefined;
  private sender: ServiceBusSender | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly queue: string,
    private readonly client: ServiceBusClient,
    private readonly options: Required<DeliveryOptions>,
    private readonly onDeadLetter: (entry: DeadLetteredEvent) => void,
  ) {}

  enqueue(event: AcceptedEvent, route: EventRoute): void {
    this.ready.push({ event, route, body: Buffer.from(JSON.stringify(event.delivered)), attempts: 0 });
    this.kick();
  }

  /** Events not yet handed to Service Bus (waiting, in flight or backing off). */
  pending(): number {
    return this.ready.length + this.inFlight + this.retryTimers.size;
  }

  /** Resolves once nothing is pending, or after timeoutMs. */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.pending() === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        resolve(false);
      }, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Stops retrying; what is still pending is dead-lettered with the reason, so nothing vanishes. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await this.running;
    for (const d of this.ready.splice(0))
      this.deadLetter(d, 'emulator stopped before the event was delivered');
    await this.sender?.close();
  }

  private kick(): void {
    if (this.running !== undefined || this.closed) return;
    this.running = this.pump().finally(() => {
      this.running = undefined;
      if (this.ready.length > 0 && !this.closed) this.kick();
      this.notifyIdle();
    });
  }

  private async pump(): Promise<void> {
    while (this.ready.length > 0 && !this.closed) {
      const taken = this.ready.splice(0, MAX_BATCH);
      this.inFlight = taken.length;
      // Until the batch is built every taken event may be retried; after, only those in the batch.
      let attempted = taken;
      try {
        this.sender ??= this.client.createSender(this.queue);
        const batch = await this.sender.createMessageBatch();
        const sent: Delivery[] = [];
        for (const [i, d] of taken.entries()) {
          if (batch.tryAddMessage(toMessage(d))) {
            sent.push(d);
          } else if (sent.length === 0) {
            this.deadLetter(d, `event of ${d.body.length} bytes exceeds the queue's maximum message size`);
          } else {
            this.ready.unshift(...taken.slice(i));
            break;
          }
        }
        attempted = sent;
        if (sent.length > 0) await this.sender.sendMessages(batch);
      } catch (err) {
        const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        for (const d of attempted) this.retryLater(d, reason);
      } finally {
        this.inFlight = 0;
      }
    }
  }

  private retryLater(d: Delivery, reason: string): void {
    d.attempts += 1;
    d.lastError = reason;
    if (d.attempts >= this.options.maxAttempts || this.closed) {
      this.deadLetter(d, reason);
      return;
    }
    const delay = Math.min(
      this.options.initialRetryDelayMs * 2 ** (d.attempts - 1),
      this.options.maxRetryDelayMs,
    );
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.ready.push(d);
      this.kick();
    }, delay);
    this.retryTimers.add(timer);
  }

  private deadLetter(d: Delivery, reason: string): void {
    this.onDeadLetter({
      eventId: d.event.id,
      eventType: d.event.eventType,
      subscription: d.route.name,
      queue: this.queue,
      attempts: d.attempts,
      reason,
      deadLetteredAt: new Date().toISOString(),
    });
  }

  private notifyIdle(): void {
    if (this.pending() > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/**
 * The message Event Grid puts on a Service Bus queue: the single event as JSON bytes, the event id
 * as MessageId (so the queue's duplicate detection drops re-published events) and Event Grid's
 * delivery properties.
 */
function toMessage(d: Delivery): ServiceBusMessage {
  const properties: Record<string, string> = {
    'aeg-subscription-name': d.route.name.toUpperCase(),
    'aeg-delivery-count': String(d.attempts),
    'aeg-event-type': 'Notification',
    'aeg-metadata-version': d.event.schema === 'EventGridSchema' ? '1' : '1.0',
    'aeg-output-event-id': d.event.id,
  };
  if (d.event.dataVersion !== undefined) properties['aeg-data-version'] = d.event.dataVersion;
  return {
    body: d.body,
    messageId: d.event.id,
    contentType:
      d.event.schema === 'EventGridSchema'
        ? 'application/json'
        : 'application/cloudevents+json; charset=utf-8',
    applicationProperties: properties,
  };
}
