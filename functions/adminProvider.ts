import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** GET /api/admin/providers/{providerId}. */
export const adminProvider = adminHandler(ADMIN_ROUTES.provider);

app.http('AdminProvider', {
  methods: ['GET'],
  route: 'admin/providers/{providerId}',
  authLevel: 'anonymous',
  handler: adminProvider,
});
