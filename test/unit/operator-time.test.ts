import { formatOperatorTime, parseOperatorTime } from '../../src/bot/operator-time';

// Thursday 3 December 2026, 12:00 in Shanghai.
const now = new Date('2026-12-03T04:00:00Z');
const read = (text: string, timezone = 'Asia/Shanghai') => parseOperatorTime(text, { now, timezone });

describe('times as operators write them', () => {
  it.each([
    ['明天10点', '2026-12-04T02:00:00.000Z'],
    ['今晚8点', '2026-12-03T12:00:00.000Z'],
    ['周五 9:30', '2026-12-04T01:30:00.000Z'],
    ['12月4日 10:00', '2026-12-04T02:00:00.000Z'],
    ['2026-12-04 10:00', '2026-12-04T02:00:00.000Z'],
    ['2026-12-04T10:00+08:00', '2026-12-04T02:00:00.000Z'],
    ['2026-12-04T10:00:00Z', '2026-12-04T10:00:00.000Z'],
    ['+2h', '2026-12-03T06:00:00.000Z'],
    ['+30m', '2026-12-03T04:30:00.000Z'],
    ['tomorrow 10am', '2026-12-04T02:00:00.000Z'],
    ['next friday 9:30', '2026-12-11T01:30:00.000Z'],
  ])('reads %s in the account’s time zone', (text, at) => {
    expect(read(text)).toEqual({ at: new Date(at) });
  });

  it('reads the wall clock of another zone, and across a daylight-saving change', () => {
    // New York is on EST (UTC-5) in December.
    expect(read('2026-12-04 10:00', 'America/New_York')).toEqual({ at: new Date('2026-12-04T15:00:00.000Z') });
    // 3 December is EST; 1 July is EDT (UTC-4): the offset of the day named counts.
    expect(read('2027-07-01 10:00', 'America/New_York')).toEqual({ at: new Date('2027-07-01T14:00:00.000Z') });
  });

  it('refuses the past, a day without a time, and text that is more than a time', () => {
    expect(read('12月1日 10:00')).toEqual({ problem: 'past' });
    expect(read('10:00')).toEqual({ problem: 'past' });
    expect(read('+0h')).toEqual({ problem: 'past' });
    expect(read('周五')).toEqual({ problem: 'no-time-of-day' });
    expect(read('2026-12-04')).toEqual({ problem: 'no-time-of-day' });
    expect(read('2026-12-04 10:00 运动季新品上架')).toEqual({ problem: 'unreadable' });
    expect(read('soon')).toEqual({ problem: 'unreadable' });
  });

  it('shows a time back local, with the weekday', () => {
    const at = new Date('2026-12-04T02:00:00Z');
    expect(formatOperatorTime(at, 'Asia/Shanghai', 'zh-CN', now)).toBe('12月4日（周五）10:00');
    expect(formatOperatorTime(at, 'Asia/Shanghai', 'en', now)).toBe('Fri 4 Dec 10:00');
    expect(formatOperatorTime(new Date('2027-01-04T02:00:00Z'), 'Asia/Shanghai', 'zh-CN', now)).toBe(
      '2027年1月4日（周一）10:00',
    );
  });
});
