import { AppError } from '../../src/errors/app.errors';
import { command, startBotApp } from '../support/bot-fixtures';
import { englishSentenceIn } from '../support/english-sentence';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { profileOf, record } from '../support/push-fixtures';
import type { TestApp } from '../support/test-app';

/** What `run` threw, as an AppError. */
async function refusal(run: () => Promise<unknown>): Promise<AppError> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** The error reads as before in English (the API's language), and in Chinese without an English sentence. */
function expectReadable(error: AppError, english: string | RegExp): string {
  if (typeof english === 'string') expect(error.message).toBe(english);
  else expect(error.message).toMatch(english);
  const chinese = error.messageIn('zh-CN');
  expect(chinese).not.toBe(error.message);
  expect(englishSentenceIn(chinese)).toBeUndefined();
  return chinese;
}

/**
 * The errors the pushes, rules and profiles rooms raise where an operator meets them: English for the API (as it
 * always was), the operator's language in chat.
 */
describe('the rooms’ refusals, in the operator’s language', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  const start = new Date('2026-11-25T04:00:00Z');
  let now = start;
  const content = { message: { type: 'text', text: '冬季新品上市' } };

  beforeEach(async () => {
    now = start;
    fake = await FakeWechatApi.start();
    app = await startBotApp(fake, () => now, 60);
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  /** A push to nobody, confirmed: it is done at once. */
  async function donePush(): Promise<number> {
    const planned = await app.persona.pushes.plan({ expression: 'tag:nobody-has-this', content }, 'tester');
    const confirmed = await app.persona.pushes.confirm(planned.id, 'tester');
    expect(confirmed.status).toBe('done');
    return planned.id;
  }

  it('a push that isn’t there, in the API and in chat', async () => {
    expectReadable(await refusal(() => app.persona.pushes.get(999)), 'no push 999');
    const response = await app.request('/api/pushes/999');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe('no push 999');
    expect((await command(app, 'wxid_admin', '/取消 999')).replies).toEqual(['没有成功：找不到推送 #999']);
    expect((await command(app, 'wxid_operator', '/cancel 999')).replies).toEqual(['That didn’t work: no push 999']);
  });

  it('confirming or cancelling a push that is done, and planning it again', async () => {
    const id = await donePush();
    expect(
      expectReadable(
        await refusal(() => app.persona.pushes.confirm(id, 'tester')),
        `push ${id} is done: only a planned push can be confirmed`,
      ),
    ).toBe(`推送 #${id} 已完成：只有待确认的推送才能确认`);
    expectReadable(
      await refusal(() => app.persona.pushes.cancel(id, 'tester')),
      `push ${id} is done: nothing left to cancel`,
    );
    expectReadable(
      await refusal(() => app.persona.pushes.replan(id, 'tester', new Date(now.getTime() + 3_600_000))),
      `push ${id} is done: only a plan waiting for confirmation can be planned again`,
    );
    // The case that started it: a Chinese operator read “没有成功：push 12 is done: nothing left to cancel”.
    expect((await command(app, 'wxid_admin', `/取消 ${id}`)).replies).toEqual([
      `没有成功：推送 #${id} 已完成：已没有可取消的内容`,
    ]);
    expect((await command(app, 'wxid_operator', `/cancel ${id}`)).replies).toEqual([
      `That didn’t work: push ${id} is done: nothing left to cancel`,
    ]);
    const response = await app.request(`/api/pushes/${id}/cancel`, { method: 'POST' });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      `push ${id} is done: nothing left to cancel`,
    );
  });

  it('confirming a plan that expired', async () => {
    const planned = await app.persona.pushes.plan({ expression: 'tag:nobody-has-this', content }, 'tester', {
      expiresAt: new Date(start.getTime() + 10 * 60_000),
    });
    now = new Date(start.getTime() + 3_600_000);
    const chinese = expectReadable(
      await refusal(() => app.persona.pushes.confirm(planned.id, 'tester')),
      `push ${planned.id}'s plan expired: plan it again (a fresh code in chat) to confirm it`,
    );
    expect(chinese).toBe(`推送 #${planned.id} 的计划已过期：请重新计划（聊天中会给出新的验证码）后再确认`);
  });

  it('a push from an account nobody provides', async () => {
    const error = await refusal(() =>
      app.persona.pushes.plan({ account: 'brand-x', expression: 'tag:x', content }, 'tester'),
    );
    expect(error.status).toBe(400);
    expectReadable(error, /^account: no account "brand-x" sends pushes; known: \S/);
    expect(error.messageIn('zh-CN')).toMatch(/^account：没有名为“brand-x”的账号可以发送推送；已有的账号：\S/);
  });

  it('tags an operator may not give or take, and profiles that aren’t there', async () => {
    await record(app, 'oLin', [{ key: 'follow', type: 'subscribe', at: new Date(start.getTime() - 86_400_000) }]);
    const profileId = await profileOf(app, 'oLin');
    const tags = app.persona.rulesModule.operatorTags;
    expectReadable(
      await refusal(() => tags.add(profileId, 'lifecycle/active', null, 'tester')),
      "tag: lifecycle tags are computed by rules; an operator can't set one",
    );
    expectReadable(
      await refusal(() => tags.add(profileId, 'loyal', null, 'tester')),
      'tag: loyal is kept by a rule (score >= 90); change the rule instead',
    );
    expectReadable(
      await refusal(() => tags.add(profileId, 'vip', new Date('2026-01-01T00:00:00Z'), 'tester')),
      'expiresAt: expected a time in the future',
    );
    const [held] = await app.persona.db.select<{ name: string }>(
      "SELECT name FROM tags WHERE profile_id = ? AND name LIKE 'lifecycle/%'",
      [profileId],
    );
    expectReadable(
      await refusal(() => tags.remove(profileId, held.name, 'tester')),
      `${held.name} is kept by a rule; it goes when the rule stops holding (change the rule to take it away)`,
    );
    expectReadable(await refusal(() => tags.add(999_999, 'vip', null, 'tester')), 'no profile 999999');

    expect(expectReadable(await refusal(() => app.persona.profiles.get(999_999)), 'no profile 999999')).toBe(
      '找不到画像 #999999',
    );
    expectReadable(await refusal(() => app.persona.eraser.erase(999_999, 'tester')), 'no profile 999999');
    expectReadable(
      await refusal(() => app.persona.merger.unmerge(profileId, 'tester')),
      `profile ${profileId} is not part of a merge`,
    );
    expectReadable(await refusal(() => app.persona.merger.approve(999, 'tester')), 'no merge 999');
  });
});
