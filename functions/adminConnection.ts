import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** GET, PATCH (If-Match) and DELETE /api/admin/connections/{id}. */
export const adminConnection = adminHandler(ADMIN_ROUTES.connection);

app.http('AdminConnection', {
  methods: ['GET', 'PATCH', 'DELETE'],
  route: 'admin/connections/{id}',
  authLevel: 'anonymous',
  handler: adminConnection,
});
