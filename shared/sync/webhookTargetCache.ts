import type { WebhookTarget, WebhookTargetLoader } from './receiveWebhook';

export interface CachedWebhookTargetLoader extends WebhookTargetLoader {
  /** Drops an integration's entry (after a handshake stored a secret, or a config change). */
  forget(integrationId: string): void;
}

export interface WebhookTargetCacheOptions {
  /** How long a target (including "not found") is reused; config changes take effect within it. */
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Keeps the receiver off Cosmos and Key Vault for every delivery: a provider sending bursts hits
 * one integration many times a second. Concurrent misses share one load; failed loads are not kept.
 */
export function cacheWebhookTargets(
  load: WebhookTargetLoader,
  options: WebhookTargetCacheOptions = {},
): CachedWebhookTargetLoader {
  const ttlMs = options.ttlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<
    string,
    { readonly at: number; readonly value: Promise<WebhookTarget | undefined> }
  >();
  const key = (provider: string, integrationId: string): string => `${integrationId}\u0000${provider}`;

  const loader = ((provider: string, integrationId: string, opts?: Parameters<WebhookTargetLoader>[2]) => {
    const k = key(provider, integrationId);
    const hit = entries.get(k);
    if (hit !== undefined && now() - hit.at < ttlMs) return hit.value;
    const value = load(provider, integrationId, opts);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
    entries.delete(k);
    entries.set(k, { at: now(), value });
    value.catch(() => {
      if (entries.get(k)?.value === value) entries.delete(k);
    });
    return value;
  }) as CachedWebhookTargetLoader;
  loader.forget = (integrationId) => {
    for (const k of entries.keys()) if (k.startsWith(`${integrationId}\u0000`)) entries.delete(k);
  };
  return loader;
}
