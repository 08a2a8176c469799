import type { InboundSyncEnvelope } from '../../../shared/messages/envelope';
import { InvalidPayloadError, ProviderUnavailableError } from '../../../shared/reliability/errors';
import { processQueueMessage } from '../../../shared/sync/processQueueMessage';
import type { FakeSync } from '../../fakes/syncDeps';
import { createFakeSync } from '../../fakes/syncDeps';

const envelope: InboundSyncEnvelope = {
  v: 1,
  kind: 'sync.inbound.scheduled',
  tenantId: 'ten_a',
  integrationId: 'int_a',
  correlationId: 'corr-7',
  idempotencyKey: 'k',
  payload: { runId: 'run_1', trigger: 'manual', mode: 'full', resourceTypes: ['items'], dryRun: false },
};

let f: FakeSync;
beforeEach(() => {
  f = createFakeSync();
});

const delivery = (body: unknown, deliveryCount = 1) => ({
  queue: 'sync-inbound-scheduled',
  body,
  messageId: 'm1',
  deliveryCount,
  maxDeliveryCount: 3,
});

describe('queue message handling (the error model)', () => {
  it('hands a valid envelope to the use case and completes', async () => {
    const outcome = await processQueueMessage(f.deps, delivery(envelope), 'sync.inbound.scheduled', (e) =>
      Promise.resolve(e.payload.runId),
    );
    expect(outcome).toEqual({ kind: 'done', value: 'run_1' });
    expect(f.deadLetters.entries).toHaveLength(0);
  });

  it('records a message that is not an envelope in dead_letters with the reason, and completes it', async () => {
    const outcome = await processQueueMessage(f.deps, delivery({ hello: 1 }), 'sync.inbound.scheduled', () =>
      Promise.resolve('never'),
    );
    expect(outcome.kind).toBe('dead-lettered');
    expect(f.deadLetters.entries).toEqual([
      expect.objectContaining({
        queue: 'sync-inbound-scheduled',
        messageId: 'm1',
        code: 'InvalidPayload',
        message: { hello: 1 },
      }),
    ]);
  });

  it('rethrows a retryable failure so the broker redelivers, and records nothing', async () => {
    await expect(
      processQueueMessage(f.deps, delivery(envelope), 'sync.inbound.scheduled', () =>
        Promise.reject(new ProviderUnavailableError('503')),
      ),
    ).rejects.toThrow('503');
    expect(f.deadLetters.entries).toHaveLength(0);
  });

  it('on the last delivery a retryable failure is recorded instead of vanishing into the broker', async () => {
    let final: boolean | undefined;
    const outcome = await processQueueMessage(
      f.deps,
      delivery(envelope, 3),
      'sync.inbound.scheduled',
      (_e, ctx) => {
        final = ctx.finalAttempt;
        return Promise.reject(new ProviderUnavailableError('still down'));
      },
    );
    expect(final).toBe(true);
    expect(outcome).toMatchObject({ kind: 'dead-lettered', code: 'ProviderUnavailable' });
    expect(f.deadLetters.entries[0]).toMatchObject({
      tenantId: 'ten_a',
      integrationId: 'int_a',
      correlationId: 'corr-7',
    });
  });

  it('records a non-retryable failure at once, with a secret-free reason', async () => {
    const outcome = await processQueueMessage(f.deps, delivery(envelope), 'sync.inbound.scheduled', () =>
      Promise.reject(new InvalidPayloadError('webhook body not understood')),
    );
    expect(outcome).toMatchObject({ kind: 'dead-lettered', code: 'InvalidPayload' });
    expect(f.deadLetters.entries[0]?.reason).toContain('webhook body not understood');
  });

  it('refuses an envelope of another kind on this queue', async () => {
    const outcome = await processQueueMessage(f.deps, delivery(envelope), 'sync.inbound.webhook', () =>
      Promise.resolve('never'),
    );
    expect(outcome).toMatchObject({ kind: 'dead-lettered', code: 'InvalidPayload' });
  });
});
