import type { ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';

import type { QueueName } from '../config/queues';
import type { EnqueueOptions, JobQueue, QueueMessage } from '../ports/jobQueue';

/** Sends through the composition's pooled senders, in as few batches as the size limit allows. */
export class ServiceBusJobQueue implements JobQueue {
  constructor(private readonly sender: (queue: QueueName) => ServiceBusSender) {}

  async enqueue(
    queue: QueueName,
    messages: readonly QueueMessage[],
    options: EnqueueOptions = {},
  ): Promise<void> {
    if (messages.length === 0) return;
    const sender = this.sender(queue);
    const signal = options.abortSignal ? { abortSignal: options.abortSignal } : {};
    const toSend = messages.map(toServiceBusMessage);
    if (toSend.length === 1) {
      await sender.sendMessages(toSend, signal);
      return;
    }
    let batch = await sender.createMessageBatch(signal);
    for (const message of toSend) {
      if (batch.tryAddMessage(message)) continue;
      if (batch.count === 0)
        throw new Error(`message ${String(message.messageId)} is larger than the queue allows`);
      await sender.sendMessages(batch, signal);
      batch = await sender.createMessageBatch(signal);
      if (!batch.tryAddMessage(message))
        throw new Error(`message ${String(message.messageId)} is larger than the queue allows`);
    }
    if (batch.count > 0) await sender.sendMessages(batch, signal);
  }
}

function toServiceBusMessage(m: QueueMessage): ServiceBusMessage {
  return {
    messageId: m.messageId,
    body: m.body,
    contentType: 'application/json',
    ...(m.correlationId !== undefined ? { correlationId: m.correlationId } : {}),
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
    ...(m.sessionId !== undefined ? { sessionId: m.sessionId } : {}),
    ...(m.applicationProperties !== undefined
      ? { applicationProperties: { ...m.applicationProperties } }
      : {}),
  };
}
