import { app } from '@azure/functions';

import { adminHandler } from '../shared/http/adminHandler';
import { ADMIN_ROUTES } from '../shared/http/adminOperations';

/** GET (list, paged) and POST /api/admin/connections. */
export const adminConnections = adminHandler(ADMIN_ROUTES.connections);

app.http('AdminConnections', {
  methods: ['GET', 'POST'],
  route: 'admin/connections',
  authLevel: 'anonymous',
  handler: adminConnections,
});
