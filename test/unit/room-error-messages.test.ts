import pino from 'pino';
import { AiError } from '../../src/ai/ai.errors';
import type { AiConfig } from '../../src/ai/ai-config.schema';
import { aiText } from '../../src/ai/ai.messages';
import { draftCopy } from '../../src/ai/copy-drafts';
import { LanguageModel } from '../../src/ai/language-model';
import { expressionFor } from '../../src/ai/segment-question';
import { loadConfig } from '../../src/config/config-loader';
import { Secret } from '../../src/config/secret';
import type { Database } from '../../src/db/database';
import { AppError } from '../../src/errors/app.errors';
import type { LocalizedText } from '../../src/i18n/message-catalog';
import { profilesText } from '../../src/profiles/profiles.messages';
import { pushesText, pushState } from '../../src/pushes/pushes.messages';
import { OperatorTags } from '../../src/rules/operator-tags';
import { RuleSet } from '../../src/rules/rule-set';
import { assertWithinCeiling } from '../../src/rules/rules-ceiling.schema';
import { parseRulesDocument, type RulesProvider } from '../../src/rules/rules-provider';
import { RulesNotAppliedError } from '../../src/rules/rules.errors';
import { rulesText } from '../../src/rules/rules.messages';
import { TagService } from '../../src/rules/tag.service';
import type { TimelineService } from '../../src/timeline/timeline.service';
import { englishSentenceIn } from '../support/english-sentence';
import { FakeOpenAi, openaiKey } from '../support/fake-openai';

const now = new Date('2026-11-25T04:00:00Z');
const clock = () => now;

/** What `run` threw, as an AppError. */
async function refusal(run: () => unknown): Promise<AppError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a refusal');
}

/** The error reads as before in English, and in Chinese without an English sentence. */
function expectReadable(error: AppError, english: string | RegExp): void {
  if (typeof english === 'string') expect(error.message).toBe(english);
  else expect(error.message).toMatch(english);
  expect(error.messageIn('en')).toBe(error.message);
  const chinese = error.messageIn('zh-CN');
  expect(chinese).not.toBe(error.message);
  expect(englishSentenceIn(chinese)).toBeUndefined();
}

describe('the rooms’ errors, in the operator’s language', () => {
  describe('read in English exactly as they did before the catalogues', () => {
    // The English each site wrote before, with the values of a real case.
    const cases: [LocalizedText, string][] = [
      [pushesText('push.notFound', { id: '12' }), 'no push 12'],
      [
        pushesText('push.trackLinksOff'),
        'content.trackLinks: set pushes.publicUrl (where followers reach this server) to track links',
      ],
      [
        pushesText('push.notReplannable', { id: '12', state: pushState('sending') }),
        'push 12 is sending: only a plan waiting for confirmation can be planned again',
      ],
      [
        pushesText('push.sendAtPassed', { id: '12', sendAt: '2026-11-25T02:00:00.000Z' }),
        'push 12 was to go out at 2026-11-25T02:00:00.000Z: plan it again with a later time',
      ],
      [pushesText('push.changedMeanwhile', { id: '12' }), 'push 12 was confirmed or cancelled meanwhile'],
      [
        pushesText('push.changedOrExpiredMeanwhile', { id: '12' }),
        'push 12 was confirmed, cancelled or expired meanwhile',
      ],
      [
        pushesText('push.expired', { id: '12' }),
        "push 12's plan expired: plan it again (a fresh code in chat) to confirm it",
      ],
      [
        pushesText('push.notPlanned', { id: '12', state: pushState('done') }),
        'push 12 is done: only a planned push can be confirmed',
      ],
      [
        pushesText('push.noSender', { channels: 'mass, template', channelsZh: '群发、模板消息' }),
        'nothing can send over mass, template: enable the wechat-official-account plugin (with an appSecret) first',
      ],
      [
        pushesText('push.nothingToCancel', { id: '12', state: pushState('cancelled') }),
        'push 12 is cancelled: nothing left to cancel',
      ],
      [
        pushesText('preview.noSender'),
        'nothing can send a preview: enable the wechat-official-account plugin (with an appSecret) first',
      ],
      [pushesText('preview.refused', { code: '40003' }), 'WeChat refused the preview (40003)'],
      [
        pushesText('account.unknown', { account: 'brand-x', known: 'default, brand-b', knownZh: 'default、brand-b' }),
        'account: no account "brand-x" sends pushes; known: default, brand-b',
      ],
      [
        pushesText('account.none'),
        'account: no account sends pushes: enable the wechat-official-account plugin with an account first',
      ],
      [
        rulesText('tag.computed', { category: 'lifecycle' }),
        "tag: lifecycle tags are computed by rules; an operator can't set one",
      ],
      [
        rulesText('tag.keptByRule', { tag: 'loyal', when: 'score >= 90' }),
        'tag: loyal is kept by a rule (score >= 90); change the rule instead',
      ],
      [rulesText('tag.expiryPast'), 'expiresAt: expected a time in the future'],
      [
        rulesText('tag.removeRuleTag', { tag: 'loyal' }),
        'loyal is kept by a rule; it goes when the rule stops holding (change the rule to take it away)',
      ],
      [
        rulesText('tags.oneExclusive', { categories: 'lifecycle', categoriesZh: 'lifecycle' }),
        'tags: at most one tag of an exclusive category (lifecycle) at a time',
      ],
      [rulesText('rules.invalid'), 'the rules document is not valid'],
      [
        rulesText('rules.overCeiling'),
        'the rules document holds more rules than this server allows; nothing was changed',
      ],
      [rulesText('rules.applying'), 'rules are being applied already: wait for that backfill to finish'],
      [rulesText('rules.databaseRefuses'), 'the database refuses some of these rules; nothing was changed'],
      [profilesText('profile.notFound', { id: '7' }), 'no profile 7'],
      [
        profilesText('profile.goneWhileResolving', { id: '7' }),
        'profile 7 was merged or erased while this event was being resolved',
      ],
      [profilesText('merge.notFound', { id: '3' }), 'no merge 3'],
      [profilesText('merge.notSuggested', { id: '3', status: 'rejected' }), 'merge 3 is rejected, not suggested'],
      [profilesText('merge.none', { id: '7' }), 'profile 7 is not part of a merge'],
      [
        profilesText('merge.severalAbsorbed', { id: '7' }),
        'profile 7 absorbed several profiles: unmerge one of them by its own id',
      ],
      [
        profilesText('merge.alreadyOne', { survivor: '1', absorbed: '2', profile: '1' }),
        'profiles 1 and 2 are already one profile (1)',
      ],
      [
        profilesText('merge.notBothLive', { ids: '1 and 2', idsZh: '#1 和 #2' }),
        "profiles 1 and 2 are not both live profiles: they can't be merged",
      ],
      [
        profilesText('merge.absorbedLater', { survivor: '1', later: '3' }),
        'profile 1 absorbed profile 3 after this merge: unmerge that one first',
      ],
      [
        profilesText('merge.survivorMerged', { survivor: '1', into: '4' }),
        'profile 1 has since been merged into profile 4: unmerge that first',
      ],
      [aiText('condition.tooLarge', { max: '40' }), 'the condition has more than 40 parts'],
      [aiText('ai.quota', { count: '1000' }), '1000 questions a day'],
    ];

    it.each(cases)('%s', (text, english) => {
      expect(text.in('en')).toBe(english);
      expect(String(text)).toBe(english);
      expect(englishSentenceIn(text.in('zh-CN'))).toBeUndefined();
    });

    it('names a push’s status in Chinese, whichever it is', () => {
      expect(pushesText('push.nothingToCancel', { id: '12', state: pushState('done') }).in('zh-CN')).toBe(
        '推送 #12 已完成：已没有可取消的内容',
      );
      expect(pushesText('push.notPlanned', { id: '12', state: pushState('sending') }).in('zh-CN')).toBe(
        '推送 #12 正在发送：只有待确认的推送才能确认',
      );
    });
  });

  describe('rules', () => {
    const document = parseRulesDocument(loadConfig({ env: {} }).rules);
    const rules = new RuleSet(document);
    const operatorTags = new OperatorTags(
      {} as Database,
      {} as TagService,
      { current: rules } as unknown as RulesProvider,
      clock,
    );

    it('refuses computed tags, rule tags and past expiries', async () => {
      expectReadable(
        await refusal(() => operatorTags.add(1, 'lifecycle/active', null, 'tester')),
        "tag: lifecycle tags are computed by rules; an operator can't set one",
      );
      expectReadable(
        await refusal(() => operatorTags.add(1, 'loyal', null, 'tester')),
        'tag: loyal is kept by a rule (score >= 90); change the rule instead',
      );
      expectReadable(
        await refusal(() => operatorTags.add(1, 'vip', new Date('2026-01-01T00:00:00Z'), 'tester')),
        'expiresAt: expected a time in the future',
      );
    });

    it('refuses two tags of an exclusive category at once', async () => {
      const tags = new TagService({} as Database, {} as TimelineService, () => rules, clock);
      expectReadable(
        await refusal(() =>
          tags.plan(
            { profileId: 1, add: ['lifecycle/new', 'lifecycle/active'], source: 'operator', at: now, key: 'test' },
            new Set(),
          ),
        ),
        'tags: at most one tag of an exclusive category (lifecycle) at a time',
      );
    });

    it('refuses documents that are invalid or hold too many rules, and says what a failed apply left', async () => {
      expectReadable(await refusal(() => parseRulesDocument({ scoring: 'none' })), 'the rules document is not valid');
      expectReadable(
        await refusal(() => assertWithinCeiling(document, { scoring: 1, tagRules: 1 })),
        'the rules document holds more rules than this server allows; nothing was changed',
      );
      expectReadable(
        new RulesNotAppliedError(true),
        'the rules were not applied: applying them failed part-way and what it had written was undone; the rules in force, the ledger, the scores and the tags are as they were (the log has the cause)',
      );
      expectReadable(
        new RulesNotAppliedError(false, 'new'),
        'applying the rules failed part-way and undoing it failed too: the new rules are in force, and the ledger and the tags may be part-way; apply the rules in force again to rebuild them (the log has the cause)',
      );
      expect(new RulesNotAppliedError(false, 'previous').message).toContain('the previous rules are in force');
    });
  });

  describe('ai', () => {
    const config = (overrides: Partial<AiConfig> = {}): AiConfig => ({
      model: 'gpt-test',
      timeoutMs: 5000,
      maxRetries: 0,
      perOperatorPerDay: 200,
      classification: { enabled: false, perDay: 1000, batchSize: 20 },
      ...overrides,
    });
    const log = pino({ level: 'silent' });
    const vocabulary = {
      tags: ['loyal', 'interest/sports'],
      attributes: ['city'],
      eventTypes: ['purchase'],
      tagLabels: { loyal: ['忠实用户'] },
    };
    let fake: FakeOpenAi;
    let model: LanguageModel;

    beforeEach(async () => {
      fake = await FakeOpenAi.start();
      model = new LanguageModel(
        config({ apiKey: new Secret('TEST_OPENAI_API_KEY', openaiKey), baseUrl: fake.baseUrl, perOperatorPerDay: 10 }),
        log,
        clock,
      );
    });

    afterEach(async () => {
      await fake.close();
    });

    const ask = () => expressionFor(model, 'wxid_admin', '忠实用户有多少', vocabulary);

    it('says AI is off without a key', async () => {
      const off = new LanguageModel(config(), log, clock);
      const error = await refusal(() => expressionFor(off, 'wxid_admin', '忠实用户有多少', vocabulary));
      expectReadable(error, 'AI off: no OPENAI_API_KEY is set');
      expect(error.messageIn('zh-CN')).toBe('AI 未开启：未设置 OPENAI_API_KEY');
    });

    it('says why an answer was refused: declined, not JSON, not the schema’s shape', async () => {
      fake.next({ refusal: '我不能回答这个问题。' });
      expectReadable(await refusal(ask), 'AI invalid answer: the model declined: 我不能回答这个问题。');
      fake.next({ content: 'tag:loyal' });
      const notJson = await refusal(ask);
      expectReadable(notJson, 'AI invalid answer: the answer was not JSON');
      expect(notJson.messageIn('zh-CN')).toBe('AI 的回答无法使用：回答不是 JSON');
      expect((notJson as AiError).detail).toEqual(aiText('ai.notJson'));
      // zod's own words stay in English; Chinese says what kind of problem it is.
      fake.nextJson({ condition: { kind: 'score', op: '>', value: 'high' } });
      const shape = await refusal(ask);
      expectReadable(shape, /^AI invalid answer: the condition is not valid at condition\.value: /);
      expect(shape.messageIn('zh-CN')).toMatch(/^AI 的回答无法使用：条件在 condition\.value 处无效：/);
    });

    it('says which name the model made up, and when a condition is too large', async () => {
      fake.nextJson({ condition: { kind: 'and', items: [{ kind: 'tag', tag: 'interest/golf' }] } });
      const unknown = await refusal(ask);
      expectReadable(
        unknown,
        'AI invalid answer: the condition is not valid at condition.items.0.tag: interest/golf is not a known tag',
      );
      expect(unknown.messageIn('zh-CN')).toBe(
        'AI 的回答无法使用：条件在 condition.items.0.tag 处无效：interest/golf 不是已知的标签',
      );
      fake.nextJson({ condition: { kind: 'event', type: 'refund', atLeast: 1, withinDays: null } });
      expectReadable(
        await refusal(ask),
        'AI invalid answer: the condition is not valid at condition.type: refund is not a known event type',
      );
      const leaf = { kind: 'tag', tag: 'loyal' };
      fake.nextJson({
        condition: { kind: 'or', items: Array.from({ length: 20 }, () => ({ kind: 'not', item: leaf })) },
      });
      expectReadable(await refusal(ask), 'AI invalid answer: the condition has more than 40 parts');
    });

    it('says the service could not be reached, then that the day’s questions are spent', async () => {
      model = new LanguageModel(
        config({ apiKey: new Secret('TEST_OPENAI_API_KEY', openaiKey), baseUrl: fake.baseUrl, perOperatorPerDay: 2 }),
        log,
        clock,
      );
      fake.next({ status: 503, message: 'The engine is currently overloaded.' });
      const unavailable = await refusal(ask);
      expectReadable(unavailable, 'AI unavailable: the model service answered 503');
      expect(unavailable.status).toBe(503);
      fake.next({ content: '' });
      expectReadable(await refusal(ask), 'AI invalid answer: the answer was empty');
      const quota = await refusal(ask);
      expectReadable(quota, 'AI quota: 2 questions a day');
      expect(quota.messageIn('zh-CN')).toBe('AI 提问次数已用完：每人每天最多提问 2 次');
    });

    it('says a draft came back with the wrong number of variants', async () => {
      fake.nextJson({ variants: [{ headline: '好久不见', text: '送你一张八折券。' }] });
      const error = await refusal(() =>
        draftCopy(
          model,
          'wxid_admin',
          { expression: 'tag:loyal', count: 2, lifecycle: {}, topTags: [] },
          '送八折券',
          'zh-CN',
        ),
      );
      expectReadable(error, 'AI invalid answer: the drafts are not valid: expected 3 variants');
      expect(error.messageIn('zh-CN')).toBe('AI 的回答无法使用：文案草稿不符合要求：应当正好有 3 个版本');
    });
  });
});
