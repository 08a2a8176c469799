import type { Pagination } from '../../../../adapters/base/descriptor';
import { PaginationSchema } from '../../../../adapters/base/descriptor';
import type { FetchPage, Page, PageRequest } from '../../../../adapters/base/pagination';
import { getByPath, paginate, parseLinkHeader } from '../../../../adapters/base/pagination';
import { CancelledError } from '../../../../shared/reliability';

const ITEMS = Array.from({ length: 23 }, (_, i) => i + 1);

async function collect<R>(it: AsyncIterable<Page<R>>): Promise<Page<R>[]> {
  const pages: Page<R>[] = [];
  for await (const p of it) pages.push(p);
  return pages;
}

const style = (p: unknown): Pagination => PaginationSchema.parse(p);

/** A provider simulator per style over ITEMS, recording the requests it got. */
function provider(kind: 'page' | 'page-total' | 'offset' | 'cursor' | 'link') {
  const requests: PageRequest[] = [];
  const fetchPage: FetchPage<number> = (req) => {
    requests.push(req);
    const q = req.query;
    if (kind === 'page' || kind === 'page-total') {
      const per = Number(q['per_page']);
      const page = Number(q['page']);
      const records = ITEMS.slice((page - 1) * per, page * per);
      const headers =
        kind === 'page-total' ? { 'X-WP-TotalPages': String(Math.ceil(ITEMS.length / per)) } : {};
      return Promise.resolve({ records, headers });
    }
    if (kind === 'offset') {
      const offset = Number(q['offset']);
      return Promise.resolve({ records: ITEMS.slice(offset, offset + Number(q['limit'])), headers: {} });
    }
    if (kind === 'cursor') {
      const start = q['cursor'] !== undefined ? Number(Buffer.from(q['cursor'], 'base64').toString()) : 0;
      const records = ITEMS.slice(start, start + Number(q['limit']));
      const end = start + records.length;
      const next = end < ITEMS.length ? Buffer.from(String(end)).toString('base64') : null;
      return Promise.resolve({ records, headers: {}, body: { data: records, meta: { next_cursor: next } } });
    }
    const url = new URL(req.url ?? `https://api.example.com/items?per_page=${q['per_page'] ?? ''}`);
    const per = Number(url.searchParams.get('per_page'));
    const page = Number(url.searchParams.get('page') ?? '1');
    const records = ITEMS.slice((page - 1) * per, page * per);
    const last = Math.ceil(ITEMS.length / per);
    const links = [`</items?per_page=${per}&page=${last}>; rel="last"`];
    if (page < last) links.unshift(`</items?per_page=${per}&page=${page + 1}>; rel="next"`);
    return Promise.resolve({ records, headers: new Headers({ link: links.join(', ') }), url: url.href });
  };
  return { fetchPage, requests };
}

const CASES: [string, 'page' | 'page-total' | 'offset' | 'cursor' | 'link', Pagination][] = [
  ['page number (short last page)', 'page', style({ style: 'page' })],
  [
    'page number with X-WP-TotalPages',
    'page-total',
    style({ style: 'page', totalPagesHeader: 'x-wp-totalpages' }),
  ],
  ['offset/limit', 'offset', style({ style: 'offset' })],
  ['cursor in body', 'cursor', style({ style: 'cursor', nextCursorPath: 'meta.next_cursor' })],
  ['Link header rel=next', 'link', style({ style: 'link-header' })],
];

describe.each(CASES)('%s', (_name, kind, pagination) => {
  it('yields every record once, in order, and stops at the last page', async () => {
    const { fetchPage } = provider(kind);
    const pages = await collect(paginate(pagination, fetchPage, { pageSize: 5 }));
    expect(pages.flatMap((p) => p.records)).toEqual(ITEMS);
    expect(pages).toHaveLength(5);
    expect(pages.slice(0, -1).every((p) => p.hasMore && p.cursor !== undefined)).toBe(true);
    expect(pages.at(-1)).toMatchObject({ hasMore: false, cursor: undefined });
  });

  it('resumes from the cursor of page k with no gap and no duplicate', async () => {
    const first = provider(kind);
    const before: number[] = [];
    let checkpoint: string | undefined;
    let n = 0;
    for await (const page of paginate(pagination, first.fetchPage, { pageSize: 5 })) {
      before.push(...page.records);
      checkpoint = page.cursor;
      if (++n === 2) break; // the process dies after storing page 2
    }
    const second = provider(kind);
    const after = (
      await collect(paginate(pagination, second.fetchPage, { pageSize: 5, cursor: checkpoint }))
    ).flatMap((p) => p.records);
    expect([...before, ...after]).toEqual(ITEMS);
  });

  it('stops when aborted', async () => {
    const { fetchPage } = provider(kind);
    const ac = new AbortController();
    const pages: number[][] = [];
    await expect(async () => {
      for await (const p of paginate(pagination, fetchPage, { pageSize: 5, abortSignal: ac.signal })) {
        pages.push([...p.records]);
        ac.abort();
      }
    }).rejects.toBeInstanceOf(CancelledError);
    expect(pages).toHaveLength(1);
  });
});

describe('page-number details', () => {
  it('trusts the total-pages header over a full last page', async () => {
    const fetchPage: FetchPage<number> = (req) =>
      Promise.resolve({ records: [1, 2], headers: { 'x-wp-totalpages': '2' }, body: req.query });
    const pages = await collect(
      paginate(style({ style: 'page', totalPagesHeader: 'X-WP-TotalPages' }), fetchPage, { pageSize: 2 }),
    );
    expect(pages).toHaveLength(2);
  });

  it('sends the configured parameter names and first page', async () => {
    const { fetchPage, requests } = provider('page');
    await collect(paginate(style({ style: 'page' }), fetchPage, { pageSize: 10 }));
    expect(requests[0]?.query).toEqual({ page: '1', per_page: '10' });
    const zeroBased: PageRequest[] = [];
    await collect(
      paginate(
        style({ style: 'page', firstPage: 0, pageParam: 'p', pageSizeParam: 'size' }),
        (r) => {
          zeroBased.push(r);
          return Promise.resolve({ records: [], headers: {} });
        },
        { pageSize: 3 },
      ),
    );
    expect(zeroBased[0]?.query).toEqual({ p: '0', size: '3' });
  });

  it('refuses a non-numeric resume cursor', async () => {
    const { fetchPage } = provider('page');
    await expect(
      collect(paginate(style({ style: 'page' }), fetchPage, { pageSize: 5, cursor: 'abc' })),
    ).rejects.toMatchObject({
      code: 'InvalidPayload',
    });
  });
});

describe('cursor safety', () => {
  it('fails instead of looping when the provider repeats a cursor', async () => {
    const fetchPage: FetchPage<number> = () =>
      Promise.resolve({ records: [1], headers: {}, body: { next: 'same' } });
    await expect(
      collect(
        paginate(style({ style: 'cursor', nextCursorPath: 'next' }), fetchPage, {
          pageSize: 1,
          cursor: 'same',
        }),
      ),
    ).rejects.toMatchObject({ code: 'InvalidPayload', details: { reason: 'cursor-loop' } });
  });

  it('fails when has_more is true without a cursor, and honours has_more=false with one', async () => {
    const p = style({ style: 'cursor', nextCursorPath: 'next', hasMorePath: 'has_more' });
    await expect(
      collect(
        paginate(p, () => Promise.resolve({ records: [1], headers: {}, body: { has_more: true } }), {
          pageSize: 1,
        }),
      ),
    ).rejects.toMatchObject({ code: 'InvalidPayload' });
    const pages = await collect(
      paginate(
        p,
        () => Promise.resolve({ records: [1], headers: {}, body: { has_more: false, next: 'x' } }),
        { pageSize: 1 },
      ),
    );
    expect(pages).toEqual([{ records: [1], hasMore: false, cursor: undefined }]);
  });

  it('stops a provider that never ends at maxPages', async () => {
    let i = 0;
    const fetchPage: FetchPage<number> = () =>
      Promise.resolve({ records: [1], headers: {}, body: { next: String(++i) } });
    await expect(
      collect(
        paginate(style({ style: 'cursor', nextCursorPath: 'next' }), fetchPage, {
          pageSize: 1,
          maxPages: 10,
        }),
      ),
    ).rejects.toMatchObject({ details: { reason: 'max-pages' } });
    expect(i).toBe(10);
  });

  it('a single-page resource yields one page', async () => {
    const pages = await collect(
      paginate(style({ style: 'none' }), () => Promise.resolve({ records: [1, 2], headers: {} }), {
        pageSize: 1,
      }),
    );
    expect(pages).toEqual([{ records: [1, 2], hasMore: false, cursor: undefined }]);
  });
});

describe('helpers', () => {
  it('parses Link headers with several links and rel lists, resolving relative URLs', () => {
    const links = parseLinkHeader(
      '<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last", </x?page=1>; rel="first prev"',
      'https://api.github.com/x?page=1',
    );
    expect(Object.fromEntries(links)).toEqual({
      next: 'https://api.github.com/x?page=2',
      last: 'https://api.github.com/x?page=5',
      first: 'https://api.github.com/x?page=1',
      prev: 'https://api.github.com/x?page=1',
    });
    expect(parseLinkHeader(undefined).size).toBe(0);
    expect(parseLinkHeader('<https://a/x>; rel=next').get('next')).toBe('https://a/x');
  });

  it('reads dotted paths', () => {
    expect(getByPath({ a: { b: [1] } }, 'a.b')).toEqual([1]);
    expect(getByPath({ a: 1 }, '')).toEqual({ a: 1 });
    expect(getByPath({ a: null }, 'a.b')).toBeUndefined();
  });
});
