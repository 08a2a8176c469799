import type {
  FunctionHandler,
  HttpResponseInit,
  PostInvocationContext,
  PreInvocationContext,
} from '@azure/functions';
import { HttpRequest, HttpResponse } from '@azure/functions';

import { CORRELATION_HEADER, normalizeCorrelationId, runWithCorrelation } from './correlation';

function correlationOf(context: PreInvocationContext): string {
  const input = context.inputs[0];
  if (input instanceof HttpRequest) return normalizeCorrelationId(input.headers.get(CORRELATION_HEADER));
  const metadata = context.invocationContext.triggerMetadata;
  const fromMessage = metadata?.['correlationId'];
  if (typeof fromMessage === 'string') return normalizeCorrelationId(fromMessage);
  if (
    typeof input === 'object' &&
    input !== null &&
    'correlationId' in input &&
    typeof input.correlationId === 'string'
  ) {
    return normalizeCorrelationId(input.correlationId);
  }
  return normalizeCorrelationId(context.invocationContext.invocationId);
}

/**
 * Runs each invocation inside its correlation scope, so everything it logs or enqueues carries
 * the same id the caller sent (or one we start), and HTTP answers echo it back.
 */
export function preInvocationCorrelation(context: PreInvocationContext): void {
  const correlationId = correlationOf(context);
  const handler: FunctionHandler = context.functionHandler;
  context.hookData['correlationId'] = correlationId;
  context.functionHandler = (...args: Parameters<FunctionHandler>): unknown =>
    runWithCorrelation(correlationId, (): unknown => handler(...args) as unknown);
}

export function postInvocationCorrelation(context: PostInvocationContext): void {
  const correlationId = context.hookData['correlationId'];
  if (typeof correlationId !== 'string') return;
  const result = context.result;
  if (result instanceof HttpResponse) {
    result.headers.set(CORRELATION_HEADER, correlationId);
  } else if (typeof result === 'object' && result !== null && context.inputs[0] instanceof HttpRequest) {
    const init = result as HttpResponseInit;
    const headers = new Headers(init.headers);
    headers.set(CORRELATION_HEADER, correlationId);
    context.result = { ...init, headers: Object.fromEntries(headers.entries()) };
  }
}
