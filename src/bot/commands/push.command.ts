import { NotFoundError, ValidationError } from '../../errors/app.errors';
import { closestName } from '../../segments/closest-name';
import { parseSegment } from '../../segments/segment-parser';
import { readAllPages } from '../../util/paging';
import type { BotAnswer, BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { takeOptions } from '../command-line';
import { botText, inEveryLocale, translator } from '../message-catalog';
import { parseOperatorTime } from '../operator-time';
import { expectedReceivers, planSummary } from '../push-summary';
import type { PushView } from '../../pushes/push.service';

/** Options before the content, by every spelling operators may use. */
const optionNames: Record<string, string> = {
  name: 'name',
  名称: 'name',
  at: 'at',
  时间: 'at',
  account: 'account',
  账号: 'account',
};

/** The content as typed: `image:<mediaId>` and `news:<mediaId>` send media; anything else is text (placeholders allowed). */
function contentOf(text: string) {
  const media = /^(image|news|图片|图文)[:：](\S+)$/u.exec(text);
  if (!media) return { message: { type: 'text' as const, text } };
  return {
    message: { type: ['image', '图片'].includes(media[1]) ? ('image' as const) : ('news' as const), mediaId: media[2] },
  };
}

/**
 * A bare word that is neither a saved segment nor an expression was meant as a segment's name: said so, with the
 * closest saved name (rather than "expected a condition at column 1").
 */
async function checkNotAMisspeltSegment(services: BotServices, audience: string): Promise<void> {
  if (/[:：<>=()\s]/u.test(audience)) return;
  try {
    parseSegment(audience);
    return;
  } catch {
    // Not an expression either: a segment's name, misspelt or not saved.
  }
  const names = (await readAllPages((request) => services.segments.list(request))).map((segment) => segment.name);
  const suggestion = closestName(audience, names);
  throw new NotFoundError(
    suggestion
      ? botText('push.noSuchSegment.suggest', { name: audience, suggestion })
      : botText('push.noSuchSegment', { name: audience }),
  );
}

/** `push code <id>` (`推送 验证码 <编号>`): a fresh code for a plan waiting for confirmation. */
const codeWords = new Set(['code', '验证码']);

/**
 * `push <segment | "expression"> [name:…] [at:…] <content>`: plans the push (nothing is sent) and shows the plan with
 * a six-digit code; `/confirm <code>` sends it. The plan expires with its code; `push code <id>` plans it again with a
 * fresh code.
 */
export function pushCommand(services: BotServices): BotCommand {
  return {
    name: 'push',
    aliases: ['推送'],
    role: 'operator',
    usage: inEveryLocale('usage.name.push'),
    summary: inEveryLocale('push.summary'),
    async run({ args, rest, operator, locale }) {
      const t = translator(locale);
      const now = services.clock();
      const actor = `bot:${operator.contact}`;
      const shown = { locale, timezone: services.timezone, now };
      const expiresAt = new Date(now.getTime() + services.confirmations.minutes * 60_000);
      const offerCode = async (push: PushView): Promise<BotAnswer> => {
        const code = await services.confirmations.issue(operator.contact, { pushId: push.id });
        const { minutes } = services.confirmations;
        return {
          text: [planSummary(push, push.plan, shown), t('push.confirmWith', { code, minutes })].join('\n'),
          confirmation: {
            code,
            target: { pushId: push.id },
            title: t('confirmCard.push.title', { id: push.id }),
            summary: t('confirmCard.push.summary', { name: push.name, count: expectedReceivers(push.plan), minutes }),
          },
        };
      };
      if (
        codeWords.has(args[0]?.toLowerCase() ?? '') &&
        args.length <= 2 &&
        !(await services.segments.lookup(args[0]))
      ) {
        const id = /^#?(\d{1,12})$/.exec(args[1] ?? '')?.[1];
        if (!id) return t('push.codeUsage');
        return offerCode(await services.pushes.replan(Number(id), actor, expiresAt));
      }
      const readTime = (text: string) => parseOperatorTime(text, { now, timezone: services.timezone });
      const readsAsTime = (text: string) => {
        const time = readTime(text);
        return !('problem' in time) || time.problem !== 'unreadable';
      };
      const { options, next } = takeOptions(
        args,
        1,
        optionNames,
        // A time typed with a blank goes on while the longer text still reads as one (`时间:2026-12-04 10:00`).
        (key, value) => key === 'at' && readsAsTime(value),
      );
      const audience = args[0];
      const content = rest(next);
      if (!audience || !content) return t('push.usage');
      const isSegment = (await services.segments.lookup(audience)) !== undefined;
      if (!isSegment) await checkNotAMisspeltSegment(services, audience);
      const target = isSegment ? { segment: audience } : { expression: audience };
      let sendAt: Date | undefined;
      if (options.at !== undefined) {
        const time = readTime(options.at);
        if ('problem' in time) throw new ValidationError(t(`time.${time.problem}`, { text: options.at }));
        sendAt = time.at;
      }
      const push = await services.pushes.plan(
        {
          name: options.name ?? content.slice(0, 40),
          ...(options.account ? { account: options.account } : {}),
          ...target,
          content: contentOf(content),
          ...(sendAt ? { sendAt: sendAt.toISOString() } : {}),
        },
        actor,
        { expiresAt },
      );
      // Sent now, a plan that reaches nobody (everyone skipped) has nothing to confirm: it is cancelled, so it doesn't
      // wait as "planned" for ever. A scheduled one is decided again when it goes out (a cap may have passed by then).
      const reached = Object.values(push.plan.channels).reduce((sum, count) => sum + count, 0);
      const nobody = push.plan.audience === 0 || (!sendAt && reached + push.plan.deferred.quiet_hours === 0);
      if (nobody) {
        await services.pushes.cancel(push.id, actor);
        return [
          planSummary(push, push.plan, shown),
          t(push.plan.audience === 0 ? 'push.nobody' : 'push.nobodyReached'),
        ].join('\n');
      }
      return offerCode(push);
    },
  };
}
