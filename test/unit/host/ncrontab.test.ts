import { parseSchedule } from '../../../infra/local/host/ncrontab';

const at = (iso: string): Date => new Date(iso);

describe('NCRONTAB schedules', () => {
  it('reads six fields with seconds first', () => {
    const everyFiveSeconds = parseSchedule('*/5 * * * * *');
    expect(everyFiveSeconds.next(at('2024-03-01T10:00:01Z')).toISOString()).toBe('2024-03-01T10:00:05.000Z');
    // An occurrence exactly at `after` is not "next".
    expect(everyFiveSeconds.next(at('2024-03-01T10:00:05Z')).toISOString()).toBe('2024-03-01T10:00:10.000Z');
    expect(everyFiveSeconds.previous(at('2024-03-01T10:00:05Z')).toISOString()).toBe(
      '2024-03-01T10:00:05.000Z',
    );

    const nineThirtyWeekdays = parseSchedule('0 30 9 * * 1-5');
    // 2024-03-01 is a Friday: the next run is Monday.
    expect(nineThirtyWeekdays.next(at('2024-03-01T10:00:00Z')).toISOString()).toBe(
      '2024-03-04T09:30:00.000Z',
    );
    expect(parseSchedule('0 */5 * * * *').next(at('2024-03-01T10:02:00Z')).toISOString()).toBe(
      '2024-03-01T10:05:00.000Z',
    );
  });

  it('accepts month and weekday names', () => {
    expect(parseSchedule('0 0 12 * JAN MON').next(at('2024-01-01T13:00:00Z')).toISOString()).toBe(
      '2024-01-08T12:00:00.000Z',
    );
  });

  it('requires both day-of-month and day-of-week when both are restricted, as NCRONTAB does', () => {
    // Friday the 13th: 2024-09-13 is the first after 2024-01-01 (cron OR-semantics would say Jan 5).
    expect(parseSchedule('0 0 0 13 * 5').next(at('2024-01-01T00:00:00Z')).toISOString()).toBe(
      '2024-09-13T00:00:00.000Z',
    );
    expect(parseSchedule('0 0 0 13 * FRI').previous(at('2024-12-31T00:00:00Z')).toISOString()).toBe(
      '2024-12-13T00:00:00.000Z',
    );
  });

  it('reads the expression in the configured time zone', () => {
    const nineAmInBerlin = parseSchedule('0 0 9 * * *', { timeZone: 'Europe/Berlin' });
    expect(nineAmInBerlin.next(at('2024-07-01T00:00:00Z')).toISOString()).toBe('2024-07-01T07:00:00.000Z');
    expect(nineAmInBerlin.next(at('2024-01-01T00:00:00Z')).toISOString()).toBe('2024-01-01T08:00:00.000Z');
  });

  it('accepts a TimeSpan as a constant interval', () => {
    const every90s = parseSchedule('00:01:30');
    expect(every90s.next(at('2024-03-01T10:00:00Z')).toISOString()).toBe('2024-03-01T10:01:30.000Z');
    expect(parseSchedule('1.00:00:00').next(at('2024-03-01T10:00:00Z')).toISOString()).toBe(
      '2024-03-02T10:00:00.000Z',
    );
  });

  it('rejects what the Functions host rejects, with its message', () => {
    expect(() => parseSchedule('0 * * * *')).toThrow(/not recognized as a valid cron expression.*6 fields/);
    expect(() => parseSchedule('0 0 25 * * *')).toThrow(/not recognized/);
    expect(() => parseSchedule('00:00:00')).toThrow(/positive/);
  });
});
