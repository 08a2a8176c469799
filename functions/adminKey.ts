import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** DELETE /api/admin/keys/{keyId} (admin role). */
export const adminKey = adminHandler(ADMIN_ROUTES.key);

app.http('AdminKey', {
  methods: ['DELETE'],
  route: 'admin/keys/{keyId}',
  authLevel: 'anonymous',
  handler: adminKey,
});
