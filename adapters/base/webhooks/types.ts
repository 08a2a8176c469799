import type { Result } from '../../../shared/domain/result';
import type { WebhookSchemeId } from '../descriptor';
import type { HeaderBag, HeadersInput } from './headers';

export type { WebhookSchemeId };

/**
 * Why a delivery was refused. For logs and metrics only: the receiver answers a bare 401 (or 400
 * for `malformed`) and never tells the caller which check failed.
 */
export type WebhookFailureReason =
  | 'missing-header'
  | 'bad-signature'
  | 'stale'
  | 'malformed'
  | 'no-secret'
  | 'unknown-scheme'
  | 'config-invalid'
  | 'handshake-not-allowed';

export interface WebhookVerificationFailure {
  readonly reason: WebhookFailureReason;
  readonly scheme: string;
  /** A short, secret-free hint such as the missing header's name. */
  readonly detail?: string;
}

/** What the receiver must answer instead of accepting an event (subscription handshakes). */
export interface WebhookHandshake {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
  /**
   * A secret the provider just handed over (Asana's X-Hook-Secret, Notion's verification_token)
   * that the caller must store as the integration's webhook secret. Never log it.
   */
  readonly secretToStore?: string;
}

export interface WebhookVerification {
  /** The dedup key: the provider's delivery/event id, or a hash when the provider sends none. */
  readonly deliveryId: string;
  readonly deliveryIdSource: 'header' | 'body' | 'hash';
  /** The signed timestamp in epoch seconds, for schemes that sign one. */
  readonly timestamp?: number;
  /** Present when the request was a handshake: answer it and do not publish an event. */
  readonly handshake?: WebhookHandshake;
}

export type WebhookVerifyResult = Result<WebhookVerification, WebhookVerificationFailure>;

/** How an integration's webhooks are verified; stored on the integration (secret via Key Vault). */
export interface WebhookBinding {
  readonly scheme: string;
  /** Undefined or empty means "not configured yet": only handshakes can pass. */
  readonly secret?: string | undefined;
  /** Scheme-specific configuration; required by `hmac`. */
  readonly config?: unknown;
  /** Allowed clock difference either way, seconds. Default 300. */
  readonly toleranceSec?: number;
  /**
   * Let a handshake through although a secret is already stored (a webhook re-registration is in
   * progress). Off by default so nobody can swap the secret by replaying a handshake.
   */
  readonly acceptHandshake?: boolean;
}

export interface WebhookRequest {
  /** The bytes exactly as received. Signatures are over these bytes, never over re-serialised JSON. */
  readonly rawBody: Buffer | string;
  readonly headers: HeadersInput;
  readonly method: string;
  /** The public URL the provider called, built from WEBHOOK_BASE_URL (HubSpot, Twilio and Trello sign it). */
  readonly url: string;
  /** Epoch ms or a Date; injected so tests and replays control the clock. */
  readonly now: number | Date;
}

export interface SignWebhookInput {
  readonly body: Buffer | string;
  readonly url: string;
  readonly method?: string;
  readonly now: number | Date;
  /** Delivery id to send, for schemes that send one; derived from the body when absent. */
  readonly id?: string;
  /** Scheme configuration, as in WebhookBinding (required by `hmac`). */
  readonly config?: unknown;
}

/** Inputs after normalisation, as every scheme sees them. */
export interface NormalizedWebhookRequest {
  readonly rawBody: Buffer;
  readonly headers: HeaderBag;
  readonly method: string;
  readonly url: string;
  readonly nowMs: number;
}

export interface SchemeVerifyContext {
  readonly secret: string | undefined;
  readonly config: unknown;
  readonly toleranceSec: number;
  readonly acceptHandshake: boolean;
}

export interface NormalizedSignInput {
  readonly body: Buffer;
  readonly url: string;
  readonly method: string;
  readonly nowMs: number;
  readonly id: string | undefined;
  readonly config: unknown;
}

export interface WebhookScheme {
  readonly id: WebhookSchemeId;
  readonly displayName: string;
  /** Headers the scheme reads, for docs and for the receiver's allow-list of logged header names. */
  readonly headers: readonly string[];
  /** True when the public URL is part of the signed content. */
  readonly signsUrl: boolean;
  verify(request: NormalizedWebhookRequest, context: SchemeVerifyContext): WebhookVerifyResult;
  /** The headers the provider would send for this body (provider simulator and tests). */
  sign(secret: string, input: NormalizedSignInput): Record<string, string>;
}
