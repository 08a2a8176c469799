import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** GET /api/admin/providers: the provider catalogue. */
export const adminProviders = adminHandler(ADMIN_ROUTES.providers);

app.http('AdminProviders', {
  methods: ['GET'],
  route: 'admin/providers',
  authLevel: 'anonymous',
  handler: adminProviders,
});
