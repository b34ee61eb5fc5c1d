import type { BotCommand } from '../bot-command.types';
import { usageOf } from '../bot-engine';
import type { CommandRegistry } from '../command-registry';
import { inEveryLocale, translator } from '../message-catalog';
import { mayRun } from '../operator-directory';
import type { BotServices } from '../bot-services';
import { expressionReference } from '../expression-reference';

/** Topics `help` explains besides commands. */
const expressionTopic = new Set(['expression', 'expressions', '表达式']);

/**
 * `help [command]`: what the asker may run, or one command's usage, generated from the command specs;
 * `help expression`: the expression language by example, with values from the data.
 */
export function helpCommand(
  registry: () => CommandRegistry,
  services: Pick<BotServices, 'segments' | 'rules'>,
): BotCommand {
  return {
    name: 'help',
    aliases: ['帮助', '?', '？'],
    role: 'viewer',
    usage: inEveryLocale('usage.help'),
    summary: inEveryLocale('help.summary'),
    async run({ operator, args, locale }) {
      const t = translator(locale);
      const commands = registry()
        .all()
        .filter((command) => mayRun(operator.role, command.role));
      if (args[0] && expressionTopic.has(args[0].toLowerCase())) return expressionReference(services, locale);
      if (args[0]) {
        const command = registry().find(args[0].replace(/^[/／]/, ''));
        if (!command || !mayRun(operator.role, command.role)) return t('help.noSuchCommand', { name: args[0] });
        const aliases = command.aliases?.length ? ` (${command.aliases.map((alias) => `/${alias}`).join(', ')})` : '';
        return `/${command.name}${aliases} — ${command.summary[locale]}\n${usageOf(command, operator)}`;
      }
      const lines = commands.map((command) => {
        const alias = command.aliases?.find((name) => /\p{Script=Han}/u.test(name));
        return `/${command.name}${alias ? ` · /${alias}` : ''} — ${command.summary[locale]}`;
      });
      return [
        t('help.title', { name: operator.name, role: t(`role.${operator.role}`) }),
        ...lines,
        '',
        t('help.footer'),
      ].join('\n');
    },
  };
}
