import {
  defaultSignId,
  fail,
  handshakeResult,
  isErrResult,
  parseJsonObject,
  requireHeader,
  requireSecret,
  verified,
} from '../common';
import type { HmacAlgorithm, SignatureEncoding } from '../crypto';
import { anyMatches, decodeSignature, hmac } from '../crypto';
import type {
  NormalizedWebhookRequest,
  SchemeVerifyContext,
  WebhookScheme,
  WebhookSchemeId,
  WebhookVerifyResult,
} from '../types';

/**
 * Providers that sign the raw body alone, with no timestamp: GitHub, Shopify, WooCommerce, Intuit,
 * Asana and Notion. Without a signed timestamp there is no staleness check; replays are caught by
 * dedup on the delivery id.
 */
interface BodyHmacSpec {
  readonly id: WebhookSchemeId;
  readonly displayName: string;
  readonly signatureHeader: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: SignatureEncoding;
  readonly prefix: string;
  /** Delivery id headers, first present wins. */
  readonly idHeaders: readonly string[];
  readonly bodyIdPath?: readonly string[];
  readonly extraHeaders?: readonly string[];
  /** A request that is a subscription handshake instead of an event. */
  readonly handshake?: (
    request: NormalizedWebhookRequest,
    context: SchemeVerifyContext,
  ) => WebhookVerifyResult | undefined;
  /** Headers the provider adds beside the signature, for the signer. */
  readonly signExtras?: (id: string) => Record<string, string>;
  readonly signIdPrefix: string;
}

function createBodyHmacScheme(spec: BodyHmacSpec): WebhookScheme {
  const { id } = spec;
  return {
    id,
    displayName: spec.displayName,
    headers: [spec.signatureHeader, ...spec.idHeaders, ...(spec.extraHeaders ?? [])],
    signsUrl: false,
    verify(request, context) {
      const hs = spec.handshake?.(request, context);
      if (hs !== undefined) return hs;
      const secret = requireSecret(id, context);
      if (isErrResult(secret)) return secret;
      const header = requireHeader(id, request, spec.signatureHeader);
      if (isErrResult(header)) return header;
      const candidates: Buffer[] = [];
      // Several comma-separated values can arrive when a proxy merges repeated headers.
      for (const part of header.split(',')) {
        const p = part.trim();
        if (!p.startsWith(spec.prefix)) continue;
        const decoded = decodeSignature(p.slice(spec.prefix.length), spec.encoding);
        if (decoded !== undefined) candidates.push(decoded);
      }
      if (candidates.length === 0) return fail(id, 'malformed', spec.signatureHeader);
      const expected = hmac(spec.algorithm, secret, [request.rawBody]);
      if (!anyMatches([expected], candidates)) return fail(id, 'bad-signature');
      const idHeader = spec.idHeaders.find((h) => (request.headers.get(h) ?? '').trim() !== '');
      return verified({
        scheme: id,
        request,
        ...(idHeader !== undefined ? { idHeader } : {}),
        ...(spec.bodyIdPath !== undefined ? { bodyIdPath: spec.bodyIdPath } : {}),
        signature: header,
      });
    },
    sign(secret, input) {
      const sig = hmac(spec.algorithm, secret, [input.body]).toString(spec.encoding);
      const deliveryId = input.id ?? defaultSignId(spec.signIdPrefix, input.body, input.nowMs);
      return { [spec.signatureHeader]: `${spec.prefix}${sig}`, ...spec.signExtras?.(deliveryId) };
    },
  };
}

export const githubScheme = createBodyHmacScheme({
  id: 'github',
  displayName: 'GitHub',
  signatureHeader: 'x-hub-signature-256',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: 'sha256=',
  idHeaders: ['x-github-delivery'],
  extraHeaders: ['x-github-event'],
  signIdPrefix: '',
  signExtras: (deliveryId) => ({ 'x-github-delivery': deliveryId }),
});

export const shopifyScheme = createBodyHmacScheme({
  id: 'shopify',
  displayName: 'Shopify',
  signatureHeader: 'x-shopify-hmac-sha256',
  algorithm: 'sha256',
  encoding: 'base64',
  prefix: '',
  // Shopify documents X-Shopify-Event-Id as the dedup key; older deliveries only carry the webhook id.
  idHeaders: ['x-shopify-event-id', 'x-shopify-webhook-id'],
  extraHeaders: ['x-shopify-topic'],
  signIdPrefix: '',
  signExtras: (deliveryId) => ({ 'x-shopify-event-id': deliveryId, 'x-shopify-webhook-id': deliveryId }),
});

export const woocommerceScheme = createBodyHmacScheme({
  id: 'woocommerce',
  displayName: 'WooCommerce',
  signatureHeader: 'x-wc-webhook-signature',
  algorithm: 'sha256',
  encoding: 'base64',
  prefix: '',
  idHeaders: ['x-wc-webhook-delivery-id'],
  extraHeaders: ['x-wc-webhook-topic', 'x-wc-webhook-id'],
  signIdPrefix: '',
  signExtras: (deliveryId) => ({ 'x-wc-webhook-delivery-id': deliveryId }),
  // On creation WooCommerce POSTs an unsigned `webhook_id=<n>` ping and disables the webhook
  // unless it gets a 2xx. It carries no data, so answering it needs no secret.
  handshake: (request) => {
    if (request.headers.get('x-wc-webhook-signature') !== undefined) return undefined;
    if (!/^webhook_id=\d+$/.test(request.rawBody.toString('utf8').trim())) return undefined;
    return handshakeResult('woocommerce', request, { status: 200, body: '' });
  },
});

export const intuitScheme = createBodyHmacScheme({
  id: 'intuit',
  displayName: 'Intuit (QuickBooks Online)',
  signatureHeader: 'intuit-signature',
  algorithm: 'sha256',
  encoding: 'base64',
  prefix: '',
  idHeaders: [],
  signIdPrefix: '',
});

export const asanaScheme = createBodyHmacScheme({
  id: 'asana',
  displayName: 'Asana',
  signatureHeader: 'x-hook-signature',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: '',
  idHeaders: [],
  extraHeaders: ['x-hook-secret'],
  signIdPrefix: '',
  // Creating a webhook makes Asana POST an X-Hook-Secret; echoing it back with 200 completes the
  // subscription, and that value signs every later delivery.
  handshake: (request, context) => {
    const hookSecret = request.headers.get('x-hook-secret')?.trim();
    if (hookSecret === undefined || hookSecret === '') return undefined;
    const hasSecret = context.secret !== undefined && context.secret !== '';
    if (hasSecret && !context.acceptHandshake) return fail('asana', 'handshake-not-allowed');
    return handshakeResult('asana', request, {
      status: 200,
      headers: { 'X-Hook-Secret': hookSecret },
      body: '',
      secretToStore: hookSecret,
    });
  },
});

export const notionScheme = createBodyHmacScheme({
  id: 'notion',
  displayName: 'Notion',
  signatureHeader: 'x-notion-signature',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: 'sha256=',
  idHeaders: [],
  bodyIdPath: ['id'],
  signIdPrefix: '',
  // Creating a subscription makes Notion POST `{"verification_token": "..."}` unsigned; the token
  // must be stored (and pasted into Notion) and signs every later event.
  handshake: (request, context) => {
    if (request.headers.get('x-notion-signature') !== undefined) return undefined;
    const body = parseJsonObject(request.rawBody);
    const token = body?.['verification_token'];
    if (typeof token !== 'string' || token === '' || Object.keys(body ?? {}).length !== 1) return undefined;
    const hasSecret = context.secret !== undefined && context.secret !== '';
    if (hasSecret && !context.acceptHandshake) return fail('notion', 'handshake-not-allowed');
    return handshakeResult('notion', request, { status: 200, body: '', secretToStore: token });
  },
});
