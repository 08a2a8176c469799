import { app } from '@azure/functions';

import { getComposition } from '../shared/composition';
import { operationHandler } from '../shared/http/operation';
import { syncOperations } from '../shared/sync/httpOperations';

const operations = syncOperations(async () => (await getComposition()).sync);

/** GET /api/admin/integrations/{id}/runs (status filter, paged) and /runs/{runId}. */
export const adminRuns = operationHandler(
  [...operations.runs, ...operations.run],
  async () => (await getComposition()).admin,
);

app.http('AdminRuns', {
  methods: ['GET'],
  route: 'admin/integrations/{id}/runs/{runId?}',
  authLevel: 'anonymous',
  handler: adminRuns,
});
