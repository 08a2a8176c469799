import { app } from '@azure/functions';

import { getComposition } from '../shared/composition';
import { operationHandler } from '../shared/http/operation';
import { syncOperations } from '../shared/sync/httpOperations';

const operations = syncOperations(async () => (await getComposition()).sync);

/** GET /api/records/{resourceType} (updated_since, paged) and /records/{resourceType}/{id}, each with its links. */
export const records = operationHandler(
  [...operations.records, ...operations.record],
  async () => (await getComposition()).admin,
);

app.http('Records', {
  methods: ['GET'],
  route: 'records/{resourceType}/{id?}',
  authLevel: 'anonymous',
  handler: records,
});
