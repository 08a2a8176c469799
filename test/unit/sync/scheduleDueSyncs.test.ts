import { QueueNames } from '../../../shared/config/queues';
import { InboundSyncEnvelopeSchema } from '../../../shared/messages/envelope';
import { nextOccurrence } from '../../../shared/sync/schedule';
import { scheduleDueSyncs } from '../../../shared/sync/scheduleDueSyncs';
import type { FakeSync } from '../../fakes/syncDeps';
import { createFakeSync, INTEGRATION, integrationDoc, TENANT } from '../../fakes/syncDeps';

let f: FakeSync;
beforeEach(() => {
  f = createFakeSync({ now: '2025-06-01T12:00:20.000Z' });
});

describe('scheduleDueSyncs', () => {
  it('enqueues one valid envelope per enabled resource type of a due integration and advances nextSyncAt', async () => {
    await f.integrations.createIntegration(
      integrationDoc({
        nextSyncAt: '2025-06-01T12:00:00.000Z',
        resourceTypes: [
          { name: 'items', enabled: true },
          { name: 'orders', enabled: true },
          { name: 'off', enabled: false },
        ],
      }),
    );
    const summary = await scheduleDueSyncs(f.deps);
    expect(summary).toEqual({ integrationsDue: 1, messagesEnqueued: 2, failed: 0 });
    const messages = f.jobs.messages(QueueNames.inboundScheduled);
    expect(messages).toHaveLength(2);
    const envelopes = messages.map((m) => InboundSyncEnvelopeSchema.parse(m.body));
    expect(envelopes.map((e) => e.payload.resourceTypes[0])).toEqual(['items', 'orders']);
    expect(envelopes[0]?.payload).toMatchObject({
      trigger: 'schedule',
      mode: 'incremental',
      slot: '2025-06-01T12:00:00.000Z',
    });
    expect((await f.integrations.getIntegration(TENANT, INTEGRATION))?.value.nextSyncAt).toBe(
      '2025-06-01T13:00:00.000Z',
    );
  });

  it('a double-fired timer leaves one message per resource type and slot', async () => {
    await f.integrations.createIntegration(integrationDoc({ nextSyncAt: '2025-06-01T12:00:00.000Z' }));
    // Two instances read the due integration before either advanced it.
    const [a, b] = await Promise.all([scheduleDueSyncs(f.deps), scheduleDueSyncs(f.deps)]);
    expect(a.messagesEnqueued + b.messagesEnqueued).toBe(2);
    expect(f.jobs.sends).toBe(2);
    expect(f.jobs.messages(QueueNames.inboundScheduled)).toHaveLength(1);
    await scheduleDueSyncs(f.deps);
    expect(f.jobs.messages(QueueNames.inboundScheduled)).toHaveLength(1);
  });

  it('skips paused, outbound-only and not-yet-due integrations', async () => {
    await f.integrations.createIntegration(
      integrationDoc({ id: 'int_p', status: 'PAUSED', nextSyncAt: '2025-06-01T11:00:00.000Z' }),
    );
    await f.integrations.createIntegration(
      integrationDoc({ id: 'int_o', direction: 'outbound', nextSyncAt: '2025-06-01T11:00:00.000Z' }),
    );
    await f.integrations.createIntegration(
      integrationDoc({ id: 'int_f', nextSyncAt: '2025-06-01T12:30:00.000Z' }),
    );
    const summary = await scheduleDueSyncs(f.deps);
    expect(summary.messagesEnqueued).toBe(0);
    expect(f.jobs.messages(QueueNames.inboundScheduled)).toHaveLength(0);
  });
});

describe('nextOccurrence', () => {
  it('reads an NCRONTAB in the integration time zone, across a DST change', () => {
    const schedule = { cron: '0 0 9 * * *', timeZone: 'Europe/Berlin' };
    // 09:00 Berlin is 07:00 UTC in summer and 08:00 UTC in winter.
    expect(nextOccurrence(schedule, new Date('2025-06-01T12:00:00Z'))?.toISOString()).toBe(
      '2025-06-02T07:00:00.000Z',
    );
    expect(nextOccurrence(schedule, new Date('2025-10-26T00:00:00Z'))?.toISOString()).toBe(
      '2025-10-26T08:00:00.000Z',
    );
  });

  it('maps frequencies and leaves MANUAL unscheduled', () => {
    expect(
      nextOccurrence(
        { frequency: 'EVERY_15MIN', timeZone: 'UTC' },
        new Date('2025-06-01T12:07:00Z'),
      )?.toISOString(),
    ).toBe('2025-06-01T12:15:00.000Z');
    expect(nextOccurrence({ frequency: 'MANUAL', timeZone: 'UTC' }, new Date())).toBeUndefined();
  });

  it('needs both day fields when both are restricted (NCRONTAB, not Vixie cron)', () => {
    const friday13 = nextOccurrence(
      { cron: '0 0 0 13 * 5', timeZone: 'UTC' },
      new Date('2025-01-01T00:00:00Z'),
    );
    expect(friday13?.toISOString()).toBe('2025-06-13T00:00:00.000Z');
  });
});
