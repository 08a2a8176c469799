import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { HttpClient } from '../../../../adapters/base/httpClient';
import {
  createWordPressAdapter,
  WORDPRESS_DEFAULT_MAPPINGS,
  wordpressDefaultMapping,
  wordpressRestBase,
} from '../../../../adapters/wordpress';
import { compileMapping, validateMapping } from '../../../../shared/mapping';
import { isSyncError } from '../../../../shared/reliability/errors';
import { FixtureSchema } from '../../../simulators/fixtures';

const context = (settings: Record<string, unknown>) => ({
  tenantId: 't',
  integrationId: 'i',
  connectionId: 'c',
  http: new HttpClient(),
  credentials: { type: 'BASIC' as const, username: 'admin', password: 'secret app password' },
  settings,
});

describe('WordPress adapter settings', () => {
  it('accepts the site URL or its REST base', () => {
    expect(wordpressRestBase('https://example.com/')).toBe('https://example.com/wp-json/wp/v2');
    expect(wordpressRestBase('https://example.com/blog/wp-json/wp/v2')).toBe(
      'https://example.com/blog/wp-json/wp/v2',
    );
  });

  it('offers posts, pages and the configured custom post types, by their rest_base', () => {
    const a = createWordPressAdapter(
      context({
        baseUrl: 'https://example.com',
        postTypes: [{ name: 'properties', restBase: 'property-listings' }],
      }),
    );
    expect(a.descriptor.resourceTypes.map((r) => [r.name, r.path])).toEqual([
      ['posts', '/posts'],
      ['pages', '/pages'],
      ['properties', '/property-listings'],
    ]);
    expect(a.descriptor.id).toBe('wordpress');
  });

  it('rejects bad settings with ConfigInvalid naming the field, never the credentials', () => {
    let error: unknown;
    try {
      createWordPressAdapter(context({ baseUrl: 'ftp://example.com', pageSize: 500 }));
    } catch (e) {
      error = e;
    }
    expect(isSyncError(error) && error.code).toBe('ConfigInvalid');
    expect((error as Error).message).toContain('baseUrl');
    expect((error as Error).message).toContain('pageSize');
    expect(JSON.stringify(error)).not.toContain('secret app password');
  });
});

describe('WordPress default mappings', () => {
  it.each(Object.keys(WORDPRESS_DEFAULT_MAPPINGS))('%s is a valid inbound mapping', (type) => {
    expect(validateMapping(WORDPRESS_DEFAULT_MAPPINGS[type], { direction: 'inbound' })).toMatchObject({
      ok: true,
    });
  });

  it('maps a contact recorded from a real WordPress to canonical fields', () => {
    const fixture = FixtureSchema.parse(
      JSON.parse(
        readFileSync(join(__dirname, '../../../fixtures/wordpress/wordpress-contacts.json'), 'utf8'),
      ),
    );
    const list = fixture.interactions[0]?.response.body as Record<string, unknown>[];
    const first = list[0];
    const mapped = compileMapping(wordpressDefaultMapping('contacts')).toInternalSync(first);
    expect(mapped).toMatchObject({
      name: 'Contact 1',
      email: 'c1@example.test',
      externalRef: 'ext-1',
      status: 'publish',
    });
  });

  it('maps post title, content, UTC publication time and ACF groups; custom types default to the post shape', () => {
    const post = {
      id: 5,
      title: { raw: 'Flat 4', rendered: 'Flat 4' },
      content: { raw: 'Two rooms', rendered: '<p>Two rooms</p>' },
      excerpt: { raw: '', rendered: '' },
      slug: 'flat-4',
      status: 'publish',
      date_gmt: '2024-05-01T10:00:00',
      meta: { external_id: 'p-4' },
      acf: { address: { city: 'York' }, price: 120 },
    };
    expect(compileMapping(wordpressDefaultMapping('properties')).toInternalSync(post)).toMatchObject({
      title: 'Flat 4',
      content: 'Two rooms',
      slug: 'flat-4',
      publishedAt: '2024-05-01T10:00:00.000Z',
      meta: { external_id: 'p-4' },
      fields: { address: { city: 'York' }, price: 120 },
    });
  });
});
