import type { Result } from '../domain/result';
import { err } from '../domain/result';

/**
 * Expected outcomes of admin use cases that are not successes. The HTTP layer maps each code to
 * one status; use cases never think in statuses.
 */
export type AdminErrorCode =
  | 'ValidationFailed'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Conflict'
  | 'InvalidTransition'
  | 'PreconditionFailed'
  | 'CredentialsRejected';

export interface ValidationIssue {
  /** Dotted path into the request, e.g. `resourceTypes.0.mapping.inbound[2].to`. */
  readonly path: string;
  readonly message: string;
  readonly code?: string;
}

export interface AdminError {
  readonly code: AdminErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type AdminResult<T> = Result<T, AdminError>;

export function adminError(
  code: AdminErrorCode,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): { ok: false; error: AdminError } {
  return err(details === undefined ? { code, message } : { code, message, details });
}

export function invalid(issues: readonly ValidationIssue[]): { ok: false; error: AdminError } {
  return adminError(
    'ValidationFailed',
    issues.length === 1 && issues[0] !== undefined
      ? `${issues[0].path}: ${issues[0].message}`
      : `${issues.length} problems in the request`,
    { issues },
  );
}

export function notFound(what: string, id: string): { ok: false; error: AdminError } {
  return adminError('NotFound', `no ${what} ${id} in this tenant`);
}

/** `a.b.0.c` from a zod-style path. */
export function joinPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.');
}
