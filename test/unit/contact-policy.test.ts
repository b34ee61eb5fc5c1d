import { type ContactPolicy, type ContactState, decideContact } from '../../src/pushes/contact-policy';
import { localMonthStart } from '../../src/util/local-time';
import { fillPlaceholders, placeholderNames, type PushContent } from '../../src/pushes/push-content';
import { quietUntil } from '../../src/pushes/quiet-hours';

const policy: ContactPolicy = {
  perDay: 1,
  perWeek: 3,
  quietHours: { start: '22:00', end: '08:00' },
  massPerMonth: 4,
  customerService: { messageWindowMs: 48 * 3_600_000, messageQuota: 5, actionWindowMs: 60_000, actionQuota: 3 },
};
const text: PushContent = { message: { type: 'text', text: 'hi' }, trackLinks: false };
const noon = new Date('2026-11-25T04:00:00Z'); // 12:00 in Shanghai
const follower = (overrides: Partial<ContactState> = {}): ContactState => ({
  following: true,
  optedOut: false,
  openidFailing: false,
  alreadyReceived: false,
  sentLastDay: 0,
  sentLastWeek: 0,
  massThisMonth: 0,
  windows: [],
  ...overrides,
});
const decide = (state: ContactState, content = text, now = noon) =>
  decideContact(state, content, policy, now, 'Asia/Shanghai');

describe('the contact-pressure policy', () => {
  it('names the first reason not to contact someone, in a fixed order', () => {
    expect(decide(follower({ following: false, optedOut: true }))).toEqual({
      outcome: 'skip',
      reason: 'not_following',
    });
    expect(decide(follower({ optedOut: true, sentLastDay: 5 }))).toEqual({ outcome: 'skip', reason: 'opted_out' });
    expect(decide(follower({ openidFailing: true }))).toEqual({ outcome: 'skip', reason: 'openid_failing' });
    expect(decide(follower({ alreadyReceived: true }))).toEqual({ outcome: 'skip', reason: 'already_received' });
    expect(decide(follower({ sentLastDay: 1 }))).toEqual({ outcome: 'skip', reason: 'frequency_cap' });
    expect(decide(follower({ sentLastWeek: 3 }))).toEqual({ outcome: 'skip', reason: 'frequency_cap' });
  });

  it('picks customer service inside an open window with quota, else mass within the month, else the template', () => {
    const message = { kind: 'message' as const, openedAt: new Date(noon.getTime() - 47 * 3_600_000), sentSince: 4 };
    expect(decide(follower({ windows: [message] }))).toEqual({ outcome: 'send', channel: 'customer_service' });
    expect(decide(follower({ windows: [{ ...message, sentSince: 5 }] }))).toEqual({ outcome: 'send', channel: 'mass' });
    expect(
      decide(follower({ windows: [{ ...message, openedAt: new Date(noon.getTime() - 48 * 3_600_000) }] })),
    ).toEqual({ outcome: 'send', channel: 'mass' });
    const click = { kind: 'action' as const, openedAt: new Date(noon.getTime() - 59_000), sentSince: 2 };
    expect(decide(follower({ windows: [click] }))).toEqual({ outcome: 'send', channel: 'customer_service' });
    expect(decide(follower({ windows: [{ ...click, openedAt: new Date(noon.getTime() - 60_000) }] }))).toEqual({
      outcome: 'send',
      channel: 'mass',
    });
    expect(decide(follower({ massThisMonth: 4 }))).toEqual({ outcome: 'skip', reason: 'channel_quota' });
    const withTemplate: PushContent = { ...text, template: { templateId: 't1', data: {} } };
    expect(decide(follower({ massThisMonth: 4 }), withTemplate)).toEqual({ outcome: 'send', channel: 'template' });
    // A mini-program card can't be mass-sent.
    const card: PushContent = {
      message: { type: 'miniprogram', appId: 'wx1', pagePath: 'p', title: 't', thumbMediaId: 'm' },
      trackLinks: false,
    };
    expect(decide(follower(), card)).toEqual({ outcome: 'skip', reason: 'channel_quota' });
  });

  it('defers to the end of quiet hours in the follower’s own time zone, else the account’s', () => {
    const night = new Date('2026-11-25T15:30:00Z'); // 23:30 in Shanghai
    expect(decide(follower(), text, night)).toEqual({
      outcome: 'defer',
      reason: 'quiet_hours',
      until: new Date('2026-11-26T00:00:00Z'),
    });
    // 23:00 in New York at Shanghai's noon: until 08:00 there.
    expect(decide(follower({ timezone: 'America/New_York' }))).toEqual({
      outcome: 'defer',
      reason: 'quiet_hours',
      until: new Date('2026-11-25T13:00:00Z'),
    });
    expect(quietUntil({ start: '09:00', end: '17:00' }, noon, 'Asia/Shanghai')).toEqual(
      new Date('2026-11-25T09:00:00Z'),
    );
    expect(quietUntil({ start: '09:00', end: '17:00' }, night, 'Asia/Shanghai')).toBeNull();
  });

  it('counts the mass quota by the account’s calendar month', () => {
    expect(localMonthStart(new Date('2026-11-30T17:00:00Z'), 'Asia/Shanghai')).toEqual(
      new Date('2026-11-30T16:00:00Z'),
    );
    expect(localMonthStart(new Date('2026-11-30T15:59:00Z'), 'Asia/Shanghai')).toEqual(
      new Date('2026-10-31T16:00:00Z'),
    );
    expect(localMonthStart(new Date('2026-03-15T12:00:00Z'), 'America/New_York')).toEqual(
      new Date('2026-03-01T05:00:00Z'),
    );
  });
});

describe('push content placeholders', () => {
  it('fills attributes, falls back, and leaves nothing of an unknown one', () => {
    expect(fillPlaceholders('{{name|朋友}}，{{ city }}见！{{missing}}', { name: '韩梅梅', city: '上海' })).toBe(
      '韩梅梅，上海见！',
    );
    expect(fillPlaceholders('{{name|朋友}}，{{city|你所在的城市}}见')).toBe('朋友，你所在的城市见');
    expect(
      placeholderNames({
        message: { type: 'text', text: '{{name}} {{city|x}}' },
        trackLinks: false,
        template: { templateId: 't', data: { a: { value: '{{tier}}' } } },
      }),
    ).toEqual(['name', 'city', 'tier']);
  });
});
