import fc from 'fast-check';

import type { WebhookSchemeId } from '../../../../../adapters/base/webhooks';
import { signWebhook, verifyWebhook } from '../../../../../adapters/base/webhooks';

/**
 * For arbitrary bodies, what a scheme signs verifies, and changing any single byte breaks it.
 * Twilio is left out: it signs the decoded form parameters, so `+` and `%20` are the same to it by
 * design.
 */
const SCHEMES: readonly { scheme: WebhookSchemeId; secret: string; config?: unknown }[] = [
  { scheme: 'standard-webhooks', secret: `whsec_${Buffer.from('k'.repeat(24)).toString('base64')}` },
  { scheme: 'svix', secret: `whsec_${Buffer.from('s'.repeat(24)).toString('base64')}` },
  { scheme: 'github', secret: 'g' },
  { scheme: 'stripe', secret: 'whsec_s' },
  { scheme: 'shopify', secret: 's' },
  { scheme: 'woocommerce', secret: 'w' },
  { scheme: 'hubspot-v3', secret: 'h' },
  { scheme: 'slack', secret: 's' },
  { scheme: 'asana', secret: 'a' },
  { scheme: 'intuit', secret: 'i' },
  { scheme: 'notion', secret: 'n' },
  { scheme: 'zoom', secret: 'z' },
  { scheme: 'trello', secret: 't' },
  { scheme: 'hmac', secret: 'x', config: { header: 'X-Sig', signedContent: '{method}:{body}' } },
];

const NOW = 1_700_000_000_000;
const latin1 = (b: Buffer): Buffer => Buffer.from(b.toString('utf8'), 'latin1');
const URL_ = 'https://sync.example.com/api/webhooks/p/i';

describe.each(SCHEMES)('$scheme', ({ scheme, secret, config }) => {
  it('verifies what it signs and rejects any one-byte change', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (text, position, delta) => {
          const body = Buffer.from(text, 'utf8');
          const headers = signWebhook(scheme, secret, { body, url: URL_, now: NOW, config });
          const binding = { scheme, secret, config };
          const request = { rawBody: body, headers, method: 'POST', url: URL_, now: NOW };
          const good = verifyWebhook(binding, request);
          if (!good.ok || good.value.handshake !== undefined) return good.ok;
          if (body.length === 0) return true;
          const tampered = Buffer.from(body);
          const i = position % tampered.length;
          tampered[i] = ((tampered[i] ?? 0) + delta) % 256;
          // Trello's documented "binary string" hashing keeps only the low byte of each UTF-16 unit,
          // so changes that keep those bytes are invisible to it (see docs/WEBHOOKS.md).
          if (scheme === 'trello' && latin1(tampered).equals(latin1(body))) return true;
          const bad = verifyWebhook(binding, { ...request, rawBody: tampered });
          return !bad.ok && bad.error.reason === 'bad-signature';
        },
      ),
      { numRuns: 60 },
    );
  });
});
