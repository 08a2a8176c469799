import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Validation of what EventGridPublisherClient sends, with the reasons Event Grid gives back on a
 * 400, and checking of its two credentials (`aeg-sas-key`, `aeg-sas-token`).
 */

export type InputSchema = 'EventGridSchema' | 'CloudEventSchemaV1_0';

export interface AcceptedEvent {
  readonly schema: InputSchema;
  readonly id: string;
  readonly eventType: string;
  /** EventGrid schema: dataVersion; CloudEvents: absent. */
  readonly dataVersion?: string;
  /** The event as it is delivered (EventGrid schema gains topic and metadataVersion). */
  readonly delivered: Readonly<Record<string, unknown>>;
}

export type ParseResult =
  { readonly ok: true; readonly events: AcceptedEvent[] } | { readonly ok: false; readonly reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

export function parseEvents(contentType: string, body: unknown, topic: string): ParseResult {
  const cloud = contentType.toLowerCase().includes('cloudevents');
  const single = cloud && !contentType.toLowerCase().includes('batch');
  const items = single ? [body] : body;
  if (!Array.isArray(items)) return { ok: false, reason: 'The request body must be a JSON array of events.' };
  if (items.length === 0) return { ok: false, reason: 'The request body contains no events.' };
  const events: AcceptedEvent[] = [];
  for (const [index, item] of items.entries()) {
    const parsed = cloud ? parseCloudEvent(item) : parseEventGridEvent(item, topic);
    if (typeof parsed === 'string') return { ok: false, reason: `Event at index ${index}: ${parsed}` };
    events.push(parsed);
  }
  return { ok: true, events };
}

function parseEventGridEvent(item: unknown, topic: string): AcceptedEvent | string {
  if (!isRecord(item)) return 'each event must be a JSON object.';
  for (const field of ['id', 'eventType', 'subject'] as const) {
    if (!nonEmpty(item[field])) return `required property '${field}' is missing or empty.`;
  }
  if (typeof item['eventTime'] !== 'string' || Number.isNaN(Date.parse(item['eventTime']))) {
    return `required property 'eventTime' is missing or is not an ISO 8601 date-time.`;
  }
  if (item['dataVersion'] !== undefined && typeof item['dataVersion'] !== 'string')
    return `'dataVersion' must be a string.`;
  const dataVersion = typeof item['dataVersion'] === 'string' ? item['dataVersion'] : '';
  return {
    schema: 'EventGridSchema',
    id: item['id'] as string,
    eventType: item['eventType'] as string,
    dataVersion,
    delivered: { ...item, dataVersion, metadataVersion: '1', topic },
  };
}

function parseCloudEvent(item: unknown): AcceptedEvent | string {
  if (!isRecord(item)) return 'each event must be a JSON object.';
  if (item['specversion'] !== '1.0') return `'specversion' must be "1.0".`;
  for (const field of ['id', 'source', 'type'] as const) {
    if (!nonEmpty(item[field])) return `required attribute '${field}' is missing or empty.`;
  }
  if (
    item['time'] !== undefined &&
    (typeof item['time'] !== 'string' || Number.isNaN(Date.parse(item['time'])))
  ) {
    return `'time' must be an RFC 3339 timestamp.`;
  }
  if (item['data'] !== undefined && item['data_base64'] !== undefined)
    return `'data' and 'data_base64' are exclusive.`;
  return {
    schema: 'CloudEventSchemaV1_0',
    id: item['id'] as string,
    eventType: item['type'] as string,
    delivered: item,
  };
}

export function keyMatches(given: string, key: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a token made by generateSharedAccessSignature(): `r=<resource>&e=<expiry>&s=<signature>`,
 * where s = base64(HMAC-SHA256(base64-decoded key, "r=…&e=…")) and e is "M/D/YYYY h:mm:ss AM" UTC.
 */
export function sasTokenValid(token: string, key: string, now = Date.now()): boolean {
  const match = /^r=([^&]+)&e=([^&]+)&s=([^&]+)$/.exec(token.trim());
  if (match === null) return false;
  const [, r, e, s] = match as unknown as [string, string, string, string];
  const expected = createHmac('sha256', Buffer.from(key, 'base64')).update(`r=${r}&e=${e}`).digest('base64');
  if (!keyMatches(decodeURIComponent(s), expected)) return false;
  const expiry = parseServiceTime(decodeURIComponent(e));
  return expiry !== undefined && expiry > now;
}

function parseServiceTime(value: string): number | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/.exec(value);
  if (m === null) return undefined;
  const [, month, day, year, hour, minute, second, half] = m.map((x) => x) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const h = (Number(hour) % 12) + (half === 'PM' ? 12 : 0);
  return Date.UTC(Number(year), Number(month) - 1, Number(day), h, Number(minute), Number(second));
}
