import { app } from '@azure/functions';

import { getComposition } from '../shared/composition';
import { operationHandler } from '../shared/http/operation';
import { syncOperations } from '../shared/sync/httpOperations';

const operations = syncOperations(async () => (await getComposition()).sync);

/** POST /api/admin/integrations/{id}/sync: 202 with the run id (mode, resource types, ids, dryRun, idempotencyKey). */
export const adminSync = operationHandler(operations.sync, async () => (await getComposition()).admin);

app.http('AdminSync', {
  methods: ['POST'],
  route: 'admin/integrations/{id}/sync',
  authLevel: 'anonymous',
  handler: adminSync,
});
