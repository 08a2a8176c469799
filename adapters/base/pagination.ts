import type { HeaderReader } from '../../shared/reliability/classifyError';
import { readHeaders } from '../../shared/reliability/classifyError';
import { CancelledError, InvalidPayloadError } from '../../shared/reliability/errors';
import type { Pagination } from './descriptor';

/**
 * Pagination as async iterables of pages, each carrying the cursor that resumes *after* it: a
 * sync that checkpoints that cursor once a page is stored and crashes later starts again at the
 * next page, not at the beginning and not past unsaved records.
 */

export interface PageRequest {
  /** Query parameters this page needs (page number, offset, cursor, page size). */
  readonly query: Readonly<Record<string, string>>;
  /** Absolute URL to fetch instead of the resource URL (Link-header pagination). */
  readonly url?: string;
  readonly abortSignal?: AbortSignal;
}

export interface PageResponse<R> {
  readonly records: readonly R[];
  /** fetch Headers or a plain record. */
  readonly headers: unknown;
  /** The parsed body, for cursors that live in it. */
  readonly body?: unknown;
  /** The URL that answered, to resolve relative Link headers. */
  readonly url?: string;
}

export interface Page<R> {
  readonly records: readonly R[];
  /** Pass as `cursor` to resume after this page; undefined once the last page is reached. */
  readonly cursor: string | undefined;
  readonly hasMore: boolean;
}

export interface PaginateOptions {
  readonly cursor?: string | undefined;
  readonly pageSize: number;
  readonly abortSignal?: AbortSignal | undefined;
  /** A runaway guard: a provider that never says "last page" stops here with an error. */
  readonly maxPages?: number;
}

export type FetchPage<R> = (request: PageRequest) => Promise<PageResponse<R>>;

/** Reads `a.b.c` from parsed JSON; an empty path is the value itself. */
export function getByPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** RFC 8288 Link header → rel → URL (first wins). Handles several links and `rel="next last"`. */
export function parseLinkHeader(value: string | undefined, base?: string): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined) return out;
  const re = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g;
  for (const m of value.matchAll(re)) {
    const target = m[1] ?? '';
    const params = m[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    let resolved: string;
    try {
      resolved = new URL(target, base).href;
    } catch {
      continue;
    }
    for (const r of rels) if (!out.has(r)) out.set(r, resolved);
  }
  return out;
}

function parseIntCursor(cursor: string | undefined, fallback: number, what: string): number {
  if (cursor === undefined || cursor === '') return fallback;
  if (!/^\d+$/.test(cursor))
    throw new InvalidPayloadError(`invalid ${what} cursor`, { details: { reason: 'cursor' } });
  return Number(cursor);
}

function headerNumber(headers: HeaderReader | undefined, name: string): number | undefined {
  const v = headers?.(name);
  return v !== undefined && /^\s*\d+\s*$/.test(v) ? Number(v) : undefined;
}

/**
 * Yields pages for any descriptor pagination style. `fetchPage` does the HTTP (through the shared
 * client) and the record extraction; this owns the loop, the cursors and the stop conditions.
 */
export async function* paginate<R>(
  pagination: Pagination,
  fetchPage: FetchPage<R>,
  options: PaginateOptions,
): AsyncGenerator<Page<R>, void, undefined> {
  const maxPages = options.maxPages ?? 100_000;
  const size = String(options.pageSize);
  const signal = options.abortSignal;
  const request = (query: Record<string, string>, url?: string): PageRequest => ({
    query,
    ...(url !== undefined ? { url } : {}),
    ...(signal !== undefined ? { abortSignal: signal } : {}),
  });

  let cursor = options.cursor;
  for (let n = 0; ; n++) {
    if (signal?.aborted === true) throw new CancelledError('pagination aborted', { cause: signal.reason });
    if (n >= maxPages) {
      throw new InvalidPayloadError(`more than ${maxPages} pages; the provider never reported the last one`, {
        details: { reason: 'max-pages' },
      });
    }
    const page = await nextPage(cursor);
    yield page;
    if (!page.hasMore) return;
    cursor = page.cursor;
  }

  async function nextPage(cursor: string | undefined): Promise<Page<R>> {
    switch (pagination.style) {
      case 'page': {
        const pageNo = parseIntCursor(cursor, pagination.firstPage, 'page');
        const res = await fetchPage(
          request({ [pagination.pageParam]: String(pageNo), [pagination.pageSizeParam]: size }),
        );
        const total =
          pagination.totalPagesHeader !== undefined
            ? headerNumber(readHeaders(res.headers), pagination.totalPagesHeader)
            : undefined;
        const hasMore =
          total !== undefined
            ? pageNo - pagination.firstPage + 1 < total
            : res.records.length >= options.pageSize;
        return { records: res.records, hasMore, cursor: hasMore ? String(pageNo + 1) : undefined };
      }
      case 'offset': {
        const offset = parseIntCursor(cursor, 0, 'offset');
        const res = await fetchPage(
          request({ [pagination.offsetParam]: String(offset), [pagination.limitParam]: size }),
        );
        const hasMore = res.records.length >= options.pageSize && res.records.length > 0;
        return {
          records: res.records,
          hasMore,
          cursor: hasMore ? String(offset + res.records.length) : undefined,
        };
      }
      case 'cursor': {
        const query: Record<string, string> = { [pagination.pageSizeParam]: size };
        if (cursor !== undefined && cursor !== '') query[pagination.cursorParam] = cursor;
        const res = await fetchPage(request(query));
        const rawNext = getByPath(res.body, pagination.nextCursorPath);
        const next =
          typeof rawNext === 'string' && rawNext !== ''
            ? rawNext
            : typeof rawNext === 'number'
              ? String(rawNext)
              : undefined;
        const flag =
          pagination.hasMorePath !== undefined ? getByPath(res.body, pagination.hasMorePath) : undefined;
        const hasMore = typeof flag === 'boolean' ? flag : next !== undefined;
        if (hasMore && next === undefined) {
          throw new InvalidPayloadError('provider reported more pages but no next cursor', {
            details: { reason: 'cursor' },
          });
        }
        if (hasMore && next === cursor) {
          throw new InvalidPayloadError('provider returned the same cursor again', {
            details: { reason: 'cursor-loop' },
          });
        }
        return { records: res.records, hasMore, cursor: hasMore ? next : undefined };
      }
      case 'link-header': {
        const res = await fetchPage(
          cursor !== undefined && cursor !== ''
            ? request({}, cursor)
            : request({ [pagination.pageSizeParam]: size }),
        );
        const next = parseLinkHeader(readHeaders(res.headers)?.('link'), res.url ?? cursor).get('next');
        if (next !== undefined && next === cursor) {
          throw new InvalidPayloadError('Link rel=next points at the current page', {
            details: { reason: 'cursor-loop' },
          });
        }
        return { records: res.records, hasMore: next !== undefined, cursor: next };
      }
      case 'none': {
        const res = await fetchPage(request({}));
        return { records: res.records, hasMore: false, cursor: undefined };
      }
    }
  }
}
