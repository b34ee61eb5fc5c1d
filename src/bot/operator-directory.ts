import type { BotLocale, BotRole } from './bot-command.types';
import type { OperatorConfig } from './bot-config.schema';

/** A known operator, as commands see them. */
export interface Operator {
  contact: string;
  name: string;
  role: BotRole;
  locale: BotLocale;
}

const rank: Record<BotRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `role` may run what needs `needed`. */
export function mayRun(role: BotRole, needed: BotRole): boolean {
  return rank[role] >= rank[needed];
}

/**
 * The operators in config, found by WeChat contact id or by the alias the bot's account gave them (the id first:
 * an alias is only as trustworthy as whoever set it, and only the bot's own account can).
 */
export class OperatorDirectory {
  private readonly byContact: Map<string, Operator>;

  constructor(operators: readonly OperatorConfig[], defaultLocale: BotLocale) {
    this.byContact = new Map(
      operators.map((operator) => [
        operator.contact,
        {
          contact: operator.contact,
          name: operator.name ?? operator.contact,
          role: operator.role,
          locale: operator.locale ?? defaultLocale,
        },
      ]),
    );
  }

  find(sender: { id: string; alias?: string | null }): Operator | undefined {
    return this.byContact.get(sender.id) ?? (sender.alias ? this.byContact.get(sender.alias) : undefined);
  }

  /** Whom the console acts as: the named contact, else the first admin. */
  consoleOperator(contact: string | undefined): Operator | undefined {
    if (contact) return this.byContact.get(contact);
    return [...this.byContact.values()].find((operator) => operator.role === 'admin');
  }

  get size(): number {
    return this.byContact.size;
  }
}
