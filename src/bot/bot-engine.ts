import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../errors/app.errors';
import type { BotCommand, BotConfirmation, BotImage, BotLocale } from './bot-command.types';
import { closestName } from '../segments/closest-name';
import type { BotAuditService, BotOutcome } from './bot-audit.service';
import { parseCommandLine } from './command-line';
import { type CommandRegistry, findSubcommand } from './command-registry';
import { translator } from './message-catalog';
import { mayRun, type Operator, type OperatorDirectory } from './operator-directory';
import type { OperatorRateLimiter } from './operator-rate-limiter';
import { splitReply } from './reply-splitter';
import { type Clock, monotonicMs } from '../util/clock';

/** A chat message as a transport hands it in. */
export interface ChatMessage {
  /** `wechaty`, `http`, `console`, or a plugin's chat (`wecom`): with `messageId`, what makes a redelivery known. */
  transport: string;
  /** The sender's contact id, and the alias the bot's account gave them when the transport knows it. */
  sender: { id: string; alias?: string | null };
  text: string;
  /** The chat's own message id, when it has one: a message delivered twice is answered once. */
  messageId?: string;
  /** Set for a group chat: whether the bot was mentioned (the mention already taken out of `text`). */
  room?: { id: string; mentioned: boolean };
}

export interface BotEngineOptions {
  groupsEnabled: boolean;
  commandsPerMinute: number;
  /** For senders who aren't operators. */
  defaultLocale: BotLocale;
  /** The command a message runs when it names none and has no slash (plain words): `ask`, when AI is on. */
  plainTextCommand?: string;
}

/** What the bot says back: texts in order, then any pictures, and the confirmation it waits for, if any. */
export interface ChatAnswer {
  replies: string[];
  images: BotImage[];
  confirmation?: BotConfirmation;
}

/** A message recorded (audited) and not yet answered: `answer` runs it. */
export interface ReceivedChat {
  answer(): Promise<ChatAnswer & { outcome: BotOutcome | 'ignored' }>;
}

interface Handled {
  replies: string[];
  images?: BotImage[];
  confirmation?: BotConfirmation;
  operator?: Operator;
  command?: string;
  outcome: BotOutcome;
  detail?: string;
}

const ignored = { replies: [], images: [], outcome: 'ignored' as const };

/** The longest command text the bot reads; longer messages are refused without parsing. */
const maxCommandLength = 4000;

/**
 * The operator bot, whatever the chat: who is asking (only configured operators get answers), whether they may and
 * how often, which command, and its answer in their language, split for the chat. Every message is audited before
 * anything runs and completed with its outcome; transports only carry text in and out.
 */
export class BotEngine {
  constructor(
    private readonly commands: CommandRegistry,
    private readonly operators: OperatorDirectory,
    private readonly audit: BotAuditService,
    private readonly limiter: OperatorRateLimiter,
    private readonly options: BotEngineOptions,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  /** The replies to send back, in order (none for a message the bot ignores), and what came of the message. */
  async handle(message: ChatMessage): Promise<ChatAnswer & { outcome: BotOutcome | 'ignored' }> {
    const received = await this.receive(message);
    return received ? received.answer() : ignored;
  }

  /**
   * Records a message in the audit (the durable part: a chat that must be answered within seconds acknowledges after
   * this and answers later); undefined when the bot ignores it or has recorded it before (a redelivery).
   */
  async receive(message: ChatMessage): Promise<ReceivedChat | undefined> {
    const text = message.text.trim();
    // In groups the bot speaks only when spoken to.
    if (message.room && (!this.options.groupsEnabled || !message.room.mentioned)) return undefined;
    if (text === '') return undefined;
    const started = monotonicMs();
    const operator = this.operators.find(message.sender);
    const auditId = await this.audit.receive({
      transport: message.transport,
      ...(message.messageId ? { messageId: message.messageId } : {}),
      sender: message.sender.id,
      ...(operator ? { operator: operator.contact } : {}),
      ...(message.room ? { room: message.room.id } : {}),
      text,
      at: this.clock(),
    });
    if (auditId === undefined) return undefined;
    return { answer: () => this.answer(auditId, operator, text, message, started) };
  }

  private async answer(
    auditId: number,
    operator: Operator | undefined,
    text: string,
    message: ChatMessage,
    started: number,
  ): Promise<ChatAnswer & { outcome: BotOutcome }> {
    const handled = operator ? await this.forOperator(operator, text, message) : await this.forStranger(message);
    await this.audit.complete(auditId, {
      ...(handled.command ? { command: handled.command } : {}),
      outcome: handled.outcome,
      ...(handled.detail ? { detail: handled.detail } : {}),
      at: this.clock(),
    });
    this.log.info(
      {
        transport: message.transport,
        operator: operator?.name ?? null,
        command: handled.command ?? null,
        outcome: handled.outcome,
        ms: Math.round(monotonicMs() - started),
      },
      'bot message',
    );
    return {
      replies: handled.replies.flatMap((reply) => splitReply(reply)),
      images: handled.images ?? [],
      ...(handled.confirmation ? { confirmation: handled.confirmation } : {}),
      outcome: handled.outcome,
    };
  }

  /** No data for strangers: at most one polite refusal a day, in a private chat only. */
  private async forStranger(message: ChatMessage): Promise<Handled> {
    const dayAgo = new Date(this.clock().getTime() - 24 * 60 * 60 * 1000);
    const answer = !message.room && !(await this.audit.refusedSince(message.sender.id, dayAgo));
    return {
      replies: answer ? [translator(this.options.defaultLocale)('engine.stranger')] : [],
      outcome: 'unknown_sender',
      detail: answer ? 'refusal sent' : 'ignored',
    };
  }

  private async forOperator(operator: Operator, text: string, message: ChatMessage): Promise<Handled> {
    const t = translator(operator.locale);
    if (!this.limiter.allow(operator.contact)) {
      return {
        replies: [t('engine.rateLimited', { perMinute: this.options.commandsPerMinute })],
        outcome: 'rate_limited',
      };
    }
    if (text.length > maxCommandLength)
      return { replies: [t('engine.tooLong', { max: maxCommandLength })], outcome: 'refused', detail: 'too long' };
    let line = parseCommandLine(text);
    if (line && !this.commands.find(line.name) && this.options.plainTextCommand && !/^[/／]/.test(text))
      line = parseCommandLine(`${this.options.plainTextCommand} ${text}`);
    const command = line ? this.commands.find(line.name) : undefined;
    if (!line || !command) {
      const typed = line?.name ?? '';
      const suggestion = closestName(typed, this.commands.names());
      return {
        replies: [
          suggestion
            ? t('engine.unknownCommandSuggest', { name: typed, suggestion })
            : t('engine.unknownCommand', { name: typed }),
        ],
        outcome: 'unknown_command',
      };
    }
    const subcommand =
      findSubcommand(command, line.args[0]) ??
      (line.args.length === 0 ? findSubcommand(command, command.defaultSubcommand) : undefined);
    const needed = subcommand?.role ?? command.role;
    const label = subcommand ? `${command.name} ${subcommand.name}` : command.name;
    if (!mayRun(operator.role, needed)) {
      return {
        replies: [t('engine.notAllowed', { command: label, role: t(`role.${needed}`) })],
        command: label,
        outcome: 'refused',
        detail: `needs ${needed}`,
      };
    }
    if (message.room && needed === 'admin') {
      return {
        replies: [t('engine.adminInGroup', { command: label })],
        command: label,
        outcome: 'refused',
        detail: 'admin command in a group',
      };
    }
    if (command.subcommands && !subcommand) {
      return {
        replies: [
          t('engine.chooseSubcommand', { command: nameFor(command, operator), usage: usageOf(command, operator) }),
        ],
        command: label,
        outcome: 'failed',
        detail: 'no subcommand',
      };
    }
    return this.run(command, label, operator, line, subcommand?.name, Boolean(message.room));
  }

  private async run(
    command: BotCommand,
    label: string,
    operator: Operator,
    line: NonNullable<ReturnType<typeof parseCommandLine>>,
    subcommand: string | undefined,
    inGroup: boolean,
  ): Promise<Handled> {
    const t = translator(operator.locale);
    try {
      const answer = await command.run({
        operator,
        args: line.args,
        rest: line.rest,
        value: line.value,
        ...(subcommand ? { subcommand } : {}),
        locale: operator.locale,
        inGroup,
      });
      if (typeof answer === 'string') return { replies: [answer], command: label, outcome: 'ok' };
      return {
        replies: [answer.text],
        images: [...(answer.image ? [answer.image] : []), ...(answer.images ?? [])],
        ...(answer.confirmation ? { confirmation: answer.confirmation } : {}),
        command: label,
        outcome: answer.failed ? 'failed' : 'ok',
        ...(answer.failed ? { detail: answer.failed } : {}),
      };
    } catch (error) {
      // What the operator did wrong (a bad expression, an unknown push) is told as is; anything else is ours.
      if (error instanceof AppError && error.status < 500) {
        return {
          replies: [t('engine.failed', { message: error.messageIn(operator.locale) })],
          command: label,
          outcome: 'failed',
          detail: error.message,
        };
      }
      const reference = randomUUID().slice(0, 8);
      this.log.error({ err: error, command: label, operator: operator.name, reference }, 'bot command failed');
      return {
        replies: [t('engine.error', { reference })],
        command: label,
        outcome: 'error',
        detail: `reference ${reference}`,
      };
    }
  }
}

/** A command's name as the operator would type it: its Chinese alias for a Chinese operator. */
function nameFor(command: BotCommand, operator: Operator): string {
  const chinese = command.aliases?.find((alias) => /\p{Script=Han}/u.test(alias));
  return operator.locale === 'zh-CN' && chinese ? chinese : command.name;
}

/** A command's usage lines the operator may run. */
export function usageOf(command: BotCommand, operator: Operator): string {
  const said = (usage: BotCommand['usage']) => (typeof usage === 'string' ? usage : usage[operator.locale]);
  if (!command.subcommands) return said(command.usage);
  return command.subcommands
    .filter((sub) => mayRun(operator.role, sub.role))
    .map((sub) => `${said(sub.usage)} — ${sub.summary[operator.locale]}`)
    .join('\n');
}
