import type { HttpRequest } from '@azure/functions';

import { quoteEtag } from '../domain/etag';

/** Clients may send an ETag with or without quotes or W/; `*` stays as it is. */
export function normalizeEtag(value: string): string {
  return value.trim() === '*' ? '*' : quoteEtag(value);
}

export function ifMatchOf(request: HttpRequest): string | undefined {
  const header = request.headers.get('if-match');
  return header === null || header.trim() === '' ? undefined : normalizeEtag(header);
}

export function etagHeader(etag: string): Record<string, string> {
  return { etag: normalizeEtag(etag) };
}
