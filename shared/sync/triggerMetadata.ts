import { z } from 'zod';

import type { QueueDelivery } from './processQueueMessage';

/** The Service Bus binding data the handlers use, as the Functions library hands it over (camelCase). */
export const ServiceBusTriggerMetadataSchema = z.looseObject({
  messageId: z.string().optional(),
  deliveryCount: z.coerce.number().int().min(1).optional(),
});
export type ServiceBusTriggerMetadata = z.infer<typeof ServiceBusTriggerMetadataSchema>;

export function readTriggerMetadata(metadata: unknown): ServiceBusTriggerMetadata {
  const parsed = ServiceBusTriggerMetadataSchema.safeParse(metadata ?? {});
  return parsed.success ? parsed.data : {};
}

/** The delivery processQueueMessage needs, from a queue's declaration and what the trigger handed over. */
export function queueDelivery(
  queue: { readonly name: string; readonly maxDeliveryCount: number },
  body: unknown,
  triggerMetadata: unknown,
): QueueDelivery {
  const meta = readTriggerMetadata(triggerMetadata);
  return {
    queue: queue.name,
    body,
    maxDeliveryCount: queue.maxDeliveryCount,
    ...(meta.messageId !== undefined ? { messageId: meta.messageId } : {}),
    ...(meta.deliveryCount !== undefined ? { deliveryCount: meta.deliveryCount } : {}),
  };
}
