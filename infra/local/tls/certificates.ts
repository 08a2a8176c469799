import { X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { generate } from 'selfsigned';

import { writeFileAtomic } from '../emulatorSupport';

/**
 * A local certificate authority and a loopback server certificate it signed. The emulators that
 * must speak https (Key Vault, the telemetry collector) serve `serverCertPem`; clients trust
 * `caCertPem` (the file at `caCertPath` is what LOCAL_CA_CERT_PATH points to).
 */
export interface LocalCertificates {
  readonly caCertPem: string;
  readonly caCertPath: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
}

const FILES = {
  caCert: 'ca.pem',
  caKey: 'ca.key',
  serverCert: 'server.pem',
  serverKey: 'server.key',
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Regenerate a reused certificate this long before it expires, so a long `npm start` never sees it lapse. */
const RENEW_BEFORE_MS = 7 * DAY_MS;

/**
 * Loads the CA and server certificate from `dir` when they are there and still valid for loopback,
 * else generates new ones (EC P-256: key generation takes milliseconds, unlike RSA) and writes them.
 */
export async function ensureLocalCertificates(dir: string): Promise<LocalCertificates> {
  await mkdir(dir, { recursive: true });
  const existing = await loadCertificates(dir);
  if (existing !== undefined) return existing;

  const notBeforeDate = new Date(Date.now() - 60_000);
  const ca = await generate([{ name: 'commonName', value: 'Sync Engine Local Development CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(Date.now() + 3650 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    // Browsers and some TLS stacks reject leaf certificates valid for more than 398 days.
    notAfterDate: new Date(Date.now() + 397 * DAY_MS),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  await writeFileAtomic(join(dir, FILES.caKey), ca.private, 0o600);
  await writeFileAtomic(join(dir, FILES.serverKey), server.private, 0o600);
  await writeFileAtomic(join(dir, FILES.serverCert), server.cert, 0o644);
  // The CA file last: its presence marks a complete set for the next start.
  await writeFileAtomic(join(dir, FILES.caCert), ca.cert, 0o644);
  return {
    caCertPem: ca.cert,
    caCertPath: join(dir, FILES.caCert),
    serverCertPem: server.cert,
    serverKeyPem: server.private,
  };
}

async function loadCertificates(dir: string): Promise<LocalCertificates | undefined> {
  let caCertPem: string;
  let serverCertPem: string;
  let serverKeyPem: string;
  try {
    [caCertPem, serverCertPem, serverKeyPem] = await Promise.all([
      readFile(join(dir, FILES.caCert), 'utf8'),
      readFile(join(dir, FILES.serverCert), 'utf8'),
      readFile(join(dir, FILES.serverKey), 'utf8'),
    ]);
  } catch {
    return undefined;
  }
  try {
    const ca = new X509Certificate(caCertPem);
    const leaf = new X509Certificate(serverCertPem);
    const renewAt = Date.now() + RENEW_BEFORE_MS;
    const usable =
      leaf.verify(ca.publicKey) &&
      leaf.checkIP('127.0.0.1') !== undefined &&
      leaf.checkHost('localhost') !== undefined &&
      Date.parse(leaf.validTo) > renewAt &&
      Date.parse(ca.validTo) > renewAt;
    return usable
      ? { caCertPem, caCertPath: join(dir, FILES.caCert), serverCertPem, serverKeyPem }
      : undefined;
  } catch {
    return undefined;
  }
}
