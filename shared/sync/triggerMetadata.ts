import { z } from 'zod';

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
