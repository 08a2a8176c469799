import { createHash } from 'node:crypto';

import { BlobContainerNames } from '../config/blobContainers';
import type { Result } from '../domain/result';
import { err, ok } from '../domain/result';
import type { BlobStore } from '../ports/blobStore';
import type { StoreOptions } from '../ports/documentStore';
import type { ClaimCheckEnvelope, Envelope } from './envelope';
import { CLAIM_CHECK_THRESHOLD_BYTES, ClaimCheckEnvelopeSchema, EnvelopeSchema } from './envelope';

/**
 * Envelope ↔ queue body. Bodies over the claim-check threshold are written to Blob and the
 * message carries only the reference, so no message ever exceeds the queue's size limit.
 */

export interface EncodeOptions extends StoreOptions {
  readonly thresholdBytes?: number;
}

export async function encodeEnvelope(
  envelope: Envelope,
  blobs: BlobStore,
  options: EncodeOptions = {},
): Promise<Envelope | ClaimCheckEnvelope> {
  const text = JSON.stringify(envelope);
  if (Buffer.byteLength(text, 'utf8') <= (options.thresholdBytes ?? CLAIM_CHECK_THRESHOLD_BYTES))
    return envelope;
  // The name is derived from the idempotency key, so a retried send overwrites the same blob.
  const name = `${envelope.tenantId}/${envelope.integrationId}/${envelope.idempotencyKey}.json`;
  const claimCheck = await blobs.putBlob(
    BlobContainerNames.claimChecks,
    name,
    Buffer.from(JSON.stringify(envelope.payload)),
    {
      contentType: 'application/json',
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    },
  );
  const { payload: _payload, ...rest } = envelope;
  return { ...rest, claimCheck };
}

/** Why a message could not become an envelope; never retryable: the same bytes fail the same way. */
export interface DecodeFailure {
  readonly reason: string;
}

function parseBody(body: unknown): unknown {
  if (Buffer.isBuffer(body)) return JSON.parse(body.toString('utf8'));
  if (body instanceof Uint8Array) return JSON.parse(Buffer.from(body).toString('utf8'));
  if (typeof body === 'string') return JSON.parse(body);
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An Event Grid event delivered to a queue arrives as the event itself (or a one-element array
 * of it) with the envelope in `data`; a message the engine sent directly is the envelope.
 */
function unwrapEvent(value: unknown): unknown {
  const single = Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value;
  if (isRecord(single) && typeof single['eventType'] === 'string' && 'data' in single) return single['data'];
  // CloudEvents keep the payload in `data` too, with `type` instead of `eventType`.
  if (isRecord(single) && typeof single['specversion'] === 'string' && 'data' in single)
    return single['data'];
  return single;
}

function zodReason(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(envelope)'}: ${i.message}`)
    .join('; ');
}

/**
 * Parses a queue body into a validated envelope, following a claim check to Blob. Malformed
 * input is an Err (dead-letter it); a Blob read that fails throws (retry it).
 */
export async function decodeEnvelope(
  body: unknown,
  blobs: BlobStore,
  options: StoreOptions = {},
): Promise<Result<Envelope, DecodeFailure>> {
  let value: unknown;
  try {
    value = unwrapEvent(parseBody(body));
  } catch {
    return err({ reason: 'message body is not JSON' });
  }
  if (isRecord(value) && 'claimCheck' in value) {
    const claim = ClaimCheckEnvelopeSchema.safeParse(value);
    if (!claim.success) return err({ reason: `invalid claim check: ${zodReason(claim.error.issues)}` });
    const bytes = await blobs.getBlob(claim.data.claimCheck, options);
    if (createHash('sha256').update(bytes).digest('hex') !== claim.data.claimCheck.sha256) {
      return err({ reason: 'claim-check blob does not match its hash' });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(bytes.toString('utf8'));
    } catch {
      return err({ reason: 'claim-check blob is not JSON' });
    }
    const { claimCheck: _claimCheck, ...rest } = claim.data;
    value = { ...rest, payload };
  }
  const parsed = EnvelopeSchema.safeParse(value);
  if (!parsed.success) return err({ reason: zodReason(parsed.error.issues) });
  return ok(parsed.data);
}
