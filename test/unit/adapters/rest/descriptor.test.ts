import type { RestApiDescriptorInput } from '../../../../adapters/rest';
import {
  parseRestDescriptor,
  RestApiDescriptorSchema,
  toProviderDescriptor,
} from '../../../../adapters/rest';
import { isSyncError } from '../../../../shared/reliability/errors';

const valid: RestApiDescriptorInput = {
  baseUrl: 'https://api.example.com/v1',
  auth: { type: 'api-key', in: 'header', name: 'X-Api-Key' },
  pagination: {
    style: 'cursor',
    cursorParam: 'after',
    pageSizeParam: 'limit',
    nextCursorPath: 'paging.next.after',
  },
  pageSize: 50,
  resources: {
    contacts: {
      listPath: '/contacts',
      recordsPath: 'results',
      updatedAt: { field: 'properties.updated', format: 'epoch-ms' },
      incremental: { param: 'updated_since', format: { format: 'epoch-ms' }, lookbackSeconds: 2 },
      deleted: { field: 'archived', value: true },
      create: { method: 'POST', path: '/contacts', bodyPath: 'properties' },
      update: { method: 'PATCH', path: '/contacts/{id}' },
      delete: { method: 'DELETE', path: '/contacts/{id}' },
    },
  },
};

function problems(input: unknown): string[] {
  const r = RestApiDescriptorSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('REST API descriptor', () => {
  it('accepts a full description and fills defaults', () => {
    const d = parseRestDescriptor(valid);
    expect(d.resources['contacts']?.idField).toBe('id');
    expect(d.resources['contacts']?.incremental?.keyset).toBe(false);
    expect(d.version).toBe(1);
  });

  it.each([
    [
      'keyset with cursor pagination',
      { incremental: { param: 'since', keyset: true, lookbackSeconds: 1 } },
      'keyset paging needs page or offset',
    ],
    ['incremental without updatedAt', { updatedAt: undefined }, 'incremental sync needs updatedAt'],
    [
      'an update path without {id}',
      { update: { method: 'PUT', path: '/contacts' } },
      'needs an {id} placeholder',
    ],
    ['a list path with a query string', { listPath: '/contacts?limit=5' }, 'query strings go in `query`'],
    [
      'a custom timestamp without a pattern',
      { updatedAt: { field: 'u', format: 'custom' } },
      'needs a pattern',
    ],
    [
      'an unknown zone',
      { updatedAt: { field: 'u', format: 'iso', zone: 'Mars/Olympus' } },
      'unknown time zone',
    ],
    [
      'second-precision keyset without look-back',
      { pagination: { style: 'page' }, incremental: { param: 's', keyset: true } },
      'lookbackSeconds',
    ],
  ])('rejects %s', (_label, change, message) => {
    const input = { ...valid, resources: { contacts: { ...valid.resources['contacts'], ...change } } };
    expect(problems(input).join('\n')).toContain(message);
  });

  it('refuses credentials in static headers: they belong to the connection', () => {
    expect(problems({ ...valid, headers: { Authorization: 'Bearer x' } }).join()).toContain(
      'credentials belong in the connection',
    );
  });

  it('reports every problem in one ConfigInvalid error', () => {
    let error: unknown;
    try {
      parseRestDescriptor({
        resources: { contacts: { listPath: 'contacts', update: { method: 'PUT', path: '/c' } } },
      });
    } catch (e) {
      error = e;
    }
    expect(isSyncError(error) && error.code).toBe('ConfigInvalid');
    expect((error as Error).message).toMatch(/listPath.*update\.path|update\.path.*listPath/s);
  });

  it('derives the catalogue view the admin API shows', () => {
    const p = toProviderDescriptor(parseRestDescriptor(valid));
    expect(p.authTypes).toEqual(['API_KEY']);
    expect(p.incrementalParam).toBe('updated_since');
    expect(p.incrementalFormat).toBe('unix-ms');
    expect(p.resourceTypes[0]).toMatchObject({ name: 'contacts', recordsPath: 'results' });
    expect([...p.capabilities].sort()).toEqual([
      'create',
      'delete',
      'incremental',
      'read',
      'soft-delete',
      'update',
    ]);
  });
});
