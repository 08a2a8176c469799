/**
 * ETags as clients see them: always quoted (RFC 9110). Cosmos returns them quoted, the local
 * emulator bare; comparisons ignore the difference and a `W/` prefix.
 */
export function quoteEtag(etag: string): string {
  const bare = etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return `"${bare}"`;
}

/** True when an If-Match value allows writing over `current` (`*` matches anything). */
export function etagMatches(ifMatch: string, current: string): boolean {
  return ifMatch.trim() === '*' || quoteEtag(ifMatch) === quoteEtag(current);
}
