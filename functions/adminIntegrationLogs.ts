import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** GET /api/admin/integrations/{id}/logs (filters, paged). */
export const adminIntegrationLogs = adminHandler(ADMIN_ROUTES.integrationLogs);

app.http('AdminIntegrationLogs', {
  methods: ['GET'],
  route: 'admin/integrations/{id}/logs',
  authLevel: 'anonymous',
  handler: adminIntegrationLogs,
});
