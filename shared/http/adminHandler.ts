import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { getComposition } from '../composition';
import type { Operation } from './operation';
import { operationHandler } from './operation';

/** An HTTP handler for admin operations, on the process-wide composition. */
export function adminHandler(
  operations: readonly Operation[],
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return operationHandler(operations, async () => (await getComposition()).admin);
}
