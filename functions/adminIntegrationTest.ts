import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** POST /api/admin/integrations/{id}/test: test the connection against the provider. */
export const adminIntegrationTest = adminHandler(ADMIN_ROUTES.integrationTest);

app.http('AdminIntegrationTest', {
  methods: ['POST'],
  route: 'admin/integrations/{id}/test',
  authLevel: 'anonymous',
  handler: adminIntegrationTest,
});
