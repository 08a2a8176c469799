import { createHmac } from 'node:crypto';

import { audiencePath, grantCovers, verifySasToken } from '../../../infra/local/serviceBus/sas';

/** The same signing code the SDK uses (core-amqp createSasTokenProvider), reproduced here. */
function token(audience: string, key: string, keyName: string, expirySeconds: number): string {
  const sr = encodeURIComponent(audience);
  const sig = encodeURIComponent(
    createHmac('sha256', key).update(`${sr}\n${expirySeconds}`).digest('base64'),
  );
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${expirySeconds}&skn=${encodeURIComponent(keyName)}`;
}

const now = 1_700_000_000_000;
const later = now / 1000 + 3600;

test('a token signed with the configured key grants its audience path', () => {
  const verdict = verifySasToken(
    token('sb://127.0.0.1:5672/Sync-Outbound', 'k', 'Root', later),
    'Root',
    'k',
    now,
  );
  expect(verdict).toEqual({ ok: true, grant: { path: 'sync-outbound', expiresAtMs: later * 1000 } });
});

test.each([
  ['another key', token('sb://h/q', 'other', 'Root', later)],
  ['another key name', token('sb://h/q', 'k', 'Other', later)],
  ['an expired token', token('sb://h/q', 'k', 'Root', now / 1000 - 1)],
  [
    'a tampered audience',
    token('sb://h/q', 'k', 'Root', later).replace('sr=sb%3A%2F%2Fh%2Fq', 'sr=sb%3A%2F%2Fh%2Fz'),
  ],
  ['not a SAS token', 'Bearer abc'],
])('%s is refused', (_name, t) => {
  expect(verifySasToken(t, 'Root', 'k', now).ok).toBe(false);
});

test('grants cover their path and what lies below it, nothing else', () => {
  expect(audiencePath('sb://host:1/q/$management')).toBe('q/$management');
  expect(grantCovers('', 'anything')).toBe(true);
  expect(grantCovers('q', 'q/$deadletterqueue')).toBe(true);
  expect(grantCovers('q', 'q2')).toBe(false);
  expect(grantCovers('q/$management', 'q')).toBe(false);
});
