import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { app } from '@azure/functions';

import { adminOpenApiDocument } from '../shared/openapi/adminDocument';

/** GET /api/openapi.json: the OpenAPI 3.1 document, generated from the handlers' zod schemas. */
export function openApi(_request: HttpRequest): Promise<HttpResponseInit> {
  return Promise.resolve({
    status: 200,
    jsonBody: adminOpenApiDocument(),
    headers: { 'cache-control': 'public, max-age=300' },
  });
}

app.http('OpenApi', { methods: ['GET'], route: 'openapi.json', authLevel: 'anonymous', handler: openApi });
