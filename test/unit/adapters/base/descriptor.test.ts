import { normaliseTimestamp, toExternalRecord } from '../../../../adapters/base/adapter';
import type { ProviderDescriptorInput } from '../../../../adapters/base/descriptor';
import { defineProvider, ProviderDescriptorSchema } from '../../../../adapters/base/descriptor';

const wordpress: ProviderDescriptorInput = {
  id: 'wordpress',
  displayName: 'WordPress',
  category: 'cms',
  authTypes: ['BASIC'],
  baseUrl: 'https://{site}/wp-json/wp/v2',
  pagination: { style: 'page', totalPagesHeader: 'X-WP-TotalPages' },
  idField: 'id',
  updatedAtField: 'modified_gmt',
  incrementalParam: 'modified_after',
  webhook: { scheme: 'hmac', config: { header: 'X-WP-Signature' } },
  resourceTypes: [
    { name: 'posts', path: '/posts' },
    { name: 'pages', path: '/pages' },
  ],
  capabilities: ['read', 'create', 'update', 'delete', 'incremental', 'webhooks'],
};

describe('ProviderDescriptorSchema', () => {
  it('applies defaults and freezes the result for a registry to share', () => {
    const d = defineProvider(wordpress);
    expect(d.defaultPageSize).toBe(100);
    expect(d.pagination).toEqual({
      style: 'page',
      pageParam: 'page',
      pageSizeParam: 'per_page',
      firstPage: 1,
      totalPagesHeader: 'X-WP-TotalPages',
    });
    expect(d.retryHeaders.retryAfter).toEqual(['retry-after']);
    expect(d.resourceTypes[0]?.recordsPath).toBe('');
    expect(Object.isFrozen(d) && Object.isFrozen(d.resourceTypes[0])).toBe(true);
  });

  it.each<[string, Partial<ProviderDescriptorInput>, string]>([
    ['uppercase id', { id: 'WordPress' }, 'id'],
    ['non-http base URL', { baseUrl: 'ftp://x' }, 'baseUrl'],
    ['unknown webhook scheme', { webhook: { scheme: 'md5' as never } }, 'webhook'],
    ['webhooks capability without a scheme', { webhook: undefined }, 'webhook'],
    ['incremental without a parameter', { incrementalParam: undefined }, 'incrementalParam'],
    [
      'duplicate resource types',
      {
        resourceTypes: [
          { name: 'posts', path: '/a' },
          { name: 'posts', path: '/b' },
        ],
      },
      'resourceTypes',
    ],
    ['no auth types', { authTypes: [] }, 'authTypes'],
    ['cursor pagination without a path', { pagination: { style: 'cursor' } as never }, 'pagination'],
  ])('rejects %s', (_name, patch, path) => {
    const result = ProviderDescriptorSchema.safeParse({ ...wordpress, ...patch });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues.map((i) => String(i.path[0]))).toContain(path);
  });
});

describe('toExternalRecord', () => {
  it('reads id and updated-at by (dotted) field and stringifies ids', () => {
    expect(
      toExternalRecord(
        { id: 42, modified_gmt: '2024-05-01T10:00:00' },
        { idField: 'id', updatedAtField: 'modified_gmt' },
      ),
    ).toEqual({
      id: '42',
      updatedAt: '2024-05-01T10:00:00.000Z',
      data: { id: 42, modified_gmt: '2024-05-01T10:00:00' },
    });
    expect(toExternalRecord({ sys: { id: 'a' } }, { idField: 'sys.id' })?.id).toBe('a');
  });

  it('returns undefined for records without a usable id', () => {
    expect(toExternalRecord({ name: 'x' }, { idField: 'id' })).toBeUndefined();
    expect(toExternalRecord({ id: '' }, { idField: 'id' })).toBeUndefined();
    expect(toExternalRecord([1], { idField: '0' })).toBeUndefined();
    expect(toExternalRecord(null, { idField: 'id' })).toBeUndefined();
  });

  it.each([
    ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T12:00:00+02:00', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01 10:00:00', '2024-05-01T10:00:00.000Z'],
    [1714557600, '2024-05-01T10:00:00.000Z'],
    [1714557600000, '2024-05-01T10:00:00.000Z'],
    ['1714557600', '2024-05-01T10:00:00.000Z'],
    ['not a date', undefined],
    [null, undefined],
  ])('normalises %p', (input, expected) => {
    expect(normaliseTimestamp(input)).toBe(expected);
  });
});
