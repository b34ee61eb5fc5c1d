import type { BotCommand, BotSubcommand } from './bot-command.types';

/**
 * Finds commands by name or alias, case-insensitively: Persona's own, then those plugins registered (read at each
 * lookup, so a plugin's commands come and go with it). A plugin command can't shadow one of Persona's.
 */
export class CommandRegistry {
  constructor(
    private readonly core: readonly BotCommand[],
    private readonly plugins: { list(): BotCommand[] },
  ) {}

  all(): BotCommand[] {
    const names = new Set(this.core.flatMap(spellings));
    return [
      ...this.core,
      ...this.plugins.list().filter((command) => !spellings(command).some((name) => names.has(name))),
    ];
  }

  find(name: string): BotCommand | undefined {
    const wanted = name.toLowerCase();
    return this.all().find((command) => spellings(command).includes(wanted));
  }

  /** Every name and alias, for suggestions. */
  names(): string[] {
    return this.all().flatMap(spellings);
  }
}

/** The subcommand `word` names, if any. */
export function findSubcommand(command: BotCommand, word: string | undefined): BotSubcommand | undefined {
  if (word === undefined) return undefined;
  const wanted = word.toLowerCase();
  return command.subcommands?.find((sub) =>
    [sub.name, ...(sub.aliases ?? [])].some((name) => name.toLowerCase() === wanted),
  );
}

function spellings(command: BotCommand): string[] {
  return [command.name, ...(command.aliases ?? [])].map((name) => name.toLowerCase());
}
