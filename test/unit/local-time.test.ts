import { localDate, localDayStart, localMonthStart, localShortTime, localWeekStart } from '../../src/util/local-time';

describe('local time', () => {
  it('finds the start of the day, the week (Monday) and the month on the zone’s wall clock', () => {
    // Wednesday 25 November 2026, 01:30 in Shanghai (Tuesday 17:30 UTC).
    const at = new Date('2026-11-24T17:30:00Z');
    expect(localDayStart(at, 'Asia/Shanghai')).toEqual(new Date('2026-11-24T16:00:00Z'));
    expect(localWeekStart(at, 'Asia/Shanghai')).toEqual(new Date('2026-11-22T16:00:00Z'));
    expect(localMonthStart(at, 'Asia/Shanghai')).toEqual(new Date('2026-10-31T16:00:00Z'));
    expect(localDate(at, 'Asia/Shanghai')).toBe('2026-11-25');
    expect(localShortTime(at, 'Asia/Shanghai')).toBe('11-25 01:30');
    // A Monday's week starts that day; across a month boundary too.
    expect(localWeekStart(new Date('2026-11-30T10:00:00Z'), 'Asia/Shanghai')).toEqual(new Date('2026-11-29T16:00:00Z'));
    expect(localWeekStart(new Date('2026-12-02T10:00:00Z'), 'Asia/Shanghai')).toEqual(new Date('2026-11-29T16:00:00Z'));
  });

  it('takes the offset of the day itself across a daylight-saving change', () => {
    // New York left daylight saving on Sunday 1 November 2026: Monday 2 November began at 05:00 UTC, the week too.
    expect(localDayStart(new Date('2026-11-02T15:00:00Z'), 'America/New_York')).toEqual(
      new Date('2026-11-02T05:00:00Z'),
    );
    // Wednesday 4 November: its week began on Monday the 2nd (EST), its month on the 1st (still EDT, 04:00 UTC).
    expect(localWeekStart(new Date('2026-11-04T15:00:00Z'), 'America/New_York')).toEqual(
      new Date('2026-11-02T05:00:00Z'),
    );
    expect(localMonthStart(new Date('2026-11-04T15:00:00Z'), 'America/New_York')).toEqual(
      new Date('2026-11-01T04:00:00Z'),
    );
  });
});
