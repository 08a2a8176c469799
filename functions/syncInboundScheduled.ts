import type { InvocationContext } from '@azure/functions';
import { app } from '@azure/functions';

import { getComposition } from '../shared/composition';
import { getQueue, QueueNames } from '../shared/config/queues';
import { SettingNames } from '../shared/config/settingNames';
import { MessageKinds } from '../shared/messages/envelope';
import { processQueueMessage } from '../shared/sync/processQueueMessage';
import { runInboundSync } from '../shared/sync/runInboundSync';
import { queueDelivery } from '../shared/sync/triggerMetadata';

const queue = getQueue(QueueNames.inboundScheduled);

/** One inbound run (scheduled or manual): paginated fetch with a checkpoint per page. */
export async function syncInboundScheduled(message: unknown, context: InvocationContext): Promise<void> {
  const { sync } = await getComposition();
  const outcome = await processQueueMessage(
    sync,
    queueDelivery(queue, message, context.triggerMetadata),
    MessageKinds.inboundScheduled,
    (envelope, { finalAttempt }) =>
      runInboundSync(sync, {
        tenantId: envelope.tenantId,
        integrationId: envelope.integrationId,
        correlationId: envelope.correlationId,
        idempotencyKey: envelope.idempotencyKey,
        payload: envelope.payload,
        finalAttempt,
      }),
  );
  if (outcome.kind === 'done') context.log(`run ${outcome.value.id}: ${outcome.value.status}`);
}

app.serviceBusQueue('SyncInboundScheduled', {
  queueName: queue.name,
  connection: SettingNames.serviceBus,
  handler: syncInboundScheduled,
});
