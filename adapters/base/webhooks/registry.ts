import { ConfigInvalidError } from '../../../shared/reliability/errors';
import type { WebhookSchemeId } from '../descriptor';
import { WEBHOOK_SCHEME_IDS } from '../descriptor';
import { fail } from './common';
import { toHeaderBag } from './headers';
import {
  asanaScheme,
  githubScheme,
  intuitScheme,
  notionScheme,
  shopifyScheme,
  woocommerceScheme,
} from './schemes/bodyHmac';
import { genericHmacScheme } from './schemes/genericHmac';
import { standardWebhooksScheme, svixScheme } from './schemes/standardWebhooks';
import { hubspotV3Scheme, slackScheme, stripeScheme, zoomScheme } from './schemes/timestamped';
import { trelloScheme, twilioScheme } from './schemes/urlSigned';
import type {
  SignWebhookInput,
  WebhookBinding,
  WebhookRequest,
  WebhookScheme,
  WebhookVerifyResult,
} from './types';

export const DEFAULT_TOLERANCE_SEC = 300;

const SCHEMES: ReadonlyMap<WebhookSchemeId, WebhookScheme> = new Map(
  [
    standardWebhooksScheme,
    svixScheme,
    githubScheme,
    stripeScheme,
    shopifyScheme,
    woocommerceScheme,
    hubspotV3Scheme,
    slackScheme,
    asanaScheme,
    intuitScheme,
    trelloScheme,
    notionScheme,
    zoomScheme,
    twilioScheme,
    genericHmacScheme,
  ].map((s) => [s.id, s]),
);

export function isWebhookSchemeId(value: string): value is WebhookSchemeId {
  return (WEBHOOK_SCHEME_IDS as readonly string[]).includes(value);
}

export function getWebhookScheme(id: string): WebhookScheme | undefined {
  return isWebhookSchemeId(id) ? SCHEMES.get(id) : undefined;
}

export function listWebhookSchemes(): readonly WebhookScheme[] {
  return [...SCHEMES.values()];
}

function toMs(now: number | Date): number {
  return now instanceof Date ? now.getTime() : now;
}

function toBuffer(body: Buffer | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/**
 * Verifies one delivery on its raw bytes. Never throws for anything a caller can send: every
 * refusal is an Err with a reason for logs (the receiver answers a bare 401 / 400).
 */
export function verifyWebhook(binding: WebhookBinding, request: WebhookRequest): WebhookVerifyResult {
  const scheme = getWebhookScheme(binding.scheme);
  if (scheme === undefined) return fail(binding.scheme, 'unknown-scheme');
  const toleranceSec = binding.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  if (!Number.isFinite(toleranceSec) || toleranceSec < 0)
    return fail(binding.scheme, 'config-invalid', 'toleranceSec');
  return scheme.verify(
    {
      rawBody: toBuffer(request.rawBody),
      headers: toHeaderBag(request.headers),
      method: request.method.toUpperCase(),
      url: request.url,
      nowMs: toMs(request.now),
    },
    {
      secret: binding.secret,
      config: binding.config,
      toleranceSec,
      acceptHandshake: binding.acceptHandshake ?? false,
    },
  );
}

/** The headers `scheme`'s provider would send for this request; throws ConfigInvalidError for an unknown scheme. */
export function signWebhook(
  schemeId: string,
  secret: string,
  input: SignWebhookInput,
): Record<string, string> {
  const scheme = getWebhookScheme(schemeId);
  if (scheme === undefined) throw new ConfigInvalidError(`unknown webhook scheme ${schemeId}`);
  return scheme.sign(secret, {
    body: toBuffer(input.body),
    url: input.url,
    method: (input.method ?? 'POST').toUpperCase(),
    nowMs: toMs(input.now),
    id: input.id,
    config: input.config,
  });
}
