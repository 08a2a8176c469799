import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** GET, PATCH (If-Match) and DELETE /api/admin/integrations/{id}. */
export const adminIntegration = adminHandler(ADMIN_ROUTES.integration);

app.http('AdminIntegration', {
  methods: ['GET', 'PATCH', 'DELETE'],
  route: 'admin/integrations/{id}',
  authLevel: 'anonymous',
  handler: adminIntegration,
});
