import { ADMIN_OPERATIONS } from '../http/adminOperations';
import { buildOpenApiDocument } from './document';

export const OPENAPI_PATH = '/openapi.json';
const API_VERSION = '1.0.0';

let cached: Record<string, unknown> | undefined;

/** The admin API's OpenAPI document, built once per process (it only depends on code). */
export function adminOpenApiDocument(): Record<string, unknown> {
  cached ??= buildOpenApiDocument(ADMIN_OPERATIONS, {
    version: API_VERSION,
    publicOperations: [
      { path: OPENAPI_PATH, method: 'get', operationId: 'getOpenApiDocument', summary: 'This document' },
    ],
  });
  return cached;
}
