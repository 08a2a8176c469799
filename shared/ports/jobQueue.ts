import type { QueueName } from '../config/queues';
import type { StoreOptions } from './documentStore';

export interface QueueMessage {
  /**
   * Stable for "the same job": the queue's duplicate detection drops a second message with the
   * same id inside its window, which is what makes a double-fired timer harmless.
   */
  readonly messageId: string;
  /** JSON-serialisable; normally an envelope from shared/messages. */
  readonly body: unknown;
  readonly correlationId?: string;
  readonly subject?: string;
  /** Partitions work that must stay ordered (session-enabled queues only). */
  readonly sessionId?: string;
  readonly applicationProperties?: Readonly<Record<string, string | number | boolean>>;
}

export type EnqueueOptions = StoreOptions;

/** Work queues (Service Bus). Sends are all-or-nothing per call: a batch either went or it throws. */
export interface JobQueue {
  enqueue(queue: QueueName, messages: readonly QueueMessage[], options?: EnqueueOptions): Promise<void>;
}
