import type { InvocationContext } from '@azure/functions';
import { app } from '@azure/functions';

import { getComposition } from '../shared/composition';
import { getQueue, QueueNames } from '../shared/config/queues';
import { SettingNames } from '../shared/config/settingNames';
import { MessageKinds } from '../shared/messages/envelope';
import { applyWebhookEvent } from '../shared/sync/applyWebhookEvent';
import { processQueueMessage } from '../shared/sync/processQueueMessage';
import { readTriggerMetadata } from '../shared/sync/triggerMetadata';

const queue = getQueue(QueueNames.inboundWebhook);

/** One accepted webhook delivery (via Event Grid): fetch if needed, map, detect change, write. */
export async function syncInboundWebhook(message: unknown, context: InvocationContext): Promise<void> {
  const { sync } = await getComposition();
  const meta = readTriggerMetadata(context.triggerMetadata);
  const outcome = await processQueueMessage(
    sync,
    {
      queue: queue.name,
      body: message,
      maxDeliveryCount: queue.maxDeliveryCount,
      ...(meta.messageId !== undefined ? { messageId: meta.messageId } : {}),
      ...(meta.deliveryCount !== undefined ? { deliveryCount: meta.deliveryCount } : {}),
    },
    MessageKinds.inboundWebhook,
    (envelope) => applyWebhookEvent(sync, envelope),
  );
  if (outcome.kind === 'done') context.log(`webhook event: ${outcome.value.status}`);
}

app.serviceBusQueue('SyncInboundWebhook', {
  queueName: queue.name,
  connection: SettingNames.serviceBus,
  handler: syncInboundWebhook,
});
