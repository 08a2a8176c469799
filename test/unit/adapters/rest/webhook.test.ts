import type { WebhookEvent } from '../../../../adapters/base/adapter';
import { HttpClient } from '../../../../adapters/base/httpClient';
import type { RestApiDescriptorInput } from '../../../../adapters/rest';
import { createRestAdapter } from '../../../../adapters/rest';

function handling(webhook: NonNullable<RestApiDescriptorInput['webhook']>) {
  const adapter = createRestAdapter({
    tenantId: 't',
    integrationId: 'i',
    connectionId: 'c',
    http: new HttpClient(),
    credentials: { type: 'BEARER', token: 't' },
    settings: {
      baseUrl: 'https://api.example.com',
      descriptor: {
        resources: {
          tasks: { listPath: '/tasks', idField: 'gid', updatedAt: { field: 'modified_at' } },
          projects: { listPath: '/projects', idField: 'gid' },
        },
        webhook,
      },
    },
  });
  const w = adapter.webhooks;
  if (w === undefined) throw new Error('no webhook handling');
  return (body: unknown) =>
    w.parse({ rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), headers: {} });
}

describe('webhooks described as data', () => {
  it('turns id-only events into upserts and deletes by resource type (Asana-like)', () => {
    const parse = handling({
      scheme: 'asana',
      eventsPath: 'events',
      resourceTypeField: 'resource.resource_type',
      idField: 'resource.gid',
      actionField: 'action',
      deleteActions: ['deleted', 'removed'],
      occurredAtField: 'created_at',
    });
    const r = parse({
      events: [
        {
          action: 'changed',
          resource: { gid: '11', resource_type: 'tasks' },
          created_at: '2024-05-01T10:00:00Z',
        },
        { action: 'deleted', resource: { gid: '12', resource_type: 'projects' } },
      ],
    });
    const expected: WebhookEvent[] = [
      {
        kind: 'upsert',
        resourceType: 'tasks',
        externalId: '11',
        eventType: 'changed',
        occurredAt: '2024-05-01T10:00:00Z',
      },
      { kind: 'delete', resourceType: 'projects', externalId: '12', eventType: 'deleted' },
    ];
    expect(r).toEqual({ ok: true, value: expected });
  });

  it('carries the full record when the delivery has one, a single event or an empty list', () => {
    const parse = handling({ scheme: 'hmac', resourceType: 'tasks', recordPath: '' });
    const one = parse({ gid: 7, modified_at: '2024-05-01T10:00:00+02:00' });
    expect(one.ok && one.value[0]).toMatchObject({
      kind: 'upsert',
      externalId: '7',
      record: { id: '7', updatedAt: '2024-05-01T08:00:00.000Z' },
    });
    expect(parse([])).toEqual({ ok: true, value: [] });
  });

  it('refuses bodies it cannot read, saying which event is wrong', () => {
    const parse = handling({ scheme: 'hmac', resourceType: 'tasks', recordPath: 'data' });
    expect(parse('{not json')).toEqual({
      ok: false,
      error: { reason: 'malformed', detail: 'body is not JSON' },
    });
    expect(parse([{ data: { gid: 1 } }, { data: { name: 'no id' } }])).toEqual({
      ok: false,
      error: { reason: 'malformed', detail: 'event 1 has no usable record' },
    });
  });
});
