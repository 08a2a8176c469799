import type { InvocationContext, Timer } from '@azure/functions';
import { app } from '@azure/functions';

import { getComposition } from '../shared/composition';
import { scheduleDueSyncs } from '../shared/sync/scheduleDueSyncs';

/** Every minute: one sync-inbound-scheduled message per due (integration, resource type). */
export async function syncScheduler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { sync } = await getComposition();
  const summary = await scheduleDueSyncs(sync);
  if (summary.integrationsDue > 0) context.log('sync scheduler', JSON.stringify(summary));
}

app.timer('SyncScheduler', { schedule: '0 */1 * * * *', runOnStartup: false, handler: syncScheduler });
