import { profileOf, record } from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

interface TimelineBody {
  events: { id: number; type: string; source: string }[];
  nextCursor: string | null;
}

describe('the timeline keeps the types asked for', () => {
  let app: TestApp;
  let profileId: number;
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 10, minute));

  beforeAll(async () => {
    app = await startTestApp();
    // What the follower did, and what Persona recorded of its own doing (a tag added, an attribute changed).
    await record(app, 'oFilter', [
      { key: 'follow', type: 'subscribe', at: at(0), tags: { add: ['campaign/winter'] } },
      { key: 'view-1', type: 'article_view', at: at(1), properties: { articleId: 'a1' } },
      { key: 'click', type: 'menu_click', at: at(2), properties: { key: 'V1001' } },
      {
        key: 'view-2',
        type: 'article_view',
        at: at(3),
        properties: { articleId: 'a2' },
        attributes: { city: 'Shanghai' },
      },
      { key: 'scan', type: 'qr_scan', at: at(4), properties: { scene: 'store-1' } },
    ]);
    profileId = await profileOf(app, 'oFilter');
  });

  afterAll(async () => {
    await app.stop();
  });

  const timeline = async (query: string) => {
    const response = await app.request(`/api/profiles/${profileId}/timeline?${query}`);
    return { status: response.status, body: (await response.json()) as TimelineBody & { error?: { message: string } } };
  };

  /** Every page of a filtered timeline, two at a time. */
  async function allPages(query: string): Promise<TimelineBody['events']> {
    const events: TimelineBody['events'] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body: TimelineBody } = await timeline(
        `${query}&limit=2${cursor ? `&before=${cursor}` : ''}`,
      );
      expect(status).toBe(200);
      events.push(...body.events);
      cursor = body.nextCursor;
    } while (cursor !== null);
    return events;
  }

  it('holds the follower’s interactions and Persona’s own records', async () => {
    const { body } = await timeline('limit=50');
    expect(body.nextCursor).toBeNull();
    expect(body.events.map((event) => [event.type, event.source])).toEqual([
      ['qr_scan', 'test'],
      ['attribute_changed', 'persona'],
      ['article_view', 'test'],
      ['menu_click', 'test'],
      ['article_view', 'test'],
      ['tag_added', 'persona'],
      ['subscribe', 'test'],
    ]);
  });

  it('keeps one type, several (repeated or comma-separated), and pages through what it keeps', async () => {
    expect((await allPages('type=article_view')).map((event) => event.type)).toEqual(['article_view', 'article_view']);
    const repeated = await allPages('type=article_view&type=qr_scan');
    expect(repeated.map((event) => event.type)).toEqual(['qr_scan', 'article_view', 'article_view']);
    expect(await allPages('type=article_view,qr_scan')).toEqual(repeated);
    expect(await allPages('type=qr_scan,%20article_view&type=article_view')).toEqual(repeated);
    expect(await allPages('type=purchase')).toEqual([]);
  });

  it('keeps what the person did with interactions, alone or beside Persona’s own types', async () => {
    expect((await allPages('type=interactions')).map((event) => event.type)).toEqual([
      'qr_scan',
      'article_view',
      'menu_click',
      'article_view',
      'subscribe',
    ]);
    expect((await allPages('type=interactions,tag_added')).map((event) => event.type)).toEqual([
      'qr_scan',
      'article_view',
      'menu_click',
      'article_view',
      'tag_added',
      'subscribe',
    ]);
    expect((await allPages('type=tag_added&type=attribute_changed')).map((event) => event.type)).toEqual([
      'attribute_changed',
      'tag_added',
    ]);
  });

  it('answers 400 to a malformed type, an empty one, and too many', async () => {
    const message =
      'type: expected event types such as page_view (type=a&type=b or type=a,b; at most 50), or interactions';
    for (const query of [
      'type=',
      'type=Page_View',
      'type=page_view,',
      'type=a%20b',
      `type=${'x'.repeat(65)}`,
      `type=${Array.from({ length: 51 }, (_, n) => `t${n}`).join(',')}`,
    ]) {
      const { status, body } = await timeline(query);
      expect({ query, status, message: body.error?.message }).toEqual({ query, status: 400, message });
    }
    // A cursor from another list is not a timeline's.
    const pushes = Buffer.from('["pushes",5]').toString('base64url');
    expect((await timeline(`type=interactions&before=${pushes}`)).status).toBe(400);
  });
});
