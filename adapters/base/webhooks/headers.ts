/** Anything that carries request headers: fetch/Functions `Headers`, Node's IncomingHttpHeaders, a plain record. */
export type HeadersInput =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Case-insensitive, read-only view; repeated headers are joined with ", " as fetch does. */
export interface HeaderBag {
  get(name: string): string | undefined;
}

export function toHeaderBag(input: HeadersInput): HeaderBag {
  const getter = (input as { get?: unknown }).get;
  if (typeof getter === 'function') {
    return {
      get: (name) => {
        const v: unknown = (getter as (n: string) => unknown).call(input, name);
        return typeof v === 'string' ? v : undefined;
      },
    };
  }
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(
    input as Readonly<Record<string, string | readonly string[] | undefined>>,
  )) {
    if (v === undefined) continue;
    const key = k.toLowerCase();
    const value = typeof v === 'string' ? v : v.join(', ');
    const prior = map.get(key);
    map.set(key, prior === undefined ? value : `${prior}, ${value}`);
  }
  return { get: (name) => map.get(name.toLowerCase()) };
}
