import { formatQueryTime, parseTimestamp } from '../../../../adapters/rest/time';

const AT = Date.parse('2024-05-01T10:00:07.250Z');

describe('provider timestamps', () => {
  it.each([
    ['ISO with Z', '2024-05-01T10:00:07.250Z', { format: 'iso' as const }],
    ['ISO with an offset', '2024-05-01T15:30:07.250+05:30', { format: 'iso' as const }],
    [
      'ISO without a zone, read in the site zone',
      '2024-05-01T12:00:07.250',
      { format: 'iso' as const, zone: 'Europe/Berlin' },
    ],
    ['epoch ms', AT, { format: 'epoch-ms' as const }],
    ['epoch ms as text', String(AT), { format: 'epoch-ms' as const }],
    [
      'site-local pattern with a fixed offset',
      '01/05/2024 05:00:07.250',
      { format: 'custom' as const, pattern: 'DD/MM/YYYY HH:mm:ss.SSS', zone: '-05:00' },
    ],
  ])('reads %s as the same instant', (_label, value, spec) => {
    expect(parseTimestamp(value, spec)).toBe(AT);
  });

  it('reads epoch seconds, and WordPress modified_gmt without a suffix as UTC', () => {
    expect(parseTimestamp(1714557607, { format: 'epoch-s' })).toBe(Date.parse('2024-05-01T10:00:07Z'));
    expect(parseTimestamp('2024-05-01T10:00:07', { format: 'iso', zone: 'UTC' })).toBe(
      Date.parse('2024-05-01T10:00:07Z'),
    );
  });

  it('follows daylight saving time for zone-less values in an IANA zone', () => {
    expect(parseTimestamp('2024-01-15T12:00:00', { format: 'iso', zone: 'Europe/Berlin' })).toBe(
      Date.parse('2024-01-15T11:00:00Z'),
    );
    expect(parseTimestamp('2024-07-15T12:00:00', { format: 'iso', zone: 'Europe/Berlin' })).toBe(
      Date.parse('2024-07-15T10:00:00Z'),
    );
  });

  it('returns undefined for missing or unreadable values instead of guessing', () => {
    for (const v of [undefined, null, '', 'yesterday', '2024-02-30T00:00:00Z', {}]) {
      expect(parseTimestamp(v, { format: 'iso' })).toBeUndefined();
    }
    expect(parseTimestamp('abc', { format: 'epoch-s' })).toBeUndefined();
    expect(parseTimestamp('2024-05-01', { format: 'custom', pattern: 'DD/MM/YYYY' })).toBeUndefined();
  });
});

describe('incremental query values', () => {
  it.each([
    ['iso', {}, '2024-05-01T10:00:07Z'],
    ['iso-ms', {}, '2024-05-01T10:00:07.250Z'],
    ['iso-offset', { zone: 'Asia/Kolkata' }, '2024-05-01T15:30:07+05:30'],
    ['iso-offset', { zone: '-03:00' }, '2024-05-01T07:00:07-03:00'],
    ['epoch-s', {}, '1714557607'],
    ['epoch-ms', {}, String(AT)],
    ['custom', { pattern: 'YYYY-MM-DD HH:mm:ss', zone: 'America/New_York' }, '2024-05-01 06:00:07'],
  ] as const)('writes %s %j as %s', (format, extra, expected) => {
    expect(formatQueryTime(AT, { format, ...extra })).toBe(expected);
  });
});
