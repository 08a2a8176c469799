import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** GET and POST /api/admin/keys (admin role). */
export const adminKeys = adminHandler(ADMIN_ROUTES.keys);

app.http('AdminKeys', {
  methods: ['GET', 'POST'],
  route: 'admin/keys',
  authLevel: 'anonymous',
  handler: adminKeys,
});
