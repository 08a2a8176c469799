import type { Err } from '../../../shared/domain/result';
import { err, ok } from '../../../shared/domain/result';
import { sha256Hex } from './crypto';
import type {
  NormalizedWebhookRequest,
  SchemeVerifyContext,
  WebhookFailureReason,
  WebhookHandshake,
  WebhookSchemeId,
  WebhookVerificationFailure,
  WebhookVerifyResult,
} from './types';

export function fail(
  scheme: string,
  reason: WebhookFailureReason,
  detail?: string,
): Err<WebhookVerificationFailure> {
  return err(detail !== undefined ? { reason, scheme, detail } : { reason, scheme });
}

/** Fail closed: without a secret nothing but a handshake may pass. */
export function requireSecret(
  scheme: string,
  context: SchemeVerifyContext,
): string | Err<WebhookVerificationFailure> {
  return context.secret !== undefined && context.secret !== '' ? context.secret : fail(scheme, 'no-secret');
}

export function requireHeader(
  scheme: string,
  request: NormalizedWebhookRequest,
  name: string,
): string | Err<WebhookVerificationFailure> {
  const v = request.headers.get(name);
  return v !== undefined && v.trim() !== '' ? v.trim() : fail(scheme, 'missing-header', name);
}

export function isErrResult(value: unknown): value is Err<WebhookVerificationFailure> {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

/**
 * Parses a signed Unix timestamp. Values ≥ 1e12 are read as milliseconds: a seconds value that
 * large lies 30 000 years ahead, so the two can never be confused.
 */
export function parseUnixTimestamp(value: string): number | undefined {
  if (!/^\d{1,16}$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return n >= 1e12 ? Math.floor(n / 1000) : n;
}

/** Both directions: a delivery from the future is as suspicious as an old one. */
export function isStale(timestampSec: number, nowMs: number, toleranceSec: number): boolean {
  return Math.abs(nowMs / 1000 - timestampSec) > toleranceSec;
}

/**
 * The dedup key for providers that send no delivery id: the same bytes with the same signature
 * and timestamp are the same delivery (a replay or a retry of an identical request).
 */
export function hashDeliveryId(
  scheme: WebhookSchemeId,
  signature: string,
  timestamp: string,
  body: Buffer,
): string {
  return `sha256:${sha256Hex([scheme, '\n', signature, '\n', timestamp, '\n', body])}`;
}

/** Reads a string (or number) member from a JSON object body; undefined for anything else. */
export function jsonField(body: Buffer, path: readonly string[]): string | undefined {
  const parsed = parseJsonObject(body);
  let cur: unknown = parsed;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  if (typeof cur === 'string' && cur !== '') return cur;
  if (typeof cur === 'number' && Number.isFinite(cur)) return String(cur);
  return undefined;
}

export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  // Cheap pre-check so form bodies and large arrays are not parsed for nothing.
  const first = body.subarray(0, 64).toString('utf8').trimStart()[0];
  if (first !== '{') return undefined;
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A verified delivery whose id comes from a header, else a body field, else the hash. */
export function verified(options: {
  scheme: WebhookSchemeId;
  request: NormalizedWebhookRequest;
  idHeader?: string;
  bodyIdPath?: readonly string[];
  signature: string;
  timestamp?: number;
  timestampText?: string;
  handshake?: WebhookHandshake;
}): WebhookVerifyResult {
  const { scheme, request } = options;
  const fromHeader =
    options.idHeader !== undefined ? request.headers.get(options.idHeader)?.trim() : undefined;
  const fromBody =
    fromHeader === undefined || fromHeader === ''
      ? options.bodyIdPath !== undefined
        ? jsonField(request.rawBody, options.bodyIdPath)
        : undefined
      : undefined;
  const base =
    fromHeader !== undefined && fromHeader !== ''
      ? { deliveryId: fromHeader, deliveryIdSource: 'header' as const }
      : fromBody !== undefined
        ? { deliveryId: fromBody, deliveryIdSource: 'body' as const }
        : {
            deliveryId: hashDeliveryId(
              scheme,
              options.signature,
              options.timestampText ?? '',
              request.rawBody,
            ),
            deliveryIdSource: 'hash' as const,
          };
  return ok({
    ...base,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    ...(options.handshake !== undefined ? { handshake: options.handshake } : {}),
  });
}

/** A handshake carries no event; it still gets an id so the receiver's logs can name it. */
export function handshakeResult(
  scheme: WebhookSchemeId,
  request: NormalizedWebhookRequest,
  handshake: WebhookHandshake,
): WebhookVerifyResult {
  return ok({
    deliveryId: hashDeliveryId(
      scheme,
      'handshake',
      String(Math.floor(request.nowMs / 1000)),
      request.rawBody,
    ),
    deliveryIdSource: 'hash',
    handshake,
  });
}

export function seconds(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}

/** Deterministic default delivery id for the signer, so simulator replays produce identical requests. */
export function defaultSignId(prefix: string, body: Buffer, nowMs: number): string {
  return `${prefix}${sha256Hex([String(nowMs), ':', body]).slice(0, 24)}`;
}
