import { startFakeHubspot } from '../support/fake-hubspot';
import { countRows, everyWayIn, inboundSenders, problemsOf } from '../support/inbound-senders';
import { startTestApp, type TestApp } from '../support/test-app';
import { textMessage } from '../support/wechat-client';

/** `{"a": {"a": … 1 …}}`, `levels` objects deep, as JSON text (JSON.stringify itself would overflow on the deep ones). */
function nested(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

/** Input shapes that used to cost a 500, or were dropped or accepted without a word: now a 400 that names them. */
describe('inbound shapes', () => {
  let app: TestApp;
  let hubspot: Awaited<ReturnType<typeof startFakeHubspot>>;
  let send: ReturnType<typeof inboundSenders>;

  beforeAll(async () => {
    hubspot = await startFakeHubspot();
    app = await startTestApp(everyWayIn(hubspot.url));
    send = inboundSenders(app);
  });

  afterAll(async () => {
    await app.stop();
    await hubspot.close();
  });

  /** POSTs JSON text as it is (keys such as `__proto__` survive only in text). */
  const postRaw = (path: string, text: string) =>
    app.request(path, { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
  const apiEvent = (id: string, properties: string) =>
    `{"id": "${id}", "type": "page_view", "identities": {"anonymousId": "v-${id}"}, "properties": ${properties}}`;

  it('answers properties nested 5,000 deep with a 400 naming the path, on the API and the website beacon', async () => {
    const response = await postRaw('/api/events', apiEvent('deep', nested(5000)));
    expect(response.status).toBe(400);
    const [problem] = await problemsOf(response);
    expect(problem).toBe(`0 properties${'.a'.repeat(32)}: nests objects or arrays more than 32 levels deep`);

    const beacon = await send.beacon(
      JSON.parse(
        `{"id": "deep", "type": "page_view", "anonymousId": "v-deep", "properties": ${nested(100)}}`,
      ) as unknown,
    );
    expect(beacon.status).toBe(400);
    expect((await problemsOf(beacon))[0]).toMatch(
      /^0 properties(\.a)+: nests objects or arrays more than 32 levels deep$/,
    );
    expect(await countRows(app, 'inbox')).toBe(0);
  });

  it('takes properties 32 levels deep, counting properties itself, and not 33', async () => {
    const response = await postRaw(
      '/api/events',
      `{"events": [${apiEvent('d32', nested(32))}, ${apiEvent('d33', nested(33))}]}`,
    );
    expect(response.status).toBe(202);
    expect((await problemsOf(response)).map((problem) => problem.split(':')[0])).toEqual([
      `1 properties${'.a'.repeat(32)}`,
    ]);
  });

  it('refuses a __proto__ key in properties or attributes with a 400 naming it', async () => {
    const before = await countRows(app, 'inbox');
    const inProperties = await postRaw(
      '/api/events',
      apiEvent('proto-p', '{"__proto__": {"admin": true}, "topic": "x"}'),
    );
    expect(inProperties.status).toBe(400);
    expect(await problemsOf(inProperties)).toEqual(['0 properties.__proto__: is not an allowed name']);
    const inAttributes = await postRaw(
      '/api/events',
      '{"type": "form_submit", "identities": {"email": "proto@example.com"}, "attributes": {"__proto__": "x"}}',
    );
    expect(inAttributes.status).toBe(400);
    expect(await problemsOf(inAttributes)).toEqual(['0 attributes.__proto__: is not an allowed name']);
    const nestedDeeper = await postRaw('/api/events', apiEvent('proto-n', '{"page": {"__proto__": 1}}'));
    expect(await problemsOf(nestedDeeper)).toEqual(['0 properties.page.__proto__: is not an allowed name']);
    const beacon = await send.beacon(
      JSON.parse(
        '{"id": "proto-b", "type": "page_view", "anonymousId": "v-proto", "properties": {"__proto__": 1}}',
      ) as unknown,
    );
    expect(beacon.status).toBe(400);
    expect(await problemsOf(beacon)).toEqual(['0 properties.__proto__: is not an allowed name']);
    expect(await countRows(app, 'inbox')).toBe(before);
  });

  it('answers WeChat XML nested past the parser limit, or with a <__proto__> element, with 400', async () => {
    const message = textMessage('oShape1', 'hi', '7001', Math.floor(Date.now() / 1000));
    const deep = await send.wechat(message.replace('</xml>', `${'<a>'.repeat(200)}x${'</a>'.repeat(200)}</xml>`));
    expect(deep.status).toBe(400);
    const proto = await send.wechat(message.replace('</xml>', '<__proto__><polluted>1</polluted></__proto__></xml>'));
    expect(proto.status).toBe(400);
    expect(await problemsOf(proto)).toEqual([expect.stringContaining('__proto__')]);
    const constructor = await send.wechat(message.replace('</xml>', '<constructor>1</constructor></xml>'));
    expect(constructor.status).toBe(400);
    expect(await countRows(app, 'inbox', "source <> 'api'")).toBe(0);
  });

  it('refuses NUL bytes in emails and identities, on the way in and in lookups', async () => {
    const response = await app.request('/api/events', {
      method: 'POST',
      json: {
        events: [
          { type: 'page_view', identities: { email: 'nul\u0000byte@example.com' } },
          { type: 'page_view', identities: { crmId: 'L-\u00001' } },
        ],
      },
    });
    expect(response.status).toBe(400);
    expect((await problemsOf(response)).map((problem) => problem.split(':')[0])).toEqual([
      '0 identities.email',
      '1 identities.crmId',
    ]);
    const lookup = await app.request(`/api/profiles?identity=email:${encodeURIComponent('nul\u0000byte@example.com')}`);
    expect(lookup.status).toBe(400);
  });

  it('refuses birthdays before 1900', async () => {
    const response = await app.request('/api/events', {
      method: 'POST',
      json: { type: 'form_submit', identities: { email: 'old@example.com' }, attributes: { birthday: '1899-12-31' } },
    });
    expect(response.status).toBe(400);
    expect(await problemsOf(response)).toEqual([
      '0 attributes.birthday: expected a date from 1900-01-01 to today as YYYY-MM-DD',
    ]);
    const accepted = await app.request('/api/events', {
      method: 'POST',
      json: { type: 'form_submit', identities: { email: 'old@example.com' }, attributes: { birthday: '1900-01-01' } },
    });
    expect(accepted.status).toBe(202);
  });
});
