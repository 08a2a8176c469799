import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** POST /api/admin/integrations/{id}/pause, /resume and /disable. */
export const adminIntegrationStatus = adminHandler(ADMIN_ROUTES.integrationStatus);

app.http('AdminIntegrationStatus', {
  methods: ['POST'],
  route: 'admin/integrations/{id}/{action:regex(^(pause|resume|disable)$)}',
  authLevel: 'anonymous',
  handler: adminIntegrationStatus,
});
