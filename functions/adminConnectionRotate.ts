import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** POST /api/admin/connections/{id}/rotate: new secret versions, switched to once proven. */
export const adminConnectionRotate = adminHandler(ADMIN_ROUTES.connectionRotate);

app.http('AdminConnectionRotate', {
  methods: ['POST'],
  route: 'admin/connections/{id}/rotate',
  authLevel: 'anonymous',
  handler: adminConnectionRotate,
});
