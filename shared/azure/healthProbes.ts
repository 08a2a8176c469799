import type { Composition } from '../composition';
import { DATABASE_NAME } from '../config/containers';
import { QueueNames } from '../config/queues';
import type { HealthCheck } from '../ports/healthCheck';

/**
 * One probe per dependency, each the cheapest call that proves both reachability and that our
 * identity is allowed in (an unauthorised client must show as an error, not as ok).
 */
export function createHealthChecks(c: Omit<Composition, 'healthChecks'>): readonly HealthCheck[] {
  let peeker: ReturnType<typeof c.serviceBus.createReceiver> | undefined;
  return [
    {
      name: 'cosmos',
      check: async ({ abortSignal } = {}) => {
        await c.database.read(abortSignal !== undefined ? { abortSignal } : {});
      },
    },
    {
      name: 'serviceBus',
      check: async ({ abortSignal } = {}) => {
        peeker ??= c.serviceBus.createReceiver(QueueNames.inboundWebhook);
        await peeker.peekMessages(1, abortSignal !== undefined ? { abortSignal } : {});
      },
    },
    {
      name: 'storage',
      check: async ({ abortSignal } = {}) => {
        await c.blobs.getProperties(abortSignal !== undefined ? { abortSignal } : {});
      },
    },
    {
      name: 'keyVault',
      check: async ({ abortSignal } = {}) => {
        const pages = c.secrets
          .listPropertiesOfSecrets(abortSignal !== undefined ? { abortSignal } : {})
          .byPage({ maxPageSize: 1 });
        await pages.next();
      },
    },
    {
      name: 'eventGrid',
      check: async ({ abortSignal } = {}) => {
        // No subscription filters on this type, so the probe is accepted and then discarded.
        await c.eventGrid.send(
          [
            {
              eventType: 'Sync.Health.Probe',
              subject: `health/${DATABASE_NAME}`,
              dataVersion: '1',
              data: {},
            },
          ],
          abortSignal !== undefined ? { abortSignal } : {},
        );
      },
    },
  ];
}
