import type { BotAnswer, BotCommand, BotRequest } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { formatCount, inEveryLocale, type Translate, translator } from '../message-catalog';
import { readAllPages } from '../../util/paging';
import { segmentTrendChart } from '../../charts/chart-kinds';
import { localDate } from '../../util/local-time';
import { personLine } from '../person-line';
import { shownStage, shownTag } from '../tag-names';
import { listOf, type LocalizedText } from '../../i18n/message-catalog';

/** How many sample profiles a chat preview lists. */
const previewSample = 5;

/** `segment count|preview|save|list|show|delete`: count and keep audiences (人群). */
export function segmentCommand(services: BotServices): BotCommand {
  const { segments } = services;
  /** A saved segment's name as typed, else the text as an expression (canonical, with its count). */
  const measure = async (text: string) => {
    if (await segments.lookup(text))
      return { expression: `segment:${text}`, count: await segments.countOf(text), warnings: [] as LocalizedText[] };
    return segments.measure(text);
  };
  // A warning is a segments catalogue message: t renders it in the operator's language.
  const warningLines = (t: Translate, warnings: LocalizedText[]) =>
    warnings.map((warning) => t('segment.warning', { warning }));

  const run: Record<string, (request: BotRequest, t: Translate) => Promise<BotAnswer>> = {
    async count({ value }, t) {
      const text = value(1);
      if (!text) return t('segment.needExpression');
      const measured = await measure(text);
      return [
        t('segment.counted', { expression: measured.expression, count: measured.count }),
        ...warningLines(t, measured.warnings),
      ].join('\n');
    },
    async preview({ value, locale }, t) {
      const text = value(1);
      if (!text) return t('segment.needExpression');
      const preview = await segments.preview((await segments.lookup(text)) ? `segment:${text}` : text);
      const labels = services.rules.current.labels;
      const lifecycle = Object.entries(preview.byLifecycle).map(
        ([stage, count]) => `${shownStage(labels, stage, locale)} ${formatCount(count)}`,
      );
      const tags = preview.topTags
        .slice(0, 5)
        .map((tag) => `${shownTag(labels, tag.tag, locale)} ${formatCount(tag.count)}`);
      const sample = preview.sample.slice(0, previewSample).map((person) => `  ${personLine(person, t)}`);
      return [
        t('segment.counted', { expression: preview.expression, count: preview.count }),
        ...(lifecycle.length > 0 ? [t('segment.lifecycle', { stages: lifecycle.join(' · ') })] : []),
        ...(tags.length > 0 ? [t('segment.topTags', { tags: tags.join(' · ') })] : []),
        ...(sample.length > 0 ? [t('segment.sample'), ...sample] : []),
        ...warningLines(t, preview.warnings),
      ].join('\n');
    },
    async save({ args, value }, t) {
      const [, name] = args;
      const expression = value(2);
      if (!name || !expression) return t('segment.saveUsage');
      const saved = await segments.create({ name, expression });
      const count = await segments.countOf(saved.name);
      return [
        t('segment.saved', { name: saved.name, expression: saved.expression, count: count }),
        ...warningLines(t, saved.warnings),
      ].join('\n');
    },
    async update({ args, value }, t) {
      const [, name] = args;
      const expression = value(2);
      if (!name || !expression) return t('segment.updateUsage');
      const before = await segments.get(name);
      const countBefore = await segments.countOf(name);
      const updated = await segments.update(name, { expression });
      const [count, users] = await Promise.all([segments.countOf(name), services.pushes.usersOfSegment(name)]);
      return [
        t('segment.updated', {
          name,
          before: before.expression,
          after: updated.expression,
          countBefore,
          count,
        }),
        ...(users.length > 0 ? [t('segment.usedBy', { users: listOf(users) })] : []),
        ...warningLines(t, updated.warnings),
      ].join('\n');
    },
    async list(_request, t) {
      const all = await readAllPages((request) => segments.list(request));
      if (all.length === 0) return t('segment.none');
      return [
        t('segment.listed', { count: all.length }),
        ...all.map(
          (segment) => `  ${segment.name}: ${segment.expression}${segment.frozenAt ? ` (${t('segment.frozen')})` : ''}`,
        ),
      ].join('\n');
    },
    async show({ args, locale }, t) {
      const name = args[1];
      if (!name) return t('segment.nameNeeded');
      const [segment, count, history] = await Promise.all([
        segments.get(name),
        segments.countOf(name),
        segments.history(name),
      ]);
      const trend = history.slice(-7).map((day) => `${day.day.slice(5)} ${formatCount(day.count)}`);
      // The daily counts up to now: today's live count ends the line when no snapshot was taken today yet.
      const today = localDate(services.clock(), services.timezone);
      const days = history.some((day) => day.day === today) ? history : [...history, { day: today, count }];
      const image = await services.charts.draw(segmentTrendChart(name, days.slice(-30), locale));
      const text = [
        `${segment.name}: ${segment.expression}`,
        ...(segment.description ? [segment.description] : []),
        t('segment.countNow', { count: count }),
        ...(segment.frozenAt ? [t('segment.frozenSince', { at: segment.frozenAt.slice(0, 10) })] : []),
        ...(trend.length > 0 ? [t('segment.trend', { trend: trend.join(' · ') })] : []),
      ].join('\n');
      return { text, image };
    },
    async delete({ args }, t) {
      const name = args[1];
      if (!name) return t('segment.nameNeeded');
      await segments.delete(name);
      return t('segment.deleted', { name });
    },
  };

  return {
    name: 'segment',
    aliases: ['人群', 'seg'],
    role: 'viewer',
    usage: inEveryLocale('usage.segment'),
    summary: inEveryLocale('segment.summary'),
    subcommands: [
      {
        name: 'count',
        aliases: ['计数', '数'],
        role: 'viewer',
        usage: inEveryLocale('usage.segment.count'),
        summary: inEveryLocale('segment.count.summary'),
      },
      {
        name: 'preview',
        aliases: ['预览'],
        role: 'viewer',
        usage: inEveryLocale('usage.segment.preview'),
        summary: inEveryLocale('segment.preview.summary'),
      },
      {
        name: 'list',
        aliases: ['列表'],
        role: 'viewer',
        usage: inEveryLocale('usage.segment.list'),
        summary: inEveryLocale('segment.list.summary'),
      },
      {
        name: 'show',
        aliases: ['查看'],
        role: 'viewer',
        usage: inEveryLocale('usage.segment.show'),
        summary: inEveryLocale('segment.show.summary'),
      },
      {
        name: 'save',
        aliases: ['保存'],
        role: 'operator',
        usage: inEveryLocale('usage.segment.save'),
        summary: inEveryLocale('segment.save.summary'),
      },
      {
        name: 'update',
        aliases: ['修改', '更新'],
        role: 'operator',
        usage: inEveryLocale('usage.segment.update'),
        summary: inEveryLocale('segment.update.summary'),
      },
      {
        name: 'delete',
        aliases: ['删除'],
        role: 'admin',
        usage: inEveryLocale('usage.segment.delete'),
        summary: inEveryLocale('segment.delete.summary'),
      },
    ],
    async run(request) {
      return run[request.subcommand as string](request, translator(request.locale));
    },
  };
}
