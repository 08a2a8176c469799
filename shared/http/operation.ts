import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ZodType } from 'zod';

import type { AdminDeps, Principal } from '../admin/deps';
import type { AdminResult } from '../admin/errors';
import { authenticate, authorize } from '../admin/tenants';
import type { Permission } from '../domain/apiKey';
import { isOk } from '../domain/result';
import { InvalidContinuationTokenError } from '../ports/documentStore';
import { classifyError } from '../reliability/classifyError';
import { ensureError } from '../reliability/errors';
import { adminErrorResponse, errorResponse, NO_STORE } from './errors';
import { etagHeader, ifMatchOf } from './etag';
import type { RequestProblem } from './request';
import { parseQuery, presentedApiKey, readJsonBody } from './request';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface OperationInput<P, Q, B> {
  readonly principal: Principal;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The If-Match header, normalised; undefined when absent. */
  readonly ifMatch: string | undefined;
  readonly deps: AdminDeps;
}

export interface OperationReply {
  readonly status: number;
  readonly body?: unknown;
  readonly etag?: string;
}

/**
 * One admin API operation, declared once: the handler runs from it and the OpenAPI document is
 * generated from it, so the published schemas are exactly the ones requests are checked with.
 */
export interface Operation<P = unknown, Q = unknown, B = unknown> {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** OpenAPI path below /api, e.g. `/admin/integrations/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly permission: Permission;
  readonly params?: ZodType<P>;
  readonly query?: ZodType<Q>;
  readonly body?: ZodType<B>;
  readonly ifMatch?: boolean;
  readonly success: { readonly status: number; readonly description: string; readonly schema?: ZodType };
  /** Error statuses beyond the ones every operation has (400, 401, 403, 500). */
  readonly errors: readonly number[];
  handle(input: OperationInput<P, Q, B>): Promise<AdminResult<OperationReply>>;
}

export function defineOperation<P, Q, B>(operation: Operation<P, Q, B>): Operation {
  return operation;
}

const served = new Map<string, Operation>();

/**
 * Every operation some function serves through operationHandler, in registration order. Function
 * modules build their handlers when they load, so once functions/index.ts has loaded this is the
 * whole API, and the OpenAPI document lists routes added by any slice without a second list.
 */
export function servedOperations(): readonly Operation[] {
  return [...served.values()];
}

function pathPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '{' || c === '}' ? c : `\\${c}`));
  return new RegExp(`${escaped.replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i');
}

/** The Functions route template for an operation path (`/admin/x/{id}` → `admin/x/{id}`). */
export function functionRoute(path: string): string {
  return path.replace(/^\//, '');
}

function problemResponse(problem: RequestProblem): HttpResponseInit {
  return errorResponse(problem.code, problem.message, problem.details);
}

/**
 * The whole request pipeline for a set of operations on one route: match, authenticate,
 * authorise, parse (query, body with 413/415/400 guards, If-Match), run the use case and map its
 * Result. Unexpected failures answer 500 (503 when retrying may help) with the correlation id
 * and are logged without request data.
 */
export function operationHandler(
  operations: readonly Operation[],
  loadDeps: () => Promise<AdminDeps>,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  for (const op of operations) served.set(`${op.method} ${op.path}`, op);
  const compiled = operations.map((op) => ({ op, pattern: pathPattern(op.path) }));
  return async (request, context) => {
    const pathname = new URL(request.url).pathname;
    const onPath = compiled.filter((c) => c.pattern.test(pathname));
    const match = onPath.find((c) => c.op.method === request.method.toUpperCase());
    if (match === undefined) {
      if (onPath.length === 0) return errorResponse('NotFound', 'no such route');
      return errorResponse(
        'MethodNotAllowed',
        `use ${onPath.map((c) => c.op.method).join(', ')}`,
        undefined,
        {
          allow: onPath.map((c) => c.op.method).join(', '),
        },
      );
    }
    const op = match.op;
    try {
      let deps: AdminDeps;
      try {
        deps = await loadDeps();
      } catch (e) {
        context.error(`admin: dependencies unavailable: ${ensureError(e).message}`);
        return errorResponse(
          'ServiceUnavailable',
          'the service is starting or a dependency is down; retry shortly',
          undefined,
          {
            'retry-after': '5',
          },
        );
      }
      const authenticated = await authenticate(deps, presentedApiKey(request));
      if (!isOk(authenticated)) return adminErrorResponse(authenticated.error);
      const authorized = authorize(authenticated.value, op.permission);
      if (!isOk(authorized)) return adminErrorResponse(authorized.error);

      let query: unknown = {};
      if (op.query !== undefined) {
        const parsed = parseQuery(request, op.query);
        if (!isOk(parsed)) return problemResponse(parsed.error);
        query = parsed.value;
      }
      let body: unknown = undefined;
      if (op.body !== undefined) {
        const parsed = await readJsonBody(request, op.body);
        if (!isOk(parsed)) return problemResponse(parsed.error);
        body = parsed.value;
      }
      const result = await op.handle({
        principal: authorized.value,
        params: { ...request.params },
        query,
        body,
        ifMatch: ifMatchOf(request),
        deps,
      });
      if (!isOk(result)) return adminErrorResponse(result.error);
      const reply = result.value;
      return {
        status: reply.status,
        ...(reply.body !== undefined ? { jsonBody: reply.body } : {}),
        headers: { ...NO_STORE, ...(reply.etag !== undefined ? etagHeader(reply.etag) : {}) },
      };
    } catch (e) {
      if (e instanceof InvalidContinuationTokenError) {
        return errorResponse(
          'ValidationFailed',
          'query continuationToken: not a continuation token from this API',
          {
            issues: [{ path: 'continuationToken', message: e.message }],
          },
        );
      }
      const error = ensureError(e);
      const classified = classifyError(e);
      context.error(`admin ${op.operationId} failed: ${error.name}: ${error.message} (${classified.reason})`);
      if (classified.retryable) {
        const retryAfter = Math.max(1, Math.ceil((classified.retryAfterMs ?? 1000) / 1000));
        return errorResponse(
          'ServiceUnavailable',
          'a dependency is busy or unavailable; retry shortly',
          undefined,
          {
            'retry-after': String(retryAfter),
          },
        );
      }
      return errorResponse(
        'Internal',
        'the request failed unexpectedly; quote the correlation id when reporting it',
      );
    }
  };
}
