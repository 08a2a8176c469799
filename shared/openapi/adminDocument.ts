import { ADMIN_OPERATIONS } from '../http/adminOperations';
import type { Operation } from '../http/operation';
import { servedOperations } from '../http/operation';
import { buildOpenApiDocument } from './document';

export const OPENAPI_PATH = '/openapi.json';
const API_VERSION = '1.0.0';

let cached: Record<string, unknown> | undefined;

/**
 * The API's OpenAPI document: the admin operations plus every operation another slice serves
 * through operationHandler. Built once per process, at the first request, when every function
 * module has loaded.
 */
export function adminOpenApiDocument(): Record<string, unknown> {
  const operations = new Map<string, Operation>();
  for (const op of [...ADMIN_OPERATIONS, ...servedOperations()])
    operations.set(`${op.method} ${op.path}`, op);
  cached ??= buildOpenApiDocument([...operations.values()], {
    version: API_VERSION,
    publicOperations: [
      { path: OPENAPI_PATH, method: 'get', operationId: 'getOpenApiDocument', summary: 'This document' },
    ],
  });
  return cached;
}
