import { blockedReason, OutboundAllowlist, parseIpLiteral, SsrfGuard } from '../../../../adapters/base/ssrf';
import { SsrfBlockedError } from '../../../../shared/reliability';

const reasonFor = (ip: string): string | undefined => {
  const parsed = parseIpLiteral(ip);
  if (parsed === undefined) throw new Error(`not an IP: ${ip}`);
  return blockedReason(parsed);
};

describe('IP literal parsing', () => {
  it.each([
    ['127.0.0.1', [127, 0, 0, 1]],
    ['2130706433', [127, 0, 0, 1]],
    ['0x7f000001', [127, 0, 0, 1]],
    ['017700000001', [127, 0, 0, 1]],
    ['0x7f.1', [127, 0, 0, 1]],
    ['127.1', [127, 0, 0, 1]],
    ['0177.0.0.01', [127, 0, 0, 1]],
    ['169.254.43518', [169, 254, 169, 254]],
  ])('%s is IPv4 %p', (text, bytes) => {
    expect(parseIpLiteral(text)).toEqual({ family: 4, bytes });
  });

  it.each(['256.1.1.1', '1.2.3.4.5', '08.1.1.1', 'example.com', '0x', '1..2', '4294967296'])(
    '%s is not an IPv4 literal',
    (text) => {
      if (text === '0x') expect(parseIpLiteral(text)).toEqual({ family: 4, bytes: [0, 0, 0, 0] });
      else expect(parseIpLiteral(text)).toBeUndefined();
    },
  );

  it('parses IPv6 forms including embedded IPv4 and zone ids', () => {
    expect(parseIpLiteral('::ffff:127.0.0.1')).toEqual(parseIpLiteral('::ffff:7f00:1'));
    expect(parseIpLiteral('[0:0:0:0:0:ffff:7f00:1]')).toEqual(parseIpLiteral('::ffff:7f00:1'));
    expect(parseIpLiteral('fe80::1%eth0')?.bytes.slice(0, 2)).toEqual([0xfe, 0x80]);
    expect(parseIpLiteral('2001:db8::1')?.bytes).toEqual([
      0x20,
      0x01,
      0x0d,
      0xb8,
      ...Array<number>(11).fill(0),
      1,
    ]);
    expect(parseIpLiteral('1::2::3')).toBeUndefined();
  });
});

describe('blocked address ranges', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'ipv4-mapped:loopback'],
    ['::ffff:7f00:1', 'ipv4-mapped:loopback'],
    ['::ffff:a9fe:a9fe', 'ipv4-mapped:link-local'],
    ['::127.0.0.1', 'ipv4-compatible:loopback'],
    ['64:ff9b::10.0.0.1', 'nat64:private'],
    ['2002:7f00:1::', '6to4:loopback'],
  ])('%s → %s', (ip, reason) => {
    expect(reasonFor(ip)).toBe(reason);
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '169.255.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('%s is public', (ip) => {
    expect(reasonFor(ip)).toBeUndefined();
  });
});

describe('SsrfGuard', () => {
  const noDns = jest.fn(() => Promise.reject(new Error('DNS must not be used')));

  it.each([
    'http://127.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://[::1]:8080/',
    'http://0/',
    'http://100.64.0.1/',
  ])('refuses %s without DNS', async (url) => {
    const guard = new SsrfGuard({ resolver: noDns });
    await expect(guard.check(new URL(url))).rejects.toBeInstanceOf(SsrfBlockedError);
    expect(noDns).not.toHaveBeenCalled();
  });

  it.each(['ftp://example.com/', 'file:///etc/passwd', 'gopher://x/', 'data:,x'])(
    'refuses scheme %s',
    async (url) => {
      await expect(new SsrfGuard({ resolver: noDns }).check(new URL(url))).rejects.toMatchObject({
        code: 'SsrfBlocked',
        details: { reason: 'scheme' },
      });
    },
  );

  it('refuses a name when any of its addresses is private', async () => {
    const guard = new SsrfGuard({
      resolver: () =>
        Promise.resolve([
          { address: '93.184.216.34', family: 4 },
          { address: '10.1.2.3', family: 4 },
        ]),
    });
    await expect(guard.check(new URL('https://internal.example/'))).rejects.toMatchObject({
      code: 'SsrfBlocked',
      retryable: false,
      details: { reason: 'private', host: 'internal.example' },
    });
  });

  it('allows public names and allowlisted hosts and CIDRs', async () => {
    const resolver = (host: string) =>
      Promise.resolve(
        host === 'public.example'
          ? [{ address: '93.184.216.34', family: 4 as const }]
          : [{ address: '10.9.9.9', family: 4 as const }],
      );
    const guard = new SsrfGuard({ resolver, allowlist: 'crm.corp, 127.0.0.0/8, *.svc.local, fd00::/8' });
    await expect(guard.check(new URL('https://public.example/'))).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
    ]);
    await expect(guard.check(new URL('https://crm.corp/'))).resolves.toHaveLength(1);
    await expect(guard.check(new URL('https://a.svc.local/'))).resolves.toHaveLength(1);
    await expect(guard.check(new URL('http://127.0.0.1:9/'))).resolves.toHaveLength(1);
    await expect(guard.check(new URL('http://[fd00::5]/'))).resolves.toHaveLength(1);
    await expect(guard.check(new URL('https://svc.local/'))).rejects.toBeInstanceOf(SsrfBlockedError);
    await expect(guard.check(new URL('http://169.254.169.254/'))).rejects.toBeInstanceOf(SsrfBlockedError);
  });

  it('rejects malformed allowlist entries instead of silently ignoring them', () => {
    expect(() => new OutboundAllowlist('10.0.0.0/33')).toThrow('invalid CIDR');
    expect(() => new OutboundAllowlist('http://x')).toThrow('invalid allowlist entry');
    expect(new OutboundAllowlist(' , ').isEmpty).toBe(true);
  });

  it('the connect-time lookup vets what it returns', async () => {
    const guard = new SsrfGuard({
      resolver: () => Promise.resolve([{ address: '169.254.169.254', family: 4 }]),
    });
    const lookup = guard.lookupFunction();
    const error = await new Promise<Error | null>((resolve) => {
      lookup('metadata.example', { all: true }, (e) => {
        resolve(e);
      });
    });
    expect(error).toBeInstanceOf(SsrfBlockedError);
  });
});
