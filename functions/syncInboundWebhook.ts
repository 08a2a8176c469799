import type { InvocationContext } from '@azure/functions';
import { app } from '@azure/functions';

import { getComposition } from '../shared/composition';
import { getQueue, QueueNames } from '../shared/config/queues';
import { SettingNames } from '../shared/config/settingNames';
import { MessageKinds } from '../shared/messages/envelope';
import { applyWebhookEvent } from '../shared/sync/applyWebhookEvent';
import { processQueueMessage } from '../shared/sync/processQueueMessage';
import { queueDelivery } from '../shared/sync/triggerMetadata';

const queue = getQueue(QueueNames.inboundWebhook);

/** One accepted webhook delivery (via Event Grid): fetch if needed, map, detect change, write. */
export async function syncInboundWebhook(message: unknown, context: InvocationContext): Promise<void> {
  const { sync } = await getComposition();
  const outcome = await processQueueMessage(
    sync,
    queueDelivery(queue, message, context.triggerMetadata),
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
