import type { Locale } from '../i18n/message-catalog';

/** A bot command as Persona's own commands and plugins' are written: the bot room owns the port. */

export type BotRole = 'viewer' | 'operator' | 'admin';
export type BotLocale = Locale;

/** Text in each locale the bot speaks. */
export type BotText = Readonly<Record<BotLocale, string>>;

/** What a bot command is asked: by whom, with which arguments, and where. */
export interface BotRequest {
  operator: { contact: string; name: string; role: BotRole; locale: BotLocale };
  /** The arguments after the command's name, quotes removed (`"New York"` is one argument). */
  args: readonly string[];
  /** The text after the first `skip` arguments, exactly as typed: content sent as written (a message, a question). */
  rest(skip: number): string;
  /**
   * The text after the first `skip` arguments as one value (a tag, an expression): a single quoted phrase without its
   * quotes (`"summer sale 2026"`, “双十一 会员”), else the text as typed.
   */
  value(skip: number): string;
  /** The subcommand `args[0]` named, in its canonical name, when the command has subcommands. */
  subcommand?: string;
  locale: BotLocale;
  /** In a group chat (others read the answer). */
  inGroup: boolean;
}

/** A picture in an answer (a QR code, a chart): sent as an image where the chat can show one. */
export interface BotImage {
  /** Where it can be fetched (a chart's is relative: `/api/bot/charts/<token>.png`, behind the admin token). */
  url: string;
  /** A file name for it (`store-0217.jpg`). */
  name: string;
  /** The picture itself, when Persona drew it (a chart): sent as it is, never over JSON. */
  png?: Buffer;
  /** What a chart shows, for an HTTP client to use beside the picture. */
  data?: unknown;
}

/**
 * An answer that waits for a confirmation code (a push plan, a bulk action): a chat with buttons (WeCom) shows it as a
 * card whose buttons act as `/confirm <code>` and `/cancel` for the operator who asked; elsewhere the text says how.
 */
export interface BotConfirmation {
  code: string;
  /** What the code confirms: a planned push (cancelling drops it) or a bulk action (cancelling drops the code). */
  target: { pushId: number } | { bulk: true };
  /** One short line: `确认推送 #12`. */
  title: string;
  /** One line under it: `预计 933 人收到 · 10 分钟内有效`. */
  summary: string;
}

/**
 * A command's answer: its text, or the text with a picture, and `failed` (why, for the audit) when the command
 * could not do what was asked although nothing went wrong on Persona's side (the model's answer was unusable).
 */
export type BotAnswer =
  string | { text: string; image?: BotImage; images?: BotImage[]; failed?: string; confirmation?: BotConfirmation };

/** A subcommand (`segment count`), with its own lowest role. */
export interface BotSubcommand {
  name: string;
  aliases?: readonly string[];
  role: BotRole;
  /** How it is typed: one text, or one per locale (`/推送 <人群名> …` for a Chinese operator). */
  usage: string | BotText;
  summary: BotText;
}

/**
 * An operator bot command (`/qrcode store-01`). Names are English; aliases (Chinese) work the same. Its answer is
 * text in the request's locale; the engine splits long answers and audits every run.
 */
export interface BotCommand {
  name: string;
  aliases?: readonly string[];
  /** Lowest operator role allowed to run it (or any of its subcommands). Admin commands are refused in groups. */
  role: BotRole;
  /** How it is typed: one text, or one per locale (`/推送 <人群名> …` for a Chinese operator). */
  usage: string | BotText;
  summary: BotText;
  subcommands?: readonly BotSubcommand[];
  /** The subcommand a bare `/<name>` runs; without one, a bare name answers with the subcommands. */
  defaultSubcommand?: string;
  run(request: BotRequest): Promise<BotAnswer>;
}
