import { botOperators, command } from '../support/bot-fixtures';
import { FakeOpenAi } from '../support/fake-openai';
import { record } from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

const day = 24 * 3_600_000;

describe('the bot’s AI: ask and draft through an OpenAI-compatible model', () => {
  let fake: FakeOpenAi;
  let app: TestApp;
  const now = new Date('2026-11-25T04:00:00Z');

  const seed = async () => {
    for (const [openid, name, city, tags] of [
      ['oMatch', '张伟', 'Shanghai', ['lifecycle/dormant', 'interest/sports']],
      ['oNoSports', '王芳', 'Shanghai', ['lifecycle/dormant']],
      ['oActive', '李娜', 'Shanghai', ['lifecycle/active', 'interest/sports']],
      ['oBeijing', '刘洋', 'Beijing', ['lifecycle/dormant', 'interest/sports']],
    ] as const) {
      await record(app, openid, [
        {
          key: 'follow',
          type: 'subscribe',
          at: new Date(now.getTime() - 60 * day),
          attributes: { city, name },
          tags: { add: [...tags] },
        },
      ]);
    }
  };

  describe('with a key', () => {
    beforeEach(async () => {
      fake = await FakeOpenAi.start();
      app = await startTestApp(
        {
          bot: { operators: botOperators },
          ai: { apiKey: 'env:TEST_OPENAI_API_KEY', baseUrl: fake.baseUrl, maxRetries: 0, model: 'gpt-test' },
        },
        undefined,
        { clock: () => now },
      );
      await seed();
    });

    afterEach(async () => {
      await app.stop();
      await fake.close();
    });

    it('turns a question into an expression from the real vocabulary, shows it back and counts it', async () => {
      fake.nextJson({
        condition: {
          kind: 'and',
          items: [
            { kind: 'lifecycle', stage: 'dormant' },
            { kind: 'attribute', name: 'city', op: '=', value: 'Shanghai' },
            { kind: 'tag', tag: 'interest/sports' },
          ],
        },
      });
      const answer = await command(app, 'wxid_viewer', '/ask how many dormant followers in Shanghai like sports');
      expect(answer.replies).toEqual([
        'I read that as:\nlifecycle:dormant AND city:Shanghai AND tag:interest/sports\n→ 1 person\nReuse it: /segment save <name> lifecycle:dormant AND city:Shanghai AND tag:interest/sports, or /push "lifecycle:dormant AND city:Shanghai AND tag:interest/sports" <content>',
      ]);

      const [request] = fake.requests;
      expect(request.model).toBe('gpt-test');
      expect(request.response_format).toMatchObject({
        type: 'json_schema',
        json_schema: { name: 'segment_condition', strict: true },
      });
      const prompt = request.messages.map((message) => message.content).join('\n');
      expect(request.messages.at(-1)).toEqual({
        role: 'user',
        content: 'how many dormant followers in Shanghai like sports',
      });
      // The vocabulary is the data's own (and the rules'); nothing about any follower.
      expect(prompt).toContain('interest/sports');
      expect(JSON.stringify(request.response_format)).toContain('"interest/sports"');
      for (const personal of ['oMatch', '张伟', '王芳', 'oBeijing']) expect(prompt).not.toContain(personal);
    });

    it('reports an answer that fails validation and uses none of it; plain words go to the model too', async () => {
      fake.nextJson({
        condition: {
          kind: 'and',
          items: [
            { kind: 'tag', tag: 'interest/golf' },
            { kind: 'lifecycle', stage: 'dormant' },
          ],
        },
      });
      expect((await command(app, 'wxid_viewer', '上海喜欢高尔夫的沉睡粉丝有多少')).replies).toEqual([
        'The model’s answer was not usable, so nothing was done with it: the condition is not valid at condition.items.0.tag: interest/golf is not a known tag. Try rephrasing the question.',
      ]);
      fake.next({ content: 'tag:loyal' });
      expect((await command(app, 'wxid_admin', '/问 忠实用户有多少')).replies[0]).toBe(
        '模型的回答无法使用，因此没有执行：回答不是 JSON。请换个说法再问。',
      );
      fake.next({ refusal: 'I can’t help with that.' });
      expect((await command(app, 'wxid_viewer', '/ask who is rich')).replies[0]).toMatch(
        /the model declined: I can’t help with that\./,
      );
      fake.next({ status: 503, message: 'The engine is currently overloaded.' });
      expect((await command(app, 'wxid_viewer', '/ask who is new')).replies).toEqual([
        'The model could not be reached (the model service answered 503). Please try again later.',
      ]);
      // Audited as failed, with why.
      const audit = (await (await app.request('/api/bot/audit')).json()) as {
        entries: { command: string; outcome: string; detail: string }[];
      };
      expect(audit.entries.slice(0, 4).map((entry) => [entry.command, entry.outcome, entry.detail])).toEqual([
        ['ask', 'failed', 'AI unavailable: the model service answered 503'],
        ['ask', 'failed', 'AI invalid answer: the model declined: I can’t help with that.'],
        ['ask', 'failed', 'AI invalid answer: the answer was not JSON'],
        [
          'ask',
          'failed',
          expect.stringMatching(/^AI invalid answer: the condition is not valid at condition\.items\.0\.tag/),
        ],
      ]);
    });

    it('drafts three variants from the audience’s traits alone', async () => {
      fake.nextJson({
        variants: [
          { headline: '好久不见', text: '{{name|亲}}，好久不见！送你一张八折券。' },
          { headline: '运动季回归', text: '新款运动装备上市，八折券等你来用。' },
          { headline: '想你了', text: '{{name|亲}}，这张八折券只为老朋友准备。' },
        ],
      });
      const answer = await command(app, 'wxid_admin', '/文案 "lifecycle:dormant AND tag:interest/sports" 送八折券召回');
      expect(answer.replies[0]).toContain('为 lifecycle:dormant AND tag:interest/sports 写了三版文案：');
      expect(answer.replies[0]).toContain('1. 好久不见\n{{name|亲}}，好久不见！送你一张八折券。');
      expect(answer.replies[0]).toContain('3. 想你了');
      const prompt = fake.requests[0].messages.map((message) => message.content).join('\n');
      expect(prompt).toContain('Audience: lifecycle:dormant AND tag:interest/sports (2 followers).');
      expect(prompt).toContain('Brief: 送八折券召回');
      for (const personal of ['oMatch', '张伟', '刘洋', 'Shanghai', 'Beijing']) expect(prompt).not.toContain(personal);
      expect((await command(app, 'wxid_viewer', '/draft "lifecycle:dormant" x')).outcome).toBe('refused');
    });
  });

  describe('without a key', () => {
    beforeEach(async () => {
      app = await startTestApp({ bot: { operators: botOperators } });
      await seed();
    });

    afterEach(async () => {
      await app.stop();
    });

    it('says AI is off, and everything else works', async () => {
      expect(
        (await command(app, 'wxid_viewer', '/ask how many dormant followers in Shanghai like sports')).replies[0],
      ).toMatch(/^AI is off here/);
      expect((await command(app, 'wxid_admin', '/文案 "lifecycle:dormant" 召回')).replies[0]).toMatch(
        /^这里没有开启 AI/,
      );
      // Plain words are not a command then.
      expect((await command(app, 'wxid_viewer', 'how many dormant followers')).outcome).toBe('unknown_command');
      expect(
        (
          await command(
            app,
            'wxid_viewer',
            '/segment count lifecycle:dormant AND city:Shanghai AND tag:interest/sports',
          )
        ).replies,
      ).toEqual(['lifecycle:dormant AND city:Shanghai AND tag:interest/sports → 1 person']);
    });
  });

  describe('classifying follower messages into interests', () => {
    beforeEach(async () => {
      fake = await FakeOpenAi.start();
      app = await startTestApp(
        {
          ai: {
            apiKey: 'env:TEST_OPENAI_API_KEY',
            baseUrl: fake.baseUrl,
            maxRetries: 0,
            classification: { enabled: true, perDay: 3, batchSize: 2 },
          },
        },
        undefined,
        { clock: () => now },
      );
    });

    afterEach(async () => {
      await app.stop();
      await fake.close();
    });

    const message = (openid: string, key: string, content: string, hoursAgo: number, subtype = 'text') =>
      record(app, openid, [
        { key, type: 'message', at: new Date(now.getTime() - hoursAgo * 3_600_000), properties: { subtype, content } },
      ]);
    const tagsOf = async (openid: string) => {
      const response = await app.request(`/api/profiles?identity=openid:default:${openid}`);
      const [profile] = (
        (await response.json()) as {
          profiles: { tags: { name: string; source: string; expiresAt: string | null }[] }[];
        }
      ).profiles;
      return profile.tags.map((tag) => [tag.name, tag.source, tag.expiresAt]);
    };

    it('tags what followers write with the interests the model finds, in batches, once per message, up to the day’s cap', async () => {
      await message('oRunner', 'm1', '周末的马拉松还有名额吗？', 5);
      await message('oCook', 'm2', '你好', 4);
      await message('oCook', 'm3', '有没有适合新手的烘焙课程', 3);
      await message('oCook', 'm4', '', 2, 'image');
      await message('oRunner', 'm5', '下周有什么活动', 1);
      fake.nextJson({
        results: [
          { index: 0, interests: ['sports'] },
          { index: 1, interests: [] },
        ],
      });
      fake.nextJson({ results: [{ index: 0, interests: ['food', 'parenting'] }] });
      expect(await app.persona.jobs.trigger('ai-interest-classification', now)).toBe('succeeded');

      // Two requests: messages 1–2, then 3 (the cap of 3 a day leaves m5 for tomorrow; images are not text).
      expect(fake.requests).toHaveLength(2);
      expect(fake.requests[0].messages[1].content).toBe('0: "周末的马拉松还有名额吗？"\n1: "你好"');
      expect(fake.requests[0].response_format?.json_schema?.name).toBe('message_interests');
      const expires = new Date(now.getTime() - 5 * 3_600_000 + 90 * 86_400_000).toISOString();
      expect(await tagsOf('oRunner')).toEqual([['interest/sports', 'ai', expires]]);
      expect((await tagsOf('oCook')).map(([name, source]) => [name, source])).toEqual([
        ['interest/food', 'ai'],
        ['interest/parenting', 'ai'],
      ]);

      // Nothing again today; tomorrow the one left.
      expect(await app.persona.jobs.trigger('ai-interest-classification', new Date(now.getTime() + 60_000))).toBe(
        'succeeded',
      );
      expect(fake.requests).toHaveLength(2);
    });

    it('uses nothing of an answer that fails validation, and leaves the messages for the next run', async () => {
      await message('oRunner', 'm1', '周末的马拉松还有名额吗？', 5);
      fake.nextJson({ results: [{ index: 0, interests: ['golf'] }] });
      expect(await app.persona.jobs.trigger('ai-interest-classification', now)).toBe('failed');
      expect(await tagsOf('oRunner')).toEqual([]);
      fake.nextJson({ results: [{ index: 0, interests: ['sports'] }] });
      expect(await app.persona.jobs.trigger('ai-interest-classification', new Date(now.getTime() + 600_000))).toBe(
        'succeeded',
      );
      expect((await tagsOf('oRunner')).map(([name]) => name)).toEqual(['interest/sports']);
    });
  });
});
