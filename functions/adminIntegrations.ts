import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** GET (list, filters, paged) and POST /api/admin/integrations. */
export const adminIntegrations = adminHandler(ADMIN_ROUTES.integrations);

app.http('AdminIntegrations', {
  methods: ['GET', 'POST'],
  route: 'admin/integrations',
  authLevel: 'anonymous',
  handler: adminIntegrations,
});
