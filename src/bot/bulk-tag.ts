import type { BotServices } from './bot-services';
import type { BulkTagAction } from './confirmation-codes.repository';
import type { BotLocale } from './bot-command.types';
import { translator } from './message-catalog';
import { shownTag } from './tag-names';

/** References to one person that look like expressions (`openid:…`, `tail:8000`): never a bulk target. */
const personPrefix = /^(?:openid|unionid|email|phone|crm|crm_id|tail)[:：]/i;

/**
 * The audience `target` names when it names many people: a saved segment by its name, or an expression (it has a
 * term's colon, a comparison, brackets or blanks). Else undefined: one person (`#42`, a name, a phone).
 */
export async function bulkAudience(
  services: Pick<BotServices, 'segments'>,
  target: string,
): Promise<BulkTagAction['audience'] | undefined> {
  if (await services.segments.lookup(target)) return { segment: target };
  if (personPrefix.test(target)) return undefined;
  return /[:：<>=()\s]/u.test(target) ? { expression: target } : undefined;
}

/** What an audience is called in a reply: `segment:<name>` or the expression. */
export const audienceName = (audience: BulkTagAction['audience']) =>
  'segment' in audience ? `segment:${audience.segment}` : audience.expression;

/**
 * Tags (or untags) everyone the action's audience selects, and says how it went: `members` when just read, else the
 * audience is read now (a confirmation, minutes after the count).
 */
export async function runBulkTag(
  services: Pick<BotServices, 'segments' | 'operatorTags' | 'rules'>,
  action: BulkTagAction,
  actor: string,
  locale: BotLocale,
  members?: readonly number[],
): Promise<string> {
  const t = translator(locale);
  const ids = members ?? (await services.segments.memberIds(action.audience));
  const { changed } = await services.operatorTags.tagMany(ids, action.tag, action.mode, actor, {
    audience: action.audience,
  });
  return t('tag.bulkDone', {
    mode: action.mode,
    audience: audienceName(action.audience),
    tag: shownTag(services.rules.current.labels, action.tag, locale),
    changed,
    selected: ids.length,
  });
}
