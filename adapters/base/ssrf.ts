import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';

import { SsrfBlockedError } from '../../shared/reliability/errors';

/**
 * The outbound SSRF guard. A tenant can point an integration's base URL (or a provider can point a
 * redirect or pagination link) anywhere; without this the engine would fetch cloud metadata
 * (169.254.169.254), the Functions host's own loopback endpoints or private VNet services.
 */

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves every address of a name (A and AAAA), as `dns.lookup(name, { all: true })` does. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error !== null) reject(error);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });

interface IpBytes {
  readonly family: 4 | 6;
  readonly bytes: readonly number[];
}

/**
 * Parses an IPv4 literal the way inet_aton (and so curl, browsers and most HTTP stacks) do:
 * 1–4 dot-separated parts, each decimal, octal (leading 0) or hex (0x), the last part filling the
 * remaining bytes. So `2130706433`, `0x7f000001`, `017700000001` and `127.1` are all 127.0.0.1.
 */
export function parseIpv4Loose(text: string): IpBytes | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p, 8);
    else if (/^(0|[1-9]\d*)$/.test(p)) n = Number(p);
    else return undefined;
    if (!Number.isSafeInteger(n)) return undefined;
    nums.push(n);
  }
  const last = nums.pop() ?? 0;
  if (nums.some((n) => n > 255)) return undefined;
  const lastBytes = 4 - nums.length;
  if (last >= 256 ** lastBytes) return undefined;
  const tail: number[] = [];
  let rest = last;
  for (let i = 0; i < lastBytes; i++) {
    tail.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  }
  return { family: 4, bytes: [...nums, ...tail] };
}

function parseIpv6(text: string): IpBytes | undefined {
  let t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  if (isIP(t) !== 6) return undefined;
  // Rewrite a dotted IPv4 tail (`::ffff:127.0.0.1`) as two hex groups so one parser handles both.
  const lastColon = t.lastIndexOf(':');
  const tail = t.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4Loose(tail);
    if (v4 === undefined) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4.bytes;
    t = `${t.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] === undefined || halves[0] === '' ? [] : halves[0].split(':');
  const right =
    halves.length === 2 && halves[1] !== undefined && halves[1] !== '' ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < 0) return undefined;
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  const bytes: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return { family: 6, bytes };
}

export function parseIpLiteral(host: string): IpBytes | undefined {
  const h = host.trim();
  if (h.includes(':')) return parseIpv6(h);
  return parseIpv4Loose(h);
}

function inPrefix(bytes: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = Math.floor(i / 8);
    const mask = 0x80 >> (i % 8);
    if (((bytes[byte] ?? 0) & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

const V4_BLOCKED: readonly (readonly [readonly number[], number, string])[] = [
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'cgnat'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'documentation'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'benchmark'],
  [[198, 51, 100, 0], 24, 'documentation'],
  [[203, 0, 113, 0], 24, 'documentation'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

const V6_BLOCKED: readonly (readonly [readonly number[], number, string])[] = [
  [[...Array<number>(15).fill(0), 0], 128, 'unspecified'],
  [[...Array<number>(15).fill(0), 1], 128, 'loopback'],
  [[0x01, 0x00], 64, 'discard'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation'],
  [[0xfc], 7, 'private'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'site-local'],
  [[0xff], 8, 'multicast'],
];

/** Why an address must not be reached, or undefined when it is a public unicast address. */
export function blockedReason(ip: IpBytes): string | undefined {
  if (ip.family === 4) {
    for (const [prefix, bits, reason] of V4_BLOCKED) if (inPrefix(ip.bytes, prefix, bits)) return reason;
    return undefined;
  }
  const b = ip.bytes;
  // IPv4 hidden inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96),
  // 6to4 (2002:AABB:CCDD::). Each is judged by the IPv4 address it carries.
  const embedded = (start: number): IpBytes => ({ family: 4, bytes: b.slice(start, start + 4) });
  if (inPrefix(b, [...Array<number>(10).fill(0), 0xff, 0xff], 96))
    return prefixed(blockedReason(embedded(12)), 'ipv4-mapped');
  if (inPrefix(b, Array<number>(12).fill(0), 96) && !inPrefix(b, Array<number>(16).fill(0), 127)) {
    return prefixed(blockedReason(embedded(12)), 'ipv4-compatible') ?? 'ipv4-compatible';
  }
  if (inPrefix(b, [0x00, 0x64, 0xff, 0x9b, ...Array<number>(8).fill(0)], 96))
    return prefixed(blockedReason(embedded(12)), 'nat64');
  if (inPrefix(b, [0x20, 0x02], 16)) return prefixed(blockedReason(embedded(2)), '6to4');
  for (const [prefix, bits, reason] of V6_BLOCKED) if (inPrefix(b, prefix, bits)) return reason;
  return undefined;
}

function prefixed(reason: string | undefined, via: string): string | undefined {
  return reason === undefined ? undefined : `${via}:${reason}`;
}

interface CidrRule {
  readonly ip: IpBytes;
  readonly bits: number;
}

/**
 * Hosts and CIDRs that may be reached although they would be blocked (OUTBOUND_HOST_ALLOWLIST,
 * read by the composition and passed in). `*.example.com` matches subdomains only.
 */
export class OutboundAllowlist {
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly cidrs: CidrRule[] = [];

  constructor(entries: readonly string[] | string = []) {
    const list = typeof entries === 'string' ? entries.split(',') : entries;
    for (const raw of list) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      const slash = entry.lastIndexOf('/');
      const ipPart = slash >= 0 ? entry.slice(0, slash) : entry;
      const ip = parseIpLiteral(ipPart);
      if (ip !== undefined) {
        const max = ip.family === 4 ? 32 : 128;
        const bits = slash >= 0 ? Number(entry.slice(slash + 1)) : max;
        if (!Number.isInteger(bits) || bits < 0 || bits > max)
          throw new Error(`invalid CIDR in allowlist: ${entry}`);
        this.cidrs.push({ ip, bits });
      } else if (entry.startsWith('*.')) this.suffixes.push(entry.slice(1));
      else if (/^[a-z0-9.-]+$/.test(entry)) this.hosts.add(entry.replace(/\.$/, ''));
      else throw new Error(`invalid allowlist entry: ${entry}`);
    }
  }

  get isEmpty(): boolean {
    return this.hosts.size === 0 && this.suffixes.length === 0 && this.cidrs.length === 0;
  }

  allowsHost(hostname: string): boolean {
    const h = hostname.toLowerCase().replace(/\.$/, '');
    return this.hosts.has(h) || this.suffixes.some((s) => h.endsWith(s));
  }

  allowsAddress(ip: IpBytes): boolean {
    return this.cidrs.some((c) => c.ip.family === ip.family && inPrefix(ip.bytes, c.ip.bytes, c.bits));
  }
}

export interface SsrfGuardOptions {
  readonly allowlist?: OutboundAllowlist | readonly string[] | string;
  readonly resolver?: Resolver;
}

/** URL hostnames keep IPv6 brackets; dns and the IP parser want them off. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

export class SsrfGuard {
  readonly allowlist: OutboundAllowlist;
  private readonly resolver: Resolver;

  constructor(options: SsrfGuardOptions = {}) {
    const a = options.allowlist;
    this.allowlist = a instanceof OutboundAllowlist ? a : new OutboundAllowlist(a ?? []);
    this.resolver = options.resolver ?? systemResolver;
  }

  /** Refuses non-http(s) URLs synchronously; no DNS, no traffic. */
  assertScheme(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SsrfBlockedError(`scheme ${url.protocol} is not allowed`, { details: { reason: 'scheme' } });
    }
  }

  /**
   * Checks a URL before any connection: the scheme, then the host — an IP literal directly, a name
   * through every address it resolves to (one bad address is enough to refuse: the connection could
   * pick any of them). Returns the vetted addresses.
   */
  async check(url: URL): Promise<readonly ResolvedAddress[]> {
    this.assertScheme(url);
    const host = bareHost(url.hostname);
    const literal = parseIpLiteral(host);
    if (literal !== undefined) {
      this.assertAllowed(host, literal);
      return [{ address: host, family: literal.family }];
    }
    return this.resolveAndCheck(host);
  }

  async resolveAndCheck(hostname: string): Promise<readonly ResolvedAddress[]> {
    const addresses = await this.resolver(hostname);
    if (addresses.length === 0) {
      throw new SsrfBlockedError(`no address for ${hostname}`, {
        details: { reason: 'unresolved', host: hostname },
      });
    }
    for (const a of addresses) {
      const ip = parseIpLiteral(a.address);
      if (ip === undefined) {
        throw new SsrfBlockedError(`unparsable address for ${hostname}`, {
          details: { reason: 'unparsable', host: hostname },
        });
      }
      this.assertAllowed(hostname, ip);
    }
    return addresses;
  }

  private assertAllowed(hostname: string, ip: IpBytes): void {
    const reason = blockedReason(ip);
    if (reason === undefined) return;
    if (this.allowlist.allowsHost(hostname) || this.allowlist.allowsAddress(ip)) return;
    throw new SsrfBlockedError(`outbound request to a ${reason} address refused`, {
      details: { reason, host: hostname },
    });
  }

  /**
   * A `lookup` for net/tls connect options: resolves and vets in the same step that hands the
   * addresses to the socket, so a DNS answer that changes between the check and the connect (DNS
   * rebinding) cannot slip a private address in.
   */
  lookupFunction(): (
    hostname: string,
    options: { all?: boolean },
    callback: (error: Error | null, address: string | readonly ResolvedAddress[], family?: number) => void,
  ) => void {
    return (hostname, options, callback) => {
      this.resolveAndCheck(bareHost(hostname)).then(
        (addresses) => {
          const first = addresses[0];
          if (options.all === true) callback(null, addresses);
          else if (first !== undefined) callback(null, first.address, first.family);
        },
        (error: unknown) => {
          callback(error instanceof Error ? error : new Error(String(error)), '');
        },
      );
    };
  }
}
