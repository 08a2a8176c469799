/**
 * One error family for the whole engine. Every failure that crosses a layer is a SyncError with a
 * typed `code` and an explicit `retryable` flag, so queue handlers can decide "rethrow for
 * redelivery" or "dead-letter now" without string matching (Azure SDK `ServiceBusError`,
 * Temporal's retryable/non-retryable split).
 *
 * Metadata must never carry tokens, secrets or payloads: messages end up in logs, dead letters
 * and App Insights.
 */
export const SYNC_ERROR_CODES = [
  'ProviderRateLimited',
  'ProviderUnavailable',
  'ProviderTimeout',
  'ProviderAuthExpired',
  'ProviderRejected',
  'InvalidPayload',
  'WebhookSignatureInvalid',
  'RecordConflict',
  'RecordNotFound',
  'ConfigInvalid',
  'SsrfBlocked',
  'Cancelled',
  'Internal',
] as const;

export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

/** The default for each code; a thrower may override it (e.g. a 500 that is known permanent). */
export const RETRYABLE_BY_DEFAULT: Readonly<Record<SyncErrorCode, boolean>> = {
  ProviderRateLimited: true,
  ProviderUnavailable: true,
  ProviderTimeout: true,
  // A refresh (TokenRefresher) can fix an expired token, but retrying the same call cannot.
  ProviderAuthExpired: false,
  ProviderRejected: false,
  InvalidPayload: false,
  WebhookSignatureInvalid: false,
  // An ETag mismatch (412) or unique-key clash (409) fails the same way until someone re-reads;
  // the transient Cosmos 449 "retry with" is marked retryable where it is classified.
  RecordConflict: false,
  RecordNotFound: false,
  ConfigInvalid: false,
  SsrfBlocked: false,
  // The caller gave up; retrying on their behalf would defeat the cancellation.
  Cancelled: false,
  Internal: false,
};

export interface SyncErrorOptions {
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;
  /** Provider or store HTTP status, when the failure came from one. */
  readonly status?: number;
  /** Provider id (e.g. `hubspot`), never a credential. */
  readonly provider?: string;
  /** Small, secret-free facts for logs and dead letters. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  readonly cause?: unknown;
}

export class SyncError extends Error {
  readonly code: SyncErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly status?: number;
  readonly provider?: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;

  constructor(code: SyncErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT[code];
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.status !== undefined) this.status = options.status;
    if (options.provider !== undefined) this.provider = options.provider;
    if (options.details !== undefined) this.details = options.details;
  }

  /** A log/dead-letter friendly view; `cause` is summarised, never dumped. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.provider !== undefined ? { provider: this.provider } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
    };
  }
}

type SubclassOptions = Omit<SyncErrorOptions, never>;

export class ProviderRateLimitedError extends SyncError {
  constructor(message = 'provider rate limit reached', options: SubclassOptions = {}) {
    super('ProviderRateLimited', message, options);
  }
}

export class ProviderUnavailableError extends SyncError {
  constructor(message = 'provider unavailable', options: SubclassOptions = {}) {
    super('ProviderUnavailable', message, options);
  }
}

export class ProviderTimeoutError extends SyncError {
  constructor(message = 'provider did not answer in time', options: SubclassOptions = {}) {
    super('ProviderTimeout', message, options);
  }
}

export class ProviderAuthExpiredError extends SyncError {
  constructor(message = 'provider rejected the credentials', options: SubclassOptions = {}) {
    super('ProviderAuthExpired', message, options);
  }
}

export class ProviderRejectedError extends SyncError {
  constructor(message = 'provider rejected the request', options: SubclassOptions = {}) {
    super('ProviderRejected', message, options);
  }
}

export class InvalidPayloadError extends SyncError {
  constructor(message = 'invalid payload', options: SubclassOptions = {}) {
    super('InvalidPayload', message, options);
  }
}

export class WebhookSignatureInvalidError extends SyncError {
  constructor(message = 'webhook signature invalid', options: SubclassOptions = {}) {
    super('WebhookSignatureInvalid', message, options);
  }
}

export class RecordConflictError extends SyncError {
  constructor(message = 'record changed concurrently', options: SubclassOptions = {}) {
    super('RecordConflict', message, options);
  }
}

export class RecordNotFoundError extends SyncError {
  constructor(message = 'record not found', options: SubclassOptions = {}) {
    super('RecordNotFound', message, options);
  }
}

export class ConfigInvalidError extends SyncError {
  constructor(message = 'configuration invalid', options: SubclassOptions = {}) {
    super('ConfigInvalid', message, options);
  }
}

export class SsrfBlockedError extends SyncError {
  constructor(message = 'outbound address not allowed', options: SubclassOptions = {}) {
    super('SsrfBlocked', message, options);
  }
}

export class CancelledError extends SyncError {
  constructor(message = 'operation cancelled', options: SubclassOptions = {}) {
    super('Cancelled', message, options);
  }
}

export class InternalError extends SyncError {
  constructor(message = 'internal error', options: SubclassOptions = {}) {
    super('Internal', message, options);
  }
}

export function isSyncError(value: unknown): value is SyncError {
  return value instanceof SyncError;
}

/**
 * Normalises anything thrown into an Error (Functions library `ensureErrorType`): `throw 'x'`,
 * rejected promises with plain objects, and errors from another realm all become Errors with a
 * readable message, so `catch (e)` code never has to guess.
 */
export function ensureError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (isErrorLike(value)) {
    const e = new Error(value.message);
    if (typeof value.name === 'string' && value.name !== '') e.name = value.name;
    return e;
  }
  let message: string;
  if (typeof value === 'string') message = value;
  else if (value === undefined || value === null) message = `non-error thrown: ${String(value)}`;
  else {
    try {
      message = `non-error thrown: ${JSON.stringify(value)}`;
    } catch {
      message = `non-error thrown: ${Object.prototype.toString.call(value)}`;
    }
  }
  return new Error(message, { cause: value });
}

function isErrorLike(value: unknown): value is { message: string; name?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
