import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import type { AdminError, AdminErrorCode } from '../admin/errors';
import { currentCorrelationId } from '../observability/correlation';

/** Codes the HTTP layer adds to the use cases' own. */
export type HttpErrorCode =
  | AdminErrorCode
  | 'MalformedJson'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'MethodNotAllowed'
  | 'ServiceUnavailable'
  | 'Internal';

export const STATUS_BY_CODE: Readonly<Record<HttpErrorCode, number>> = {
  ValidationFailed: 400,
  MalformedJson: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  InvalidTransition: 409,
  PreconditionFailed: 412,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  CredentialsRejected: 422,
  Internal: 500,
  ServiceUnavailable: 503,
};

export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code, e.g. ValidationFailed, NotFound, Conflict'),
    message: z.string(),
    details: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('For ValidationFailed: { issues: [{ path, message, code }] }, every problem at once'),
    correlationId: z.string().describe('Quote it when reporting a problem; it is in every log line'),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

export const NO_STORE = { 'cache-control': 'no-store' } as const;

/** `{ error: { code, message, details?, correlationId } }` with the status for its code. */
export function errorResponse(
  code: HttpErrorCode,
  message: string,
  details?: Readonly<Record<string, unknown>>,
  headers: Readonly<Record<string, string>> = {},
): HttpResponseInit {
  const correlationId = currentCorrelationId() ?? 'none';
  const body: ErrorEnvelope = {
    error: { code, message, ...(details !== undefined ? { details: { ...details } } : {}), correlationId },
  };
  return {
    status: STATUS_BY_CODE[code],
    jsonBody: body,
    headers: { ...NO_STORE, 'x-correlation-id': correlationId, ...headers },
  };
}

export function adminErrorResponse(error: AdminError): HttpResponseInit {
  const headers: Record<string, string> =
    error.code === 'Unauthorized' ? { 'www-authenticate': 'Bearer realm="sync-admin"' } : {};
  return errorResponse(error.code, error.message, error.details, headers);
}
