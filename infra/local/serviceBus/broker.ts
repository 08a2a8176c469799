import type { QueueDefinition } from '../../../shared/config/queues';
import { Entity, type EntityConfig, type EntityJournal } from './entity';

/** The namespace: every queue of the topology and its dead-letter sub-queue, plus the clock. */

export const DEAD_LETTER_SEGMENT = '$deadletterqueue';
export const MANAGEMENT_SEGMENT = '$management';

/** How often locks, schedules and TTLs are checked; small next to any lock duration in use. */
const TICK_MS = 50;

export interface ResolvedAddress {
  readonly entity: Entity;
  readonly management: boolean;
}

export class Broker {
  private readonly entities = new Map<string, Entity>();
  private readonly timer: NodeJS.Timeout;

  constructor(queues: readonly QueueDefinition[], journal: EntityJournal | undefined) {
    for (const q of queues) {
      const config = toEntityConfig(q);
      const dlq = new Entity(deadLetterConfig(config), undefined, journal);
      const entity = new Entity(config, dlq, journal);
      this.entities.set(config.path.toLowerCase(), entity);
      this.entities.set(dlq.path.toLowerCase(), dlq);
    }
    this.timer = setInterval(() => {
      this.tick(Date.now());
    }, TICK_MS);
    this.timer.unref();
  }

  now(): number {
    return Date.now();
  }

  all(): Entity[] {
    return [...this.entities.values()];
  }

  entity(path: string): Entity | undefined {
    return this.entities.get(path.toLowerCase());
  }

  /** `queue`, `queue/$deadletterqueue`, either with `/$management`, or a full `sb://host/…` URL. */
  resolve(address: string): ResolvedAddress | undefined {
    let path = address.replace(/^[a-z]+:\/\/[^/]+\//i, '').replace(/^\/+|\/+$/g, '');
    let management = false;
    const suffix = `/${MANAGEMENT_SEGMENT}`;
    if (path.toLowerCase().endsWith(suffix)) {
      management = true;
      path = path.slice(0, -suffix.length);
    }
    const entity = this.entity(path);
    return entity ? { entity, management } : undefined;
  }

  tick(now: number): void {
    for (const e of this.entities.values()) e.tick(now);
  }

  stop(): void {
    clearInterval(this.timer);
    for (const e of this.entities.values()) e.detachAll();
  }
}

export function toEntityConfig(q: QueueDefinition): EntityConfig {
  return {
    path: q.name,
    requiresSession: q.requiresSession,
    maxDeliveryCount: q.maxDeliveryCount,
    lockDurationMs: q.lockDurationSeconds * 1000,
    defaultTtlMs: q.defaultMessageTimeToLiveSeconds * 1000,
    deadLetterOnExpiration: q.deadLetteringOnMessageExpiration,
    duplicateWindowMs: q.duplicateDetectionWindowSeconds * 1000,
    maxMessageSizeBytes: q.maxMessageSizeKb * 1024,
  };
}

/** A dead-letter queue never expires, dead-letters or de-duplicates its messages, nor needs sessions. */
function deadLetterConfig(parent: EntityConfig): EntityConfig {
  return {
    ...parent,
    path: `${parent.path}/${DEAD_LETTER_SEGMENT}`,
    requiresSession: false,
    maxDeliveryCount: Number.MAX_SAFE_INTEGER,
    defaultTtlMs: Infinity,
    deadLetterOnExpiration: false,
    duplicateWindowMs: 0,
  };
}
