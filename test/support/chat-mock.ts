import { log, types } from 'wechaty-puppet';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import type { WechatyStatus } from '../../src/bot/wechaty.transport';
import type { Persona } from '../../src/app';

// Wechaty's own logger writes to the console; the tests read Persona's log instead.
log.level('silent');

type ContactMock = ReturnType<mock.Mocker['createContact']>;
type RoomMock = ReturnType<mock.Mocker['createRoom']>;

/** A puppet whose start fails while `reachable()` says no: the puppet service can't be reached. */
class FlakyPuppet extends PuppetMock {
  constructor(options: ConstructorParameters<typeof PuppetMock>[0], reachable: () => boolean) {
    super(options);
    const start = this.start.bind(this);
    this.start = () => (reachable() ? start() : Promise.reject(new Error('the puppet service can’t be reached')));
  }
}

/**
 * A WeChat world for the bot through wechaty-puppet-mock: the bot's own account, contacts who write to it, and a
 * puppet maker for Persona (whose puppet can't be started while `reachable` is false).
 */
export class ChatMock {
  readonly mocker = new mock.Mocker();
  readonly account: ContactMock;

  constructor(public reachable = true) {
    this.account = this.mocker.createContact({ id: 'wxid_persona_bot', name: 'Persona' });
  }

  readonly puppet = (): object => new FlakyPuppet({ mocker: this.mocker }, () => this.reachable);

  contact(id: string, name: string, alias?: string): ContactMock {
    return this.mocker.createContact({ id, name, ...(alias ? { alias } : {}) });
  }

  room(topic: string, members: ContactMock[]): RoomMock {
    return this.mocker.createRoom({ topic, memberIdList: [this.account.id, ...members.map((member) => member.id)] });
  }

  login(): void {
    this.mocker.login(this.account);
  }

  /** Says `text` to the bot and resolves with the bot's next `count` messages to `from` (in a chat or a room; a picture reads `[image]`). */
  async ask(
    from: ContactMock,
    text: string,
    options: { count?: number; room?: RoomMock; mention?: boolean } = {},
  ): Promise<string[]> {
    const count = options.count ?? 1;
    const where = options.room ?? from;
    const replies = new Promise<string[]>((resolve) => {
      const received: string[] = [];
      const listener = (message: { talker(): { id: string }; text(): string; type(): types.Message }) => {
        if (message.talker().id !== this.account.id) return;
        received.push(message.type() === types.Message.Image ? '[image]' : message.text());
        if (received.length === count) {
          where.off('message', listener as never);
          resolve(received);
        }
      };
      where.on('message', listener as never);
    });
    if (options.room)
      from
        .say(
          options.mention === false ? text : `@${this.account.payload.name} ${text}`,
          options.mention === false ? [] : [this.account],
        )
        .to(options.room);
    else from.say(text).to(this.account);
    return replies;
  }

  /** Resolves with the bot's next `count` messages to `to`, unasked (a picture reads `[image]`). */
  receive(to: ContactMock, count: number): Promise<string[]> {
    return new Promise<string[]>((resolve) => {
      const received: string[] = [];
      const listener = (message: { talker(): { id: string }; text(): string; type(): types.Message }) => {
        if (message.talker().id !== this.account.id) return;
        received.push(message.type() === types.Message.Image ? '[image]' : message.text());
        if (received.length === count) {
          to.off('message', listener as never);
          resolve(received);
        }
      };
      to.on('message', listener as never);
    });
  }
}

/** Resolves with the replies to `sender`'s message `text` once the bot has handled it (none when it ignored it). */
export function answerTo(persona: Persona, sender: string, text: string): Promise<string[]> {
  const transport = persona.bot.wechaty;
  if (!transport) throw new Error('the bot has no WeChat connection');
  return new Promise((resolve) => {
    const off = transport.onAnswered((message, answer) => {
      if (message.sender.id !== sender || message.text !== text) return;
      off();
      resolve(answer.replies);
    });
  });
}

/** Resolves once the bot's WeChat connection reaches a status `wanted` accepts (at once if it already has). */
export function botStatus(persona: Persona, wanted: (status: WechatyStatus) => boolean): Promise<WechatyStatus> {
  const transport = persona.bot.wechaty;
  if (!transport) throw new Error('the bot has no WeChat connection');
  if (wanted(transport.status)) return Promise.resolve(transport.status);
  return new Promise((resolve) => {
    const off = transport.onStatus((status) => {
      if (!wanted(status)) return;
      off();
      resolve(status);
    });
  });
}
