import { createHash, createHmac } from 'node:crypto';

import {
  getWebhookScheme,
  HmacSchemeConfigSchema,
  hubspotCanonicalUri,
  signWebhook,
  twilioJsonUrl,
  verifyWebhook,
} from '../../../../../adapters/base/webhooks';

const reason = (r: ReturnType<typeof verifyWebhook>): string => (r.ok ? 'ok' : r.error.reason);

describe('published test vectors', () => {
  it('Standard Webhooks specification vector', () => {
    const result = verifyWebhook(
      { scheme: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      {
        rawBody: '{"test": 2432232314}',
        headers: {
          'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
          'webhook-timestamp': '1614265330',
          'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
        },
        method: 'POST',
        url: 'https://example.com/hook',
        now: 1614265330 * 1000 + 10_000,
      },
    );
    expect(result).toEqual({
      ok: true,
      value: {
        deliveryId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        deliveryIdSource: 'header',
        timestamp: 1614265330,
      },
    });
    expect(
      signWebhook('standard-webhooks', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
        body: '{"test": 2432232314}',
        url: 'https://example.com/hook',
        now: 1614265330 * 1000,
        id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      })['webhook-signature'],
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('Slack "Verifying requests" documentation example', () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const result = verifyWebhook(
      { scheme: 'slack', secret: '8f742231b10e8888abcd99yyyzzz85a5' },
      {
        rawBody: body,
        headers: {
          'X-Slack-Request-Timestamp': '1531420618',
          'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
        },
        method: 'POST',
        url: 'https://example.com/slack',
        now: 1531420618 * 1000 + 60_000,
      },
    );
    expect(reason(result)).toBe('ok');
  });

  it('GitHub "Validating webhook deliveries" example', () => {
    const result = verifyWebhook(
      { scheme: 'github', secret: "It's a Secret to Everybody" },
      {
        rawBody: 'Hello, World!',
        headers: {
          'X-Hub-Signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
          'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        },
        method: 'POST',
        url: 'https://example.com/gh',
        now: Date.now(),
      },
    );
    expect(result).toMatchObject({ ok: true, value: { deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958' } });
  });

  it('Twilio security documentation example (form parameters)', () => {
    const body =
      'CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212';
    const result = verifyWebhook(
      { scheme: 'twilio', secret: '12345' },
      {
        rawBody: body,
        headers: { 'X-Twilio-Signature': 'GvWf1cFY/Q7PnoempGyD5oXAezc=' },
        method: 'POST',
        url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
        now: Date.now(),
      },
    );
    expect(reason(result)).toBe('ok');
  });
});

const NOW = 1_700_000_000_000;
const URL_ = 'https://sync.example.com/api/webhooks/p/int-1';

describe('handshakes', () => {
  it('Asana: echoes X-Hook-Secret and hands it over for storage when none is stored', () => {
    const result = verifyWebhook(
      { scheme: 'asana' },
      { rawBody: '', headers: { 'X-Hook-Secret': 'hook-secret-1' }, method: 'POST', url: URL_, now: NOW },
    );
    expect(result).toMatchObject({
      ok: true,
      value: {
        handshake: {
          status: 200,
          headers: { 'X-Hook-Secret': 'hook-secret-1' },
          secretToStore: 'hook-secret-1',
        },
      },
    });
    // Later deliveries are signed with that secret.
    const body = '{"events":[{"action":"changed","resource":{"gid":"1"}}]}';
    const headers = signWebhook('asana', 'hook-secret-1', { body, url: URL_, now: NOW });
    expect(headers['x-hook-signature']).toBe(
      createHmac('sha256', 'hook-secret-1').update(body).digest('hex'),
    );
    expect(
      reason(
        verifyWebhook(
          { scheme: 'asana', secret: 'hook-secret-1' },
          { rawBody: body, headers, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('ok');
  });

  it('Asana: a handshake cannot replace a stored secret unless a registration is pending', () => {
    const req = {
      rawBody: '',
      headers: { 'X-Hook-Secret': 'attacker' },
      method: 'POST',
      url: URL_,
      now: NOW,
    };
    expect(reason(verifyWebhook({ scheme: 'asana', secret: 'stored' }, req))).toBe('handshake-not-allowed');
    expect(verifyWebhook({ scheme: 'asana', secret: 'stored', acceptHandshake: true }, req)).toMatchObject({
      ok: true,
      value: { handshake: { secretToStore: 'attacker' } },
    });
  });

  it('Notion: the unsigned verification_token POST is a handshake that yields the token', () => {
    const req = {
      rawBody: '{"verification_token":"secret_tok"}',
      headers: {},
      method: 'POST',
      url: URL_,
      now: NOW,
    };
    expect(verifyWebhook({ scheme: 'notion' }, req)).toMatchObject({
      ok: true,
      value: { handshake: { status: 200, secretToStore: 'secret_tok' } },
    });
    expect(reason(verifyWebhook({ scheme: 'notion', secret: 'stored' }, req))).toBe('handshake-not-allowed');
    // Anything else unsigned is not a handshake.
    const notHandshake = { ...req, rawBody: '{"verification_token":"x","type":"page.created"}' };
    expect(reason(verifyWebhook({ scheme: 'notion', secret: 'stored' }, notHandshake))).toBe(
      'missing-header',
    );
  });

  it('Notion: events use the body id for dedup', () => {
    const body = '{"id":"367cba44-b6f3-4c92-81e7-6a2e9659efd4","type":"page.content_updated"}';
    const headers = signWebhook('notion', 'secret_tok', { body, url: URL_, now: NOW });
    expect(headers['x-notion-signature']).toBe(
      `sha256=${createHmac('sha256', 'secret_tok').update(body).digest('hex')}`,
    );
    expect(
      verifyWebhook(
        { scheme: 'notion', secret: 'secret_tok' },
        { rawBody: body, headers, method: 'POST', url: URL_, now: NOW },
      ),
    ).toMatchObject({
      ok: true,
      value: { deliveryId: '367cba44-b6f3-4c92-81e7-6a2e9659efd4', deliveryIdSource: 'body' },
    });
  });

  it('Zoom: answers endpoint.url_validation with the HMAC of plainToken, only when signed', () => {
    const body = '{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"}}';
    const headers = signWebhook('zoom', 'zoom-secret', { body, url: URL_, now: NOW });
    const result = verifyWebhook(
      { scheme: 'zoom', secret: 'zoom-secret' },
      { rawBody: body, headers, method: 'POST', url: URL_, now: NOW },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.handshake?.status).toBe(200);
    expect(JSON.parse(result.value.handshake?.body ?? '')).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', 'zoom-secret').update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
    // Unsigned validation requests would make the endpoint an HMAC oracle.
    expect(
      reason(
        verifyWebhook(
          { scheme: 'zoom', secret: 'zoom-secret' },
          { rawBody: body, headers: {}, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('missing-header');
  });

  it('Slack: answers url_verification with the challenge after checking the signature', () => {
    const body =
      '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}';
    const headers = signWebhook('slack', 's', { body, url: URL_, now: NOW });
    expect(
      verifyWebhook(
        { scheme: 'slack', secret: 's' },
        { rawBody: body, headers, method: 'POST', url: URL_, now: NOW },
      ),
    ).toMatchObject({
      ok: true,
      value: { handshake: { status: 200, body: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' } },
    });
    expect(
      reason(
        verifyWebhook(
          { scheme: 'slack', secret: 'other' },
          { rawBody: body, headers, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('bad-signature');
  });

  it('WooCommerce: the unsigned creation ping gets a 200 and nothing else does', () => {
    const ping = verifyWebhook(
      { scheme: 'woocommerce', secret: 'wc' },
      { rawBody: 'webhook_id=15', headers: {}, method: 'POST', url: URL_, now: NOW },
    );
    expect(ping).toMatchObject({ ok: true, value: { handshake: { status: 200, body: '' } } });
    expect(
      reason(
        verifyWebhook(
          { scheme: 'woocommerce', secret: 'wc' },
          { rawBody: '{"id":1}', headers: {}, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('missing-header');
  });

  it('Trello: the HEAD check of the callback URL passes without a signature', () => {
    expect(
      verifyWebhook({ scheme: 'trello' }, { rawBody: '', headers: {}, method: 'HEAD', url: URL_, now: NOW }),
    ).toMatchObject({
      ok: true,
      value: { handshake: { status: 200 } },
    });
  });
});

describe('provider details', () => {
  it('Stripe: retries are re-signed with a new t but dedup on the event id', () => {
    const body = '{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event"}';
    const first = signWebhook('stripe', 'whsec_x', { body, url: URL_, now: NOW });
    const retry = signWebhook('stripe', 'whsec_x', { body, url: URL_, now: NOW + 60_000 });
    expect(first['stripe-signature']).not.toBe(retry['stripe-signature']);
    const ids = [first, retry].map((headers) => {
      const r = verifyWebhook(
        { scheme: 'stripe', secret: 'whsec_x' },
        { rawBody: body, headers, method: 'POST', url: URL_, now: NOW + 60_000 },
      );
      return r.ok ? r.value.deliveryId : r.error.reason;
    });
    expect(ids).toEqual(['evt_1NG8Du2eZvKYlo2CUI79vXWy', 'evt_1NG8Du2eZvKYlo2CUI79vXWy']);
    // Header with a v0 (test-mode) signature only is not enough.
    const v0only = first['stripe-signature']!.replace('v1=', 'v0=');
    expect(
      reason(
        verifyWebhook(
          { scheme: 'stripe', secret: 'whsec_x' },
          { rawBody: body, headers: { 'stripe-signature': v0only }, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('malformed');
  });

  it('HubSpot v3: signs method + decoded URI + body + ms timestamp with the client secret', () => {
    const url = 'https://sync.example.com/api/webhooks/hubspot/int-1?email=a%40b.com&x=%2F';
    expect(hubspotCanonicalUri(url)).toBe(
      'https://sync.example.com/api/webhooks/hubspot/int-1?email=a@b.com&x=/',
    );
    const body = '[{"eventId":1}]';
    const ts = String(NOW);
    const expected = createHmac('sha256', 'client-secret')
      .update(`POSThttps://sync.example.com/api/webhooks/hubspot/int-1?email=a@b.com&x=/${body}${ts}`)
      .digest('base64');
    const headers = { 'X-HubSpot-Signature-v3': expected, 'X-HubSpot-Request-Timestamp': ts };
    const ok = verifyWebhook(
      { scheme: 'hubspot-v3', secret: 'client-secret' },
      { rawBody: body, headers, method: 'POST', url, now: NOW },
    );
    expect(ok).toMatchObject({ ok: true, value: { timestamp: NOW / 1000 } });
    // The URL is signed: the same request against another integration's URL fails.
    expect(
      reason(
        verifyWebhook(
          { scheme: 'hubspot-v3', secret: 'client-secret' },
          { rawBody: body, headers, method: 'POST', url: url.replace('int-1', 'int-2'), now: NOW },
        ),
      ),
    ).toBe('bad-signature');
    expect(
      reason(
        verifyWebhook(
          { scheme: 'hubspot-v3', secret: 'client-secret' },
          { rawBody: body, headers, method: 'PUT', url, now: NOW },
        ),
      ),
    ).toBe('bad-signature');
  });

  it('Twilio JSON: bodySHA256 in the signed URL must match the body', () => {
    const body = '{"CallSid":"CA1","Caller":"+12349013030"}';
    const url = twilioJsonUrl(URL_, body);
    expect(url).toContain(`bodySHA256=${createHash('sha256').update(body).digest('hex')}`);
    const headers = signWebhook('twilio', 'tok', { body, url, now: NOW, id: 'idem-1' });
    expect(
      verifyWebhook(
        { scheme: 'twilio', secret: 'tok' },
        { rawBody: body, headers, method: 'POST', url, now: NOW },
      ),
    ).toMatchObject({
      ok: true,
      value: { deliveryId: 'idem-1', deliveryIdSource: 'header' },
    });
    expect(
      reason(
        verifyWebhook(
          { scheme: 'twilio', secret: 'tok' },
          { rawBody: body.replace('CA1', 'CA2'), headers, method: 'POST', url, now: NOW },
        ),
      ),
    ).toBe('bad-signature');
  });

  it('Twilio: accepts the URL with or without the default port', () => {
    const body = 'A=1';
    const headers = signWebhook('twilio', 'tok', {
      body,
      url: 'https://sync.example.com:443/hook',
      now: NOW,
    });
    expect(
      reason(
        verifyWebhook(
          { scheme: 'twilio', secret: 'tok' },
          { rawBody: body, headers, method: 'POST', url: 'https://sync.example.com/hook', now: NOW },
        ),
      ),
    ).toBe('ok');
  });

  it('Trello: signs body + callback URL with HMAC-SHA1 and dedups on the action id', () => {
    const body = '{"action":{"id":"5f1","type":"updateCard"}}';
    const headers = signWebhook('trello', 'app-secret', { body, url: URL_, now: NOW });
    expect(headers['x-trello-webhook']).toBe(
      createHmac('sha1', 'app-secret')
        .update(body + URL_)
        .digest('base64'),
    );
    expect(
      verifyWebhook(
        { scheme: 'trello', secret: 'app-secret' },
        { rawBody: body, headers, method: 'POST', url: URL_, now: NOW },
      ),
    ).toMatchObject({
      ok: true,
      value: { deliveryId: '5f1', deliveryIdSource: 'body' },
    });
    // The callback URL is part of the signature.
    expect(
      reason(
        verifyWebhook(
          { scheme: 'trello', secret: 'app-secret' },
          { rawBody: body, headers, method: 'POST', url: `${URL_}x`, now: NOW },
        ),
      ),
    ).toBe('bad-signature');
  });

  it('Trello: also accepts a UTF-8 signature of a non-ASCII body', () => {
    const body = '{"action":{"id":"a","data":{"text":"–"}}}';
    const utf8Sig = createHmac('sha1', 's')
      .update(Buffer.concat([Buffer.from(body, 'utf8'), Buffer.from(URL_)]))
      .digest('base64');
    expect(
      reason(
        verifyWebhook(
          { scheme: 'trello', secret: 's' },
          { rawBody: body, headers: { 'x-trello-webhook': utf8Sig }, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('ok');
  });

  it('Intuit: base64 HMAC-SHA256 of the body with the verifier token', () => {
    const body = '{"eventNotifications":[{"realmId":"1185883450"}]}';
    const headers = signWebhook('intuit', 'verifier', { body, url: URL_, now: NOW });
    expect(headers['intuit-signature']).toBe(createHmac('sha256', 'verifier').update(body).digest('base64'));
  });

  it('WooCommerce and Shopify send the delivery ids used for dedup', () => {
    const body = '{"id":7}';
    const wc = signWebhook('woocommerce', 'k', { body, url: URL_, now: NOW, id: 'd-9' });
    expect(
      verifyWebhook(
        { scheme: 'woocommerce', secret: 'k' },
        { rawBody: body, headers: wc, method: 'POST', url: URL_, now: NOW },
      ),
    ).toMatchObject({ ok: true, value: { deliveryId: 'd-9' } });
    const shop = signWebhook('shopify', 'k', { body, url: URL_, now: NOW, id: 'ev-3' });
    expect(shop['x-shopify-hmac-sha256']).toBe(createHmac('sha256', 'k').update(body).digest('base64'));
    expect(
      verifyWebhook(
        { scheme: 'shopify', secret: 'k' },
        { rawBody: body, headers: shop, method: 'POST', url: URL_, now: NOW },
      ),
    ).toMatchObject({ ok: true, value: { deliveryId: 'ev-3' } });
  });

  it('Svix reads svix-* headers, not webhook-*', () => {
    const secret = `whsec_${Buffer.from('k'.repeat(32)).toString('base64')}`;
    const headers = signWebhook('standard-webhooks', secret, { body: '{}', url: URL_, now: NOW });
    expect(
      reason(
        verifyWebhook(
          { scheme: 'svix', secret },
          { rawBody: '{}', headers, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('missing-header');
    expect(
      reason(
        verifyWebhook(
          { scheme: 'standard-webhooks', secret: 'whsec_@@@' },
          { rawBody: '{}', headers, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('config-invalid');
  });
});

describe('generic hmac scheme', () => {
  const base = { header: 'X-Sig', algorithm: 'sha256', encoding: 'hex' } as const;

  it('defaults to a hex HMAC-SHA256 of the body', () => {
    const body = '{"a":1}';
    const headers = { 'x-sig': createHmac('sha256', 'k').update(body).digest('hex') };
    expect(
      reason(
        verifyWebhook(
          { scheme: 'hmac', secret: 'k', config: { header: 'X-Sig' } },
          { rawBody: body, headers, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('ok');
  });

  it.each(['sha1', 'sha256', 'sha512'] as const)('supports %s with base64 and a prefix', (algorithm) => {
    const body = 'payload';
    const config = { ...base, algorithm, encoding: 'base64', prefix: `${algorithm}=` };
    const headers = { 'X-Sig': `${algorithm}=${createHmac(algorithm, 'k').update(body).digest('base64')}` };
    expect(
      reason(
        verifyWebhook(
          { scheme: 'hmac', secret: 'k', config },
          { rawBody: body, headers, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('ok');
  });

  it('signs the template with the url, method and id, and uses the id header for dedup', () => {
    const config = { ...base, signedContent: '{method} {url}\n{id}:{body}', idHeader: 'X-Id' };
    const body = '{"b":2}';
    const sig = createHmac('sha256', 'k').update(`POST ${URL_}\nd1:${body}`).digest('hex');
    const result = verifyWebhook(
      { scheme: 'hmac', secret: 'k', config },
      { rawBody: body, headers: { 'X-Sig': sig, 'X-Id': 'd1' }, method: 'post', url: URL_, now: NOW },
    );
    expect(result).toMatchObject({ ok: true, value: { deliveryId: 'd1', deliveryIdSource: 'header' } });
    expect(
      reason(
        verifyWebhook(
          { scheme: 'hmac', secret: 'k', config },
          { rawBody: body, headers: { 'X-Sig': sig, 'X-Id': 'd2' }, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('bad-signature');
  });

  it('honours a per-config tolerance and millisecond timestamps', () => {
    const config = {
      ...base,
      signedContent: '{timestamp}.{body}',
      timestampHeader: 'X-Ts',
      timestampUnit: 'ms',
      toleranceSec: 30,
    };
    const body = 'x';
    const make = (at: number) => signWebhook('hmac', 'k', { body, url: URL_, now: at, config });
    expect(make(NOW)['x-ts']).toBe(String(NOW));
    const check = (at: number) =>
      reason(
        verifyWebhook(
          { scheme: 'hmac', secret: 'k', config },
          { rawBody: body, headers: make(at), method: 'POST', url: URL_, now: NOW },
        ),
      );
    expect(check(NOW - 29_000)).toBe('ok');
    expect(check(NOW - 31_000)).toBe('stale');
  });

  it('supports base64 secrets', () => {
    const key = Buffer.from('raw-key-bytes');
    const config = { ...base, secretEncoding: 'base64' };
    const headers = { 'X-Sig': createHmac('sha256', key).update('b').digest('hex') };
    expect(
      reason(
        verifyWebhook(
          { scheme: 'hmac', secret: key.toString('base64'), config },
          { rawBody: 'b', headers, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('ok');
  });

  it.each([
    ['missing config', undefined],
    ['no header', { algorithm: 'sha256' }],
    ['unknown algorithm', { header: 'X', algorithm: 'md5' }],
    ['template without {body}', { header: 'X', signedContent: '{timestamp}', timestampHeader: 'T' }],
    ['{timestamp} without a header', { header: 'X', signedContent: '{timestamp}.{body}' }],
    ['{id} without a header', { header: 'X', signedContent: '{id}.{body}' }],
  ])('refuses an unsafe or invalid config: %s', (_name, config) => {
    expect(HmacSchemeConfigSchema.safeParse(config).success).toBe(false);
    expect(
      reason(
        verifyWebhook(
          { scheme: 'hmac', secret: 'k', config },
          { rawBody: 'b', headers: { X: 'ab' }, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('config-invalid');
  });
});

describe('registry', () => {
  it('refuses unknown schemes and bad tolerances', () => {
    expect(
      reason(
        verifyWebhook(
          { scheme: 'nope', secret: 'k' },
          { rawBody: '', headers: {}, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('unknown-scheme');
    expect(
      reason(
        verifyWebhook(
          { scheme: 'github', secret: 'k', toleranceSec: -1 },
          { rawBody: '', headers: {}, method: 'POST', url: URL_, now: NOW },
        ),
      ),
    ).toBe('config-invalid');
    expect(() => signWebhook('nope', 'k', { body: '', url: URL_, now: NOW })).toThrow(
      'unknown webhook scheme',
    );
    expect(getWebhookScheme('hubspot-v3')?.signsUrl).toBe(true);
    expect(getWebhookScheme('constructor')).toBeUndefined();
  });
});
