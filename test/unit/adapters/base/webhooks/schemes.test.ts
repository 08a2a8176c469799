import { createHmac } from 'node:crypto';

import type { WebhookBinding, WebhookSchemeId } from '../../../../../adapters/base/webhooks';
import { listWebhookSchemes, signWebhook, verifyWebhook } from '../../../../../adapters/base/webhooks';

/**
 * The same behavioural checks for every scheme: what a provider signs passes, and every way a
 * forger or a broken proxy could get it wrong fails with the right reason.
 */

const NOW = 1_700_000_000_000;
const URL_ = 'https://sync.example.com/api/webhooks/acme/int-1?x=1';
const JSON_BODY = '{"id":"evt_1","type":"contact.updated","data":{"id":42}}';
const MULTIBYTE_JSON = '{"id":"evt_2","name":"Zoë – 日本語 🎉"}';

interface SchemeCase {
  readonly scheme: WebhookSchemeId;
  readonly secret: string;
  readonly wrongSecret: string;
  readonly config?: unknown;
  readonly body: string;
  readonly multibyteBody: string;
  readonly timestamped: boolean;
  /** Headers whose absence must be reported as missing-header. */
  readonly required: readonly string[];
  readonly signatureHeader: string;
  /** Builds a header value holding an invalid signature and the valid one; undefined if the provider sends one only. */
  readonly several?: (bad: string, good: string) => string;
  readonly encoding: 'hex' | 'base64';
  /** Text before the digest in the signature header. */
  readonly prefix: string;
}

const whsec = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const whsecOther = `whsec_${Buffer.from('fedcba9876543210fedcba9876543210').toString('base64')}`;

const bodyOnly = (
  scheme: WebhookSchemeId,
  signatureHeader: string,
  encoding: 'hex' | 'base64',
  prefix: string,
): SchemeCase => ({
  scheme,
  secret: 'shh-secret',
  wrongSecret: 'not-the-secret',
  body: JSON_BODY,
  multibyteBody: MULTIBYTE_JSON,
  timestamped: false,
  required: [signatureHeader],
  signatureHeader,
  several: (bad, good) => `${bad}, ${good}`,
  encoding,
  prefix,
});

const CASES: readonly SchemeCase[] = [
  {
    scheme: 'standard-webhooks',
    secret: whsec,
    wrongSecret: whsecOther,
    body: JSON_BODY,
    multibyteBody: MULTIBYTE_JSON,
    timestamped: true,
    required: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    signatureHeader: 'webhook-signature',
    several: (bad, good) => `${bad} ${good}`,
    encoding: 'base64',
    prefix: 'v1,',
  },
  {
    scheme: 'svix',
    secret: whsec,
    wrongSecret: whsecOther,
    body: JSON_BODY,
    multibyteBody: MULTIBYTE_JSON,
    timestamped: true,
    required: ['svix-id', 'svix-timestamp', 'svix-signature'],
    signatureHeader: 'svix-signature',
    several: (bad, good) => `${bad} ${good}`,
    encoding: 'base64',
    prefix: 'v1,',
  },
  bodyOnly('github', 'x-hub-signature-256', 'hex', 'sha256='),
  {
    scheme: 'stripe',
    secret: 'whsec_stripe_test',
    wrongSecret: 'whsec_other',
    body: JSON_BODY,
    multibyteBody: MULTIBYTE_JSON,
    timestamped: true,
    required: ['stripe-signature'],
    signatureHeader: 'stripe-signature',
    several: (bad, good) => {
      const badV1 = /v1=([0-9a-f]+)/.exec(bad)?.[1] ?? '';
      return good.replace('v1=', `v1=${badV1},v1=`);
    },
    encoding: 'hex',
    prefix: '',
  },
  bodyOnly('shopify', 'x-shopify-hmac-sha256', 'base64', ''),
  bodyOnly('woocommerce', 'x-wc-webhook-signature', 'base64', ''),
  {
    scheme: 'hubspot-v3',
    secret: 'hubspot-client-secret',
    wrongSecret: 'other',
    body: '[{"eventId":1,"objectId":42}]',
    multibyteBody: '[{"eventId":2,"propertyValue":"Zoë – 日本語 🎉"}]',
    timestamped: true,
    required: ['x-hubspot-signature-v3', 'x-hubspot-request-timestamp'],
    signatureHeader: 'x-hubspot-signature-v3',
    several: (bad, good) => `${bad},${good}`,
    encoding: 'base64',
    prefix: '',
  },
  {
    scheme: 'slack',
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    wrongSecret: 'other',
    body: '{"type":"event_callback","event_id":"Ev1","event":{"type":"message"}}',
    multibyteBody: '{"type":"event_callback","event_id":"Ev2","event":{"text":"Zoë – 日本語 🎉"}}',
    timestamped: true,
    required: ['x-slack-signature', 'x-slack-request-timestamp'],
    signatureHeader: 'x-slack-signature',
    several: (bad, good) => `${bad},${good}`,
    encoding: 'hex',
    prefix: 'v0=',
  },
  bodyOnly('asana', 'x-hook-signature', 'hex', ''),
  bodyOnly('intuit', 'intuit-signature', 'base64', ''),
  {
    scheme: 'trello',
    secret: 'trello-app-secret',
    wrongSecret: 'other',
    body: '{"action":{"id":"a1","type":"updateCard"},"model":{"id":"b1"}}',
    multibyteBody: '{"action":{"id":"a2","data":{"text":"Zoë – 日本語"}}}',
    timestamped: false,
    required: ['x-trello-webhook'],
    signatureHeader: 'x-trello-webhook',
    encoding: 'base64',
    prefix: '',
  },
  bodyOnly('notion', 'x-notion-signature', 'hex', 'sha256='),
  {
    scheme: 'zoom',
    secret: 'zoom-secret-token',
    wrongSecret: 'other',
    body: '{"event":"meeting.started","payload":{"object":{"id":"1"}}}',
    multibyteBody: '{"event":"meeting.started","payload":{"object":{"topic":"Zoë – 日本語 🎉"}}}',
    timestamped: true,
    required: ['x-zm-signature', 'x-zm-request-timestamp'],
    signatureHeader: 'x-zm-signature',
    several: (bad, good) => `${bad},${good}`,
    encoding: 'hex',
    prefix: 'v0=',
  },
  {
    scheme: 'twilio',
    secret: 'twilio-auth-token',
    wrongSecret: 'other',
    body: 'CallSid=CA123&From=%2B14155550100&Body=hello',
    multibyteBody: 'CallSid=CA124&Body=Zo%C3%AB+%E2%80%93+%E6%97%A5%E6%9C%AC+%F0%9F%8E%89',
    timestamped: false,
    required: ['x-twilio-signature'],
    signatureHeader: 'x-twilio-signature',
    encoding: 'base64',
    prefix: '',
  },
  {
    scheme: 'hmac',
    secret: 'generic-secret',
    wrongSecret: 'other',
    config: {
      header: 'X-Acme-Signature',
      algorithm: 'sha512',
      encoding: 'base64',
      prefix: 'v1=',
      separator: ' ',
      signedContent: '{timestamp}.{method}.{url}.{body}',
      timestampHeader: 'X-Acme-Timestamp',
      idHeader: 'X-Acme-Delivery',
    },
    body: JSON_BODY,
    multibyteBody: MULTIBYTE_JSON,
    timestamped: true,
    required: ['x-acme-signature', 'x-acme-timestamp'],
    signatureHeader: 'x-acme-signature',
    several: (bad, good) => `${bad} ${good}`,
    encoding: 'base64',
    prefix: 'v1=',
  },
];

function sign(c: SchemeCase, body: string, options: { now?: number; secret?: string; id?: string } = {}) {
  return signWebhook(c.scheme, options.secret ?? c.secret, {
    body: Buffer.from(body, 'utf8'),
    url: URL_,
    method: 'POST',
    now: options.now ?? NOW,
    ...(options.id !== undefined ? { id: options.id } : {}),
    config: c.config,
  });
}

function verify(
  c: SchemeCase,
  body: string,
  headers: Record<string, string>,
  overrides: Partial<WebhookBinding> = {},
) {
  return verifyWebhook(
    { scheme: c.scheme, secret: c.secret, config: c.config, ...overrides },
    { rawBody: Buffer.from(body, 'utf8'), headers, method: 'POST', url: URL_, now: NOW },
  );
}

function reasonOf(result: ReturnType<typeof verify>): string {
  return result.ok ? 'ok' : result.error.reason;
}

function reencode(value: string, prefix: string, from: 'hex' | 'base64'): string {
  const digest = value.slice(prefix.length);
  const bytes = Buffer.from(digest, from);
  return prefix + bytes.toString(from === 'hex' ? 'base64' : 'hex');
}

it('covers every registered scheme', () => {
  expect(CASES.map((c) => c.scheme).sort()).toEqual(
    listWebhookSchemes()
      .map((s) => s.id)
      .sort(),
  );
});

describe.each(CASES)('$scheme', (c) => {
  it('accepts what the provider signs, on the raw bytes', () => {
    const headers = sign(c, c.body);
    const result = verify(c, c.body, headers);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) {
      expect(result.value.deliveryId).not.toBe('');
      expect(result.value.handshake).toBeUndefined();
      if (c.timestamped) expect(result.value.timestamp).toBe(NOW / 1000);
    }
  });

  it('finds headers whatever their case, in a fetch Headers object', () => {
    const upper = Object.fromEntries(Object.entries(sign(c, c.body)).map(([k, v]) => [k.toUpperCase(), v]));
    expect(reasonOf(verify(c, c.body, upper))).toBe('ok');
    expect(reasonOf(verify(c, c.body, new Headers(sign(c, c.body)) as never))).toBe('ok');
  });

  it('rejects a tampered body', () => {
    const headers = sign(c, c.body);
    const tampered = c.body.replace(/1/, '7');
    expect(tampered).not.toBe(c.body);
    expect(reasonOf(verify(c, tampered, headers))).toBe('bad-signature');
    expect(reasonOf(verify(c, `${c.body} `, headers))).toBe('bad-signature');
  });

  it('rejects a signature made with another secret', () => {
    expect(reasonOf(verify(c, c.body, sign(c, c.body, { secret: c.wrongSecret })))).toBe('bad-signature');
  });

  it('fails closed when no secret is configured', () => {
    const headers = sign(c, c.body);
    expect(reasonOf(verify(c, c.body, headers, { secret: undefined }))).toBe('no-secret');
    expect(reasonOf(verify(c, c.body, headers, { secret: '' }))).toBe('no-secret');
  });

  it('reports each missing header', () => {
    const headers = sign(c, c.body);
    for (const name of c.required) {
      const without = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== name));
      const result = verify(c, c.body, without);
      expect(result).toMatchObject({ ok: false, error: { reason: 'missing-header' } });
    }
    expect(reasonOf(verify(c, c.body, {}))).toBe('missing-header');
  });

  it('rejects the right digest in the wrong encoding', () => {
    const headers = sign(c, c.body);
    const original = headers[c.signatureHeader];
    expect(original).toBeDefined();
    let value = original!;
    if (c.scheme === 'stripe')
      value = value.replace(/v1=([0-9a-f]+)/, (_m, hex: string) => `v1=${reencode(hex, '', 'hex')}`);
    else value = reencode(value, c.prefix, c.encoding);
    const result = verify(c, c.body, { ...headers, [c.signatureHeader]: value });
    expect(['malformed', 'bad-signature']).toContain(reasonOf(result));
  });

  it('rejects garbage in the signature header as malformed or bad', () => {
    const headers = { ...sign(c, c.body), [c.signatureHeader]: '%%%not-a-signature%%%' };
    expect(['malformed', 'bad-signature']).toContain(reasonOf(verify(c, c.body, headers)));
  });

  it('accepts multibyte and empty bodies', () => {
    expect(reasonOf(verify(c, c.multibyteBody, sign(c, c.multibyteBody)))).toBe('ok');
    expect(reasonOf(verify(c, '', sign(c, '')))).toBe('ok');
    // The multibyte signature does not carry over to the same text in another normalisation.
    const nfd = c.multibyteBody.normalize('NFD');
    if (nfd !== c.multibyteBody)
      expect(reasonOf(verify(c, nfd, sign(c, c.multibyteBody)))).toBe('bad-signature');
  });

  it('gives a replayed delivery the same delivery id, and another delivery a different one', () => {
    const headers = sign(c, c.body);
    const first = verify(c, c.body, headers);
    const second = verify(c, c.body, headers);
    expect(first.ok && second.ok).toBe(true);
    if (first.ok && second.ok) expect(second.value.deliveryId).toBe(first.value.deliveryId);
    const other = verify(c, c.multibyteBody, sign(c, c.multibyteBody));
    if (first.ok && other.ok) expect(other.value.deliveryId).not.toBe(first.value.deliveryId);
  });

  if (c.several !== undefined) {
    const several = c.several;
    it('accepts several signatures when one is valid, and none when all are invalid', () => {
      const good = sign(c, c.body)[c.signatureHeader]!;
      const bad = sign(c, c.body, { secret: c.wrongSecret })[c.signatureHeader]!;
      const headers = sign(c, c.body);
      expect(reasonOf(verify(c, c.body, { ...headers, [c.signatureHeader]: several(bad, good) }))).toBe('ok');
      expect(reasonOf(verify(c, c.body, { ...headers, [c.signatureHeader]: several(bad, bad) }))).toBe(
        'bad-signature',
      );
    });
  }

  if (c.timestamped) {
    it('rejects stale and future timestamps beyond the tolerance, accepts within', () => {
      expect(reasonOf(verify(c, c.body, sign(c, c.body, { now: NOW - 301_000 })))).toBe('stale');
      expect(reasonOf(verify(c, c.body, sign(c, c.body, { now: NOW + 301_000 })))).toBe('stale');
      expect(reasonOf(verify(c, c.body, sign(c, c.body, { now: NOW - 299_000 })))).toBe('ok');
      expect(reasonOf(verify(c, c.body, sign(c, c.body, { now: NOW + 299_000 })))).toBe('ok');
      expect(
        reasonOf(verify(c, c.body, sign(c, c.body, { now: NOW - 3_600_000 }), { toleranceSec: 7200 })),
      ).toBe('ok');
    });
  }
});

describe('signature compare', () => {
  it('does not accept a truncated digest (length mismatch never reaches timingSafeEqual)', () => {
    const c = CASES.find((x) => x.scheme === 'github')!;
    const headers = sign(c, c.body);
    const truncated = headers['x-hub-signature-256']!.slice(0, -2);
    expect(reasonOf(verify(c, c.body, { ...headers, 'x-hub-signature-256': truncated }))).toBe(
      'bad-signature',
    );
    // An independent HMAC, not the module's own signer, agrees with the accepted value.
    const independent = `sha256=${createHmac('sha256', c.secret).update(c.body).digest('hex')}`;
    expect(headers['x-hub-signature-256']).toBe(independent);
  });
});
