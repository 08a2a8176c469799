import type { HttpRequest } from '@azure/functions';
import type { ZodType } from 'zod';

import type { ValidationIssue } from '../admin/errors';
import { joinPath } from '../admin/errors';
import type { Result } from '../domain/result';
import { err, ok } from '../domain/result';
import type { HttpErrorCode } from './errors';

export interface RequestProblem {
  readonly code: HttpErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Admin bodies are configuration, not data; anything near this size is a mistake or an attack. */
export const MAX_ADMIN_BODY_BYTES = 256 * 1024;

const JSON_TYPES = ['application/json', 'application/merge-patch+json'];

export function zodIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string; code: string }[],
): ValidationIssue[] {
  return issues.map((i) => ({ path: joinPath(i.path) || '(body)', message: i.message, code: i.code }));
}

export function validationProblem(issues: readonly ValidationIssue[], where: string): RequestProblem {
  const first = issues[0];
  return {
    code: 'ValidationFailed',
    message:
      issues.length === 1 && first !== undefined
        ? `${where} ${first.path}: ${first.message}`
        : `${issues.length} problems in the ${where}`,
    details: { issues },
  };
}

/**
 * Reads a JSON body with the guards every admin write needs: 415 unless it is JSON, 413 past the
 * size limit (declared or actual), 400 for malformed JSON, and 400 with every schema issue.
 */
export async function readJsonBody<T>(
  request: HttpRequest,
  schema: ZodType<T>,
  maxBytes = MAX_ADMIN_BODY_BYTES,
): Promise<Result<T, RequestProblem>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) {
    return err({ code: 'PayloadTooLarge', message: `the body may be at most ${maxBytes} bytes` });
  }
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!JSON_TYPES.includes(type)) {
    return err({
      code: 'UnsupportedMediaType',
      message: `send the body as application/json${type === '' ? '' : `, not ${type}`}`,
    });
  }
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > maxBytes) {
    return err({ code: 'PayloadTooLarge', message: `the body may be at most ${maxBytes} bytes` });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return err({
      code: 'MalformedJson',
      message: `the body is not valid JSON: ${e instanceof Error ? e.message : 'parse error'}`,
    });
  }
  const checked = schema.safeParse(parsed);
  if (!checked.success) return err(validationProblem(zodIssues(checked.error.issues), 'body'));
  return ok(checked.data);
}

export function parseQuery<T>(request: HttpRequest, schema: ZodType<T>): Result<T, RequestProblem> {
  const raw: Record<string, string> = {};
  for (const [k, v] of request.query.entries()) raw[k] = v;
  const checked = schema.safeParse(raw);
  return checked.success
    ? ok(checked.data)
    : err(validationProblem(zodIssues(checked.error.issues), 'query'));
}

/** The key from `X-API-Key` or `Authorization: Bearer …`. */
export function presentedApiKey(request: HttpRequest): string | undefined {
  const header = request.headers.get('x-api-key');
  if (header !== null && header.trim() !== '') return header.trim();
  const authorization = request.headers.get('authorization');
  const match = authorization !== null ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return match?.[1];
}
