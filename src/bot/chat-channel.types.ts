import type { NoticeKind } from '../notices/notice.types';
import type { BotLocale } from './bot-command.types';
import type { ChatAnswer } from './bot-engine';

/** Where a channel stands, for `GET /api/bot/status`. */
export interface ChannelStatus {
  /** `wecom:hq`, `robot:ops`. */
  name: string;
  /** `wecom-app`, `wecom-robot`. */
  kind: string;
  /** `ready` (last call worked or none made yet), `failing` (the last call failed: see lastError). */
  state: 'ready' | 'failing';
  since: string;
  lastError: string | null;
  /** Anything else worth showing (messages sent, waiting in the queue). */
  detail?: Record<string, unknown>;
}

/**
 * A chat operators talk to the bot in, added by a plugin (a WeCom app): besides answering what operators send, it can
 * reach an operator unasked (the morning digest), by contact (`wecom:<userid>`).
 */
export interface ChatChannel {
  name: string;
  /** Whether this channel reaches the operator known by `contact`. */
  reaches(contact: string): boolean;
  /** Sends an answer unasked; false when it couldn't (the sender tries again another time). */
  sendTo(contact: string, answer: ChatAnswer): Promise<boolean>;
  status(): ChannelStatus;
}

/** What the team is told unasked: a notice or the morning digest, rendered in the reader's language on demand. */
export interface Announcement {
  kind: NoticeKind | 'digest';
  /** Something went wrong (a parked entry, a dead letter, no token), as opposed to news. */
  alert: boolean;
  render(locale: BotLocale): Promise<ChatAnswer>;
}

/** Where announcements go (a WeCom group robot), added by a plugin. */
export interface Announcer {
  name: string;
  /** Takes an announcement (it may queue it); never throws for a failed delivery, which it reports in its status. */
  announce(announcement: Announcement): Promise<void>;
  status(): ChannelStatus;
}
