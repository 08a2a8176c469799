/**
 * The real WordPress peer for `npm run test:peers`: start/stop (used by the jest global setup)
 * and the helpers a peer test needs. The sync-level peer test (inbound sync into Cosmos) should
 * use `wordpressPeer()` for the connection settings and `WordPressPeerClient` to change data behind
 * the engine's back, exactly as test/peers/wordpress/adapter.peers.test.ts does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { HttpClient } from '../../../adapters/base/httpClient';
import type { WordPressAdapter } from '../../../adapters/wordpress';
import { createWordPressAdapter } from '../../../adapters/wordpress';
import { adapterContext } from '../../simulators/adapterContext';

const HERE = __dirname;
const ROOT = join(HERE, '..', '..', '..');
export const WORDPRESS_STATE_DIR = join(ROOT, '.local', 'peers', 'wordpress');

export interface WordPressPeer {
  /** `http://127.0.0.1:18080/wp-json/wp/v2` */
  readonly baseUrl: string;
  readonly username: string;
  /** An Application Password (the login password is refused over REST). */
  readonly appPassword: string;
}

interface StartState {
  startedHere: boolean;
}
const globals = globalThis as { __wordpressPeer__?: StartState };

function isRunning(): boolean {
  const pidFile = join(WORDPRESS_STATE_DIR, 'php.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs start.sh (installs Debian packages when missing; idempotent) and returns its settings. */
export function startWordPressPeer(): { env: Record<string, string> } {
  const wasRunning = isRunning();
  const started = Date.now();
  const result = spawnSync('bash', [join(HERE, 'start.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, WP_STATE: WORDPRESS_STATE_DIR },
    timeout: 15 * 60_000,
  });
  if (result.status !== 0) {
    throw new Error(`test/peers/wordpress/start.sh failed (exit ${String(result.status)})`);
  }
  globals.__wordpressPeer__ = { startedHere: !wasRunning };
  process.stderr.write(`# wordpress peer ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { env: parseEnv(result.stdout) };
}

/** Stops the peer if this process started it (WP_PEER_KEEP=1 leaves it running for the next run). */
export function stopWordPressPeer(): void {
  if (globals.__wordpressPeer__?.startedHere !== true || process.env['WP_PEER_KEEP'] === '1') return;
  spawnSync('bash', [join(HERE, 'stop.sh')], {
    stdio: 'inherit',
    env: { ...process.env, WP_STATE: WORDPRESS_STATE_DIR },
    timeout: 60_000,
  });
  globals.__wordpressPeer__ = { startedHere: false };
}

/** The running peer's settings, from the environment set by the global setup (or peer.env). */
export function wordpressPeer(env: NodeJS.ProcessEnv = process.env): WordPressPeer {
  let source: Record<string, string | undefined> = env;
  if (env['WP_BASE_URL'] === undefined) {
    const file = join(WORDPRESS_STATE_DIR, 'peer.env');
    if (!existsSync(file)) throw new Error('WordPress peer is not running: npm run test:peers starts it');
    source = parseEnv(readFileSync(file, 'utf8'));
  }
  const baseUrl = source['WP_BASE_URL'];
  const username = source['WP_USER'];
  const appPassword = source['WP_APP_PASSWORD'];
  if (baseUrl === undefined || username === undefined || appPassword === undefined) {
    throw new Error('WP_BASE_URL, WP_USER and WP_APP_PASSWORD must be set');
  }
  return { baseUrl, username, appPassword };
}

/**
 * The adapter configured for the peer, with the mu-plugin's `contacts` post type. `http` must allow
 * 127.0.0.1 (test/simulators/adapterContext `simulatorHttpClient`).
 */
export function peerAdapter(
  http: HttpClient,
  peer: WordPressPeer = wordpressPeer(),
  pageSize = 3,
): WordPressAdapter {
  return createWordPressAdapter(
    adapterContext(
      http,
      { type: 'BASIC', username: peer.username, password: peer.appPassword },
      { baseUrl: peer.baseUrl, postTypes: [{ name: 'contacts', restBase: 'contacts' }], pageSize },
    ),
  );
}

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

export interface PeerPost {
  readonly id: number;
  readonly status: string;
  readonly modified_gmt: string;
  readonly meta: Record<string, unknown>;
  readonly title: { readonly raw?: string; readonly rendered: string };
}

/**
 * Talks to the peer's REST API directly, not through the adapter under test, so a test can change
 * data "in WordPress" and then check what the adapter (or the sync) sees.
 */
export class WordPressPeerClient {
  constructor(private readonly peer: WordPressPeer) {}

  async create(restBase: string, body: Record<string, unknown>): Promise<PeerPost> {
    return this.call<PeerPost>('POST', `/${restBase}`, body);
  }

  async update(restBase: string, id: number, body: Record<string, unknown>): Promise<PeerPost> {
    return this.call<PeerPost>('POST', `/${restBase}/${id}`, body);
  }

  async trash(restBase: string, id: number): Promise<PeerPost> {
    return this.call<PeerPost>('DELETE', `/${restBase}/${id}`);
  }

  async forceDelete(restBase: string, id: number): Promise<void> {
    await this.call<unknown>('DELETE', `/${restBase}/${id}?force=true`);
  }

  /** Every post of a type in every status, trash included (100 at most: enough for test data). */
  async list(restBase: string): Promise<PeerPost[]> {
    return this.call<PeerPost[]>(
      'GET',
      `/${restBase}?status=publish,future,draft,pending,private,trash&per_page=100&context=edit`,
    );
  }

  /** Removes every post of a type for good, for a test that needs a known data set. */
  async clear(restBase: string): Promise<void> {
    for (const p of await this.list(restBase)) await this.forceDelete(restBase, p.id);
  }

  async get(restBase: string, id: number): Promise<PeerPost> {
    return this.call<PeerPost>('GET', `/${restBase}/${id}?context=edit`);
  }

  /** WordPress compares modified times in whole seconds: wait until the clock has moved past `ms`. */
  static async nextSecond(): Promise<void> {
    await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
  }

  private async call<T>(method: string, path: string, body?: Record<string, unknown>): Promise<T> {
    const auth = Buffer.from(`${this.peer.username}:${this.peer.appPassword}`).toString('base64');
    const res = await fetch(`${this.peer.baseUrl}${path}`, {
      method,
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`WordPress ${method} ${path} → ${res.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }
}
