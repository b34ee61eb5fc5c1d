import { createHash } from 'node:crypto';
import type {
  Announcement,
  Announcer,
  BotLocale,
  ChannelStatus,
  ChatAnswer,
  PluginContext,
} from '../../src/plugins/plugin-sdk';
import { monotonicMs, SlidingWindowLimiter } from '../../src/plugins/plugin-sdk';
import type { RobotTopic, WecomConfig, WecomRobot } from './wecom-config.schema';
import { checkAnswer, errcodeOf, exchange } from './wecom-http';
import { WecomApiError } from './wecom.errors';
import { utf8Chunks } from './utf8-chunks';

/** A robot's markdown message holds up to 4,096 bytes; a picture up to 2 MB. */
const markdownLimitBytes = 4096;
const imageLimitBytes = 2 * 1024 * 1024;
/** Announcements waiting beyond this are dropped oldest first (and counted in the status): a robot that can't keep up. */
const maxQueued = 200;

type RobotMessage =
  { msgtype: 'markdown'; markdown: { content: string } } | { msgtype: 'image'; image: { base64: string; md5: string } };

/** Which of a robot's topics an announcement belongs to. */
function topicOf(announcement: Announcement): RobotTopic {
  if (announcement.kind === 'digest') return 'digest';
  return announcement.alert ? 'alerts' : 'push.finished';
}

/**
 * A group robot (群机器人) the team's group hears from: finished pushes with their report and chart, alerts, the
 * morning digest — the topics it was configured for, in its language. Announcements queue and go out one at a time,
 * at most `perMinute` messages a minute (WeCom takes 20); a refusal for frequency (45009) waits and tries again, any
 * other failure is logged and shown in the status, and the next announcement goes on.
 */
export class WecomRobotAnnouncer implements Announcer {
  readonly name: string;
  private readonly url: URL;
  private readonly limiter: SlidingWindowLimiter;
  private readonly queue: Announcement[] = [];
  private readonly locale: BotLocale;
  private draining: Promise<void> | undefined;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private current: ChannelStatus;
  private posted = 0;
  private failed = 0;
  private dropped = 0;

  constructor(
    private readonly robot: WecomRobot,
    private readonly api: WecomConfig['api'],
    private readonly context: Pick<PluginContext, 'log' | 'clock' | 'settings'>,
  ) {
    this.name = `robot:${robot.name}`;
    this.url = new URL(robot.webhookUrl.reveal());
    this.locale = robot.locale ?? (context.settings.locale === 'en' ? 'en' : 'zh-CN');
    this.limiter = new SlidingWindowLimiter(robot.perMinute, monotonicMs, (ms) => this.pause(ms));
    this.current = {
      name: this.name,
      kind: 'wecom-robot',
      state: 'ready',
      since: context.clock().toISOString(),
      lastError: null,
    };
  }

  async announce(announcement: Announcement): Promise<void> {
    if (this.stopped || !this.robot.notify.includes(topicOf(announcement))) return;
    this.queue.push(announcement);
    if (this.queue.length > maxQueued) {
      this.queue.shift();
      this.dropped += 1;
      this.context.log.warn({ robot: this.name }, 'wecom robot: too many announcements waiting; the oldest is dropped');
    }
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  status(): ChannelStatus {
    return {
      ...this.current,
      detail: { posted: this.posted, failed: this.failed, queued: this.queue.length, dropped: this.dropped },
    };
  }

  /** Stops waiting: what is still queued is not sent (and is logged). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.draining;
    if (this.queue.length > 0)
      this.context.log.warn(
        { robot: this.name, left: this.queue.length },
        'wecom robot: stopped with announcements unsent',
      );
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.queue.length > 0) {
      const announcement = this.queue[0];
      try {
        for (const message of await this.messagesOf(await announcement.render(this.locale), announcement.alert)) {
          await this.post(message);
          if (this.stopped) return;
        }
        this.set('ready', null);
      } catch (error) {
        if (this.stopped) return;
        this.failed += 1;
        const hint = error instanceof WecomApiError ? error.hint : undefined;
        this.set('failing', `${(error as Error).message}${hint ? ` (${hint})` : ''}`);
        this.context.log.error(
          { err: error, robot: this.name, hint },
          'wecom robot: an announcement could not be posted',
        );
      }
      this.queue.shift();
    }
  }

  /** Markdown (cut under 4,096 bytes at line breaks; an alert in the warning colour), then each picture. */
  private async messagesOf(answer: ChatAnswer, alert: boolean): Promise<RobotMessage[]> {
    const text = answer.replies.join('\n\n');
    const [first, ...rest] = text.split('\n');
    const title = alert ? `<font color="warning">${first}</font>` : `**${first}**`;
    const messages: RobotMessage[] = utf8Chunks([title, ...rest].join('\n'), markdownLimitBytes).map((content) => ({
      msgtype: 'markdown',
      markdown: { content },
    }));
    for (const image of answer.images) {
      if (!image.png || image.png.length > imageLimitBytes) continue;
      messages.push({
        msgtype: 'image',
        image: { base64: image.png.toString('base64'), md5: createHash('md5').update(image.png).digest('hex') },
      });
    }
    return messages;
  }

  /** One message in its slot of the minute; 45009 (over WeCom's own count) waits and tries again. */
  private async post(message: RobotMessage): Promise<void> {
    const path = 'webhook/send';
    const redact = (text: string) => text.replace(/\bkey=[^&\s"']*/gi, 'key=[redacted]');
    for (let attempt = 1; ; attempt += 1) {
      await this.limiter.acquire();
      if (this.stopped) throw new Error('stopped');
      const result = await exchange(
        this.url,
        { method: 'POST', body: JSON.stringify(message), json: true },
        // A robot message carries no id: one whose answer was lost is not posted again (it would show twice).
        { timeoutMs: this.api.timeoutMs, path, repeatable: false, redact },
      );
      let retry: string;
      if ('transient' in result) retry = result.transient;
      else if (errcodeOf(result.json) === 45009) retry = '45009';
      else {
        checkAnswer(result.json, path);
        this.posted += 1;
        return;
      }
      if (attempt >= this.api.maxAttempts)
        throw new WecomApiError(-1, retry, path, `WeCom ${path} failed after ${attempt} attempts: ${retry}`);
      await this.pause(retry === '45009' ? this.api.rateLimitWaitMs : this.api.retryBaseMs * 2 ** (attempt - 1));
    }
  }

  /** A wait that a stop cuts short. */
  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }

  private set(state: ChannelStatus['state'], lastError: string | null): void {
    if (state !== this.current.state)
      this.current = { ...this.current, state, since: this.context.clock().toISOString() };
    this.current = { ...this.current, lastError: state === 'ready' ? null : lastError };
  }
}
