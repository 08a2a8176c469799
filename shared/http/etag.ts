import type { HttpRequest } from '@azure/functions';

/** Cosmos ETags are already quoted (`"0000-…"`); clients may send them with or without quotes or W/. */
export function normalizeEtag(value: string): string {
  const trimmed = value.trim().replace(/^W\//, '');
  return trimmed === '*' ? '*' : `"${trimmed.replace(/^"|"$/g, '')}"`;
}

export function ifMatchOf(request: HttpRequest): string | undefined {
  const header = request.headers.get('if-match');
  return header === null || header.trim() === '' ? undefined : normalizeEtag(header);
}

export function etagHeader(etag: string): Record<string, string> {
  return { etag: normalizeEtag(etag) };
}
