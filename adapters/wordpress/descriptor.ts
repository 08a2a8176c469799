import type { RestApiDescriptorInput, RestResourceInput } from '../rest/descriptor';
import type { PostType, WordPressSettings } from './settings';

export const BUILTIN_POST_TYPES: readonly PostType[] = [
  { name: 'posts', restBase: 'posts' },
  { name: 'pages', restBase: 'pages' },
];

/**
 * WordPress as generic-REST data. What this says, measured on WordPress 6.1 (test/peers):
 * - pages by `page`/`per_page` ≤ 100 with X-WP-TotalPages (a page past the end is a 400, handled
 *   by the adapter);
 * - `modified_after` is strictly greater-than at second precision and a value without a zone is
 *   site time, so the cursor is `modified_gmt` (UTC) sent with an explicit `Z`, one second back;
 * - `orderby=modified&order=asc`, so the time bound can move forward page by page (keyset); ties
 *   in `modified` are NOT stable across pages (page 2 repeated a record of page 1 and skipped
 *   another when 5 posts shared one second), so a full page of one second is listed by id alone;
 * - trash is hidden unless listed in `status` (`any` excludes it), and a trashed post is a deletion;
 * - `context=edit` gives `title.raw`/`content.raw`, the values a write-back needs.
 */
export function wordpressApi(settings: WordPressSettings): RestApiDescriptorInput {
  const resources: Record<string, RestResourceInput> = {};
  const fields =
    settings.fields !== undefined
      ? [...new Set(['id', 'modified_gmt', 'status', ...settings.fields])].join(',')
      : undefined;
  for (const t of [...BUILTIN_POST_TYPES, ...settings.postTypes]) {
    const item = `/${t.restBase}/{id}`;
    resources[t.name] = {
      listPath: `/${t.restBase}`,
      query: {
        status: settings.statuses.join(','),
        orderby: 'modified',
        order: 'asc',
        context: 'edit',
        ...(fields !== undefined ? { _fields: fields } : {}),
      },
      recordsPath: '',
      idField: 'id',
      updatedAt: { field: 'modified_gmt', format: 'iso', zone: 'UTC' },
      pagination: {
        style: 'page',
        pageParam: 'page',
        pageSizeParam: 'per_page',
        firstPage: 1,
        totalPagesHeader: 'X-WP-TotalPages',
      },
      pageSize: settings.pageSize,
      incremental: {
        param: 'modified_after',
        format: { format: 'iso' },
        lookbackSeconds: settings.lookbackSeconds,
        // Ties on `modified` come back in arbitrary order; `id` makes a one-second group stable.
        keyset: { beforeParam: 'modified_before', tieQuery: { orderby: 'id' } },
      },
      deleted: { field: 'status', value: 'trash' },
      get: { path: item, query: { context: 'edit' } },
      create: { method: 'POST', path: `/${t.restBase}`, query: { context: 'edit' } },
      // WordPress documents POST for updates (PUT/PATCH are aliases some hosts' firewalls block).
      update: { method: 'POST', path: item, query: { context: 'edit' } },
      delete: { method: 'DELETE', path: item },
    };
  }
  return {
    baseUrl: settings.baseUrl,
    pagination: { style: 'page', totalPagesHeader: 'X-WP-TotalPages' },
    pageSize: settings.pageSize,
    // Needs authentication, so a wrong application password shows up here as a 401.
    testConnection: { path: '/users/me', query: { context: 'edit' }, expectStatus: [200] },
    resources,
  };
}
