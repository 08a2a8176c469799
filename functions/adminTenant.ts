import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** GET /api/admin/tenant: the caller's tenant. */
export const adminTenant = adminHandler(ADMIN_ROUTES.tenant);

app.http('AdminTenant', {
  methods: ['GET'],
  route: 'admin/tenant',
  authLevel: 'anonymous',
  handler: adminTenant,
});
