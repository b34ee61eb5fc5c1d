import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * WeCom's (企业微信) server API (`https://qyapi.weixin.qq.com/cgi-bin/`) on loopback, as far as a self-built app and a
 * group robot call it, with WeCom's JSON bodies, error codes and limits. Written from WeCom's documentation (the facts
 * gathered for this fake), independently of the plugin's client, so a shared mistake can't hide.
 *
 * Every error's errmsg ends as WeCom's do: `…, more info at https://open.work.weixin.qq.com/devtool/query?e=<code>`
 * (60020 also names the caller's IP, as WeCom's does). Match on errcode: the errmsgs are plausible, not WeCom's exact
 * text.
 *
 * Error codes where WeCom's documentation names none for the case, chosen here from its global error-code list:
 * - a malformed JSON body: 40058 "Warning: wrong json format. invalid Request Parameter"; an empty body, or GET where
 *   POST is needed: 40063 (参数为空).
 * - a template_card `task_id` already used by the app (as well as a malformed one): 42014 (task_id 不合法);
 *   `button_list` with 0 or more than 6 buttons: 40058; a button without a key or a key used twice: 42018 (按钮key值不合法).
 * - a card type the fake doesn't model (only `button_interaction` and `text_notice` are), or a card without a title:
 *   40058.
 * - `update_template_card` with a response_code WeCom never gave (or older than its 72 h life): 40058
 *   "invalid response_code"; one already used: 42022 (code 已经被使用过), which the docs do name.
 * - no recipient at all (no touser/toparty/totag, or no userids/partyids/tagids/atall for an update): 81013, as when
 *   all are invalid.
 * - `media/upload`: no `media` part, an empty file, or a body that isn't multipart: 44001 (多媒体文件为空); a file
 *   of 5 bytes or less, or over the type's limit: 40006 (40009 for an image over 10 MB); bytes that aren't PNG or JPEG
 *   with `type=image`: 40123 (上传临时图片素材，图片格式非法); an unknown `type`: 40005.
 * - group robot: markdown over 4096 bytes or text over 2048 bytes: 40058 `markdown.content exceed max length 4096. …`
 *   (observed from WeCom); an image whose md5 doesn't match its bytes: 301019 (文件的md5不合法); an image over 2 MB:
 *   40009; not PNG or JPEG: 40123; the 21st message within 60 s: 45009 "api freq out of limit" (observed).
 * - an empty text (app or robot): 44004; an empty markdown: 44004 too.
 * - an unknown path: HTTP 404 with a text body; a body over 12 MB: HTTP 413.
 */

/**
 * A fault for the next request(s) to `path` (any path but `gettoken` when absent), `times` times (once when absent):
 * a WeCom error body (the errmsg WeCom would send when absent), an HTTP status with a text body, a late answer (the
 * request takes effect at once; only the answer waits), a connection dropped without an answer (before the request
 * takes effect), or every token issued so far expiring just before the request is handled.
 */
export type FakeWecomFault = { path?: string; times?: number } & (
  | { errcode: number; errmsg?: string }
  | { status: number; /** The text answered; an nginx-style error page when absent. */ body?: string }
  | { delayMs: number }
  | { drop: true }
  | { expireTokens: true }
);

export interface FakeWecomRequest {
  method: string;
  /** Relative to `/cgi-bin/`, without the query, e.g. `message/send`. */
  path: string;
  /**
   * The parsed JSON body; the text when it isn't JSON; undefined when empty. For a multipart upload, `{ multipart }`
   * listing its parts (without their bytes, which `uploads` keeps).
   */
  body: unknown;
  /** The `access_token` query parameter, so tests can tell which token a request carried. */
  accessToken?: string;
  /** Every query parameter (the last value when repeated). */
  query: Record<string, string>;
}

/** A message `message/send` accepted, one per recipient member (a send to `a|b` is recorded twice, msgid shared). */
export interface FakeWecomMessage {
  /** One member's userid; `@all`, or a party/tag list when the fake has no members to expand them to. */
  touser: string;
  msgtype: string;
  /** The whole request body. */
  body: Json;
  msgid: string;
  /** For interaction cards: the response_code the send answered. */
  responseCode?: string;
  /**
   * Over the member's limit for this app (30 a minute, 1000 an hour): WeCom answers ok but never delivers it.
   * Tests assert `messages.every((m) => !m.dropped)`.
   */
  dropped: boolean;
}

export interface FakeWecomUpload {
  mediaId: string;
  type: string;
  filename: string;
  bytes: Buffer;
}

export interface FakeWecomCardUpdate {
  userids: string[];
  responseCode: string;
  replaceName?: string;
  templateCard?: Json;
}

export interface FakeWecomRobotMessage {
  key: string;
  msgtype: string;
  body: Json;
}

type Json = Record<string, unknown>;
type Answer = { status: number; contentType: string; text: string };
type Context = { now: number; ip: string };

interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  filelength?: string;
  bytes: Buffer;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const tokenLifetimeSeconds = 7200;
/** A 10 MB image upload, or a 2 MB robot image (2.7 MB once in base64), fits. */
const maxBodyBytes = 12 * 1024 * 1024;
const perMemberPerMinute = 30;
const perMemberPerHour = 1000;
const robotPerMinute = 20;
const responseCodeLifetimeMs = 72 * HOUR;
const mediaLifetimeMs = 3 * 24 * HOUR;
/** Bytes, UTF-8. Robot markdown takes 4096; app markdown and all text 2048. */
const contentLimit = { text: 2048, markdown: 2048, robotText: 2048, robotMarkdown: 4096 };
const uploadLimits: Record<string, number> = {
  image: 10 * 1024 * 1024,
  voice: 2 * 1024 * 1024,
  video: 10 * 1024 * 1024,
  file: 20 * 1024 * 1024,
};
const robotImageLimit = 2 * 1024 * 1024;
const appMsgtypes = new Set(['text', 'markdown', 'image', 'template_card']);
const modelledCardTypes = new Set(['button_interaction', 'text_notice']);
const interactionCardTypes = new Set(['button_interaction', 'vote_interaction', 'multiple_interaction']);
const taskIdPattern = /^[A-Za-z0-9_\-@]+$/;

/** The errmsg before WeCom's `, more info at …` suffix, for each code the fake answers (or a test may inject). */
const errmsgs: Record<number, string> = {
  [-1]: 'system busy',
  40001: 'invalid credential',
  40005: 'invalid type',
  40006: 'invalid file size',
  40007: 'invalid media_id',
  40008: 'invalid message type',
  40009: 'invalid image size',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40032: 'invalid userid list size',
  40056: 'invalid agentid',
  40058: 'invalid Request Parameter',
  40063: 'some parameters are empty',
  40123: 'invalid image format',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41011: 'agentid missing',
  42001: 'access_token expired',
  42014: 'invalid task_id',
  42018: 'invalid button key',
  42022: 'response_code has been used, it can only be used once',
  44001: 'empty media data',
  44004: 'empty content',
  45002: 'content size out of limit',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  48002: 'api forbidden',
  60020: 'not allow to access from your ip',
  81013: 'user & party & tag all invalid',
  93000: 'invalid webhook url',
  93004: 'webhook robot disabled',
  301019: 'invalid file md5',
};

/**
 * The errmsg the fake answers for `errcode` (60020's also carries a hint and the caller's IP), so a test can compare a
 * whole error body: `{ errcode: 42001, errmsg: wecomErrmsg(42001) }`.
 */
export function wecomErrmsg(errcode: number, detail = errmsgs[errcode] ?? 'error'): string {
  return `${detail}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const bytesOf = (text: string) => Buffer.byteLength(text, 'utf8');

function json(body: Json, status = 200): Answer {
  return { status, contentType: 'application/json; charset=UTF-8', text: JSON.stringify(body) };
}

function wecomError(errcode: number, detail?: string): Answer {
  return json({ errcode, errmsg: wecomErrmsg(errcode, detail) });
}

/** PNG or JPEG, by their magic bytes: the only image formats WeCom takes. */
function isPngOrJpeg(bytes: Buffer): boolean {
  const png =
    bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  return png || jpeg;
}

/** An opaque id in WeCom's style (base64url), `bytes` random bytes long before encoding. */
const opaqueId = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * A fake WeCom API server. App (self-built application): `gettoken` (GET), `message/send`, `media/upload` (multipart),
 * `message/update_template_card`. Group robot: `webhook/send?key=` (no access_token). It records what it accepted
 * (`messages`, with per-member drops flagged; `uploads`; `cardUpdates`; `robotMessages`) and every request
 * (`requests`), keeps WeCom's rate limits on an injectable clock, and answers faults queued with `inject`.
 */
export class FakeWecomApi {
  readonly corpId: string;
  readonly secret: string;
  readonly agentId: number;
  /** `http://127.0.0.1:<port>/cgi-bin/`; clients append paths such as `gettoken`. */
  readonly baseUrl: string;
  /** Added to every answer (not to dropped connections), for benches. */
  latencyMs = 0;
  /** New access tokens `gettoken` issued (a repeated call within a token's life answers the same one). */
  tokensIssued = 0;

  readonly requests: FakeWecomRequest[] = [];
  readonly messages: FakeWecomMessage[] = [];
  readonly uploads: FakeWecomUpload[] = [];
  readonly cardUpdates: FakeWecomCardUpdate[] = [];
  readonly robotMessages: FakeWecomRobotMessage[] = [];

  private readonly now: () => number;
  private members: Set<string> | undefined;
  private readonly robots = new Set<string>();
  private readonly tokens = new Map<string, { issuedAt: number; expired: boolean }>();
  private currentToken: string | undefined;
  private readonly faults: { fault: FakeWecomFault; remaining: number }[] = [];
  private readonly media = new Map<string, { type: string; createdAt: number }>();
  private readonly taskIds = new Set<string>();
  private readonly responseCodes = new Map<string, { issuedAt: number; used: boolean }>();
  /** Delivery times per member, for the per-member limits (dropped messages don't count). */
  private readonly deliveries = new Map<string, number[]>();
  private readonly robotSends = new Map<string, number[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private hints = 0;

  private constructor(
    private readonly server: Server,
    options: { corpId: string; secret: string; agentId: number; now: () => number },
  ) {
    this.corpId = options.corpId;
    this.secret = options.secret;
    this.agentId = options.agentId;
    this.now = options.now;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}/cgi-bin/`;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(() => res.destroy());
    });
  }

  /**
   * Listens on an ephemeral loopback port. `now` (milliseconds, `Date.now` by default) drives token and response_code
   * lifetimes and the rate-limit windows, so a test can advance time instead of waiting.
   */
  static async start(
    options: { corpId?: string; secret?: string; agentId?: number; now?: () => number } = {},
  ): Promise<FakeWecomApi> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeWecomApi(server, {
      corpId: options.corpId ?? 'ww1436e0e65a779aee',
      secret: options.secret ?? 'fake-wecom-secret',
      agentId: options.agentId ?? 1000002,
      now: options.now ?? Date.now,
    });
  }

  /** Stops listening and cuts open connections, including answers still waiting on a delay. */
  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Every token issued so far expires: calls with one answer 42001, and `gettoken` issues a new one. */
  expireTokens(): void {
    for (const state of this.tokens.values()) state.expired = true;
    this.currentToken = undefined;
  }

  /**
   * The app's visible members. Once set, other userids are invalid (`invaliduser`, or 81013 when no recipient is
   * valid) and `@all` means these; until then every userid is valid.
   */
  setMembers(userids: string[]): void {
    this.members = new Set(userids);
  }

  /** A group robot whose webhook key is `key`; other keys answer 93000. */
  addRobot(key: string): void {
    this.robots.add(key);
  }

  /** The robot's webhook URL, as WeCom shows it: no access_token, only the key. */
  robotUrl(key: string): string {
    return `${this.baseUrl}webhook/send?key=${key}`;
  }

  /** A media_id the fake knows without an upload (valid three days from now), e.g. for an image message. */
  addMedia(mediaId: string, type = 'image'): void {
    this.media.set(mediaId, { type, createdAt: this.now() });
  }

  /**
   * A fresh response_code, as WeCom puts in the `template_card_event` callback when a member clicks a card's button;
   * `update_template_card` takes it once.
   */
  clickCode(): string {
    return this.mintResponseCode();
  }

  /** Queues a fault; faults apply in the order injected, at most one per request. */
  inject(fault: FakeWecomFault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  /** Faults injected but not yet consumed (counting `times`), so a test can check its faults were all hit. */
  get pendingFaults(): number {
    return this.faults.reduce((sum, entry) => sum + entry.remaining, 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname.startsWith('/cgi-bin/') ? url.pathname.slice('/cgi-bin/'.length) : url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const contentType = req.headers['content-type'] ?? '';
    const raw = await readBody(req);

    let body: unknown;
    let parts: MultipartPart[] | undefined;
    if (raw !== undefined && /^multipart\/form-data/i.test(contentType)) {
      parts = parseMultipart(raw, contentType);
      body = {
        multipart: (parts ?? []).map(({ bytes, ...headers }) => ({ ...headers, size: bytes.length })),
      };
    } else if (raw !== undefined && raw.length > 0) {
      const text = raw.toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    this.requests.push({ method, path, body, accessToken: url.searchParams.get('access_token') ?? undefined, query });
    if (raw === undefined)
      return this.reply(res, {
        status: 413,
        contentType: 'text/html',
        text: '<html><body><h1>413 Request Entity Too Large</h1></body></html>',
      });

    const context: Context = { now: this.now(), ip: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '') };
    const fault = this.takeFault(path);
    if (fault && 'drop' in fault) {
      req.socket.destroy();
      return;
    }
    let answer: Answer;
    if (fault && 'status' in fault) {
      answer = {
        status: fault.status,
        contentType: 'text/html',
        text: fault.body ?? `<html><body><h1>${fault.status} Service Unavailable</h1></body></html>`,
      };
    } else if (fault && 'errcode' in fault) {
      answer = json({ errcode: fault.errcode, errmsg: fault.errmsg ?? this.defaultErrmsg(fault.errcode, context) });
    } else {
      if (fault && 'expireTokens' in fault) this.expireTokens();
      answer = this.route(method, path, url.searchParams, { raw, body, parts }, context);
    }
    // The request has taken effect; only the answer is late (as when WeCom is slow to answer a send it made).
    const wait = this.latencyMs + (fault && 'delayMs' in fault ? fault.delayMs : 0);
    if (wait > 0) await this.delay(wait);
    this.reply(res, answer);
  }

  /** WeCom's errmsg; 60020's names a hint and the caller's IP, as WeCom's does. */
  private defaultErrmsg(errcode: number, context: Context): string {
    if (errcode !== 60020) return wecomErrmsg(errcode);
    this.hints += 1;
    const hint = `${Math.floor(context.now / 1000)}_${this.hints}_${randomBytes(16).toString('hex')}`;
    return wecomErrmsg(60020, `${errmsgs[60020]}, hint: [${hint}], from ip: ${context.ip}`);
  }

  private takeFault(path: string): FakeWecomFault | undefined {
    const index = this.faults.findIndex(({ fault }) =>
      fault.path === undefined ? path !== 'gettoken' : fault.path === path,
    );
    if (index < 0) return undefined;
    const entry = this.faults[index];
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    request: { raw: Buffer; body: unknown; parts: MultipartPart[] | undefined },
    context: Context,
  ): Answer {
    if (path === 'gettoken') return this.getToken(query, context);
    if (path === 'webhook/send') return this.robotSend(method, query, request.raw, request.body, context);
    const endpoint = this.endpoints[path];
    if (!endpoint && path !== 'media/upload')
      return { status: 404, contentType: 'text/html', text: '<html><body><h1>404 Not Found</h1></body></html>' };
    const tokenError = this.checkToken(query.get('access_token'), context);
    if (tokenError) return tokenError;
    if (method !== 'POST') return wecomError(40063);
    if (path === 'media/upload') return this.upload(query, request.parts, context);
    const { json: body, error } = jsonBody(request.raw, request.body);
    return error ?? endpoint(body, context);
  }

  private checkToken(token: string | null, context: Context): Answer | undefined {
    if (!token) return wecomError(41001);
    const state = this.tokens.get(token);
    if (!state) return wecomError(40014);
    return state.expired || context.now - state.issuedAt >= tokenLifetimeSeconds * 1000 ? wecomError(42001) : undefined;
  }

  /** Within a token's life `gettoken` answers the same token (as WeCom does); after it, or after expiry, a new one. */
  private getToken(query: URLSearchParams, context: Context): Answer {
    const corpid = query.get('corpid');
    const secret = query.get('corpsecret');
    if (!nonEmpty(corpid)) return wecomError(41002);
    if (!nonEmpty(secret)) return wecomError(41004);
    if (corpid !== this.corpId) return wecomError(40013);
    if (secret !== this.secret) return wecomError(40001);
    const current = this.currentToken === undefined ? undefined : this.tokens.get(this.currentToken);
    if (!current || current.expired || context.now - current.issuedAt >= tokenLifetimeSeconds * 1000) {
      this.tokensIssued += 1;
      // WeCom's tokens are long opaque strings (up to 512 bytes); this one also says which it was.
      this.currentToken = `${this.tokensIssued}_${opaqueId(96)}`;
      this.tokens.set(this.currentToken, { issuedAt: context.now, expired: false });
    }
    return json({ errcode: 0, errmsg: 'ok', access_token: this.currentToken, expires_in: tokenLifetimeSeconds });
  }

  private mintResponseCode(): string {
    const code = opaqueId(48);
    this.responseCodes.set(code, { issuedAt: this.now(), used: false });
    return code;
  }

  /** Splits a `a|b` list, dropping empty entries. */
  private static list(value: unknown): string[] {
    return typeof value === 'string' ? value.split('|').filter((item) => item.length > 0) : [];
  }

  private isMember(userid: string): boolean {
    return this.members === undefined || this.members.has(userid);
  }

  /** Whether `userid` may get one more message now; records the delivery when so. */
  private deliver(userid: string, now: number): boolean {
    const times = (this.deliveries.get(userid) ?? []).filter((time) => now - time < HOUR);
    const lastMinute = times.filter((time) => now - time < MINUTE).length;
    const allowed = lastMinute < perMemberPerMinute && times.length < perMemberPerHour;
    if (allowed) times.push(now);
    this.deliveries.set(userid, times);
    return allowed;
  }

  /** The error for a malformed message of `msgtype`, or undefined when it is well-formed. */
  private contentError(msgtype: string, body: Json, context: Context): Answer | undefined {
    const content = body[msgtype];
    switch (msgtype) {
      case 'text':
      case 'markdown': {
        if (!isObject(content) || !nonEmpty(content.content)) return wecomError(44004);
        return bytesOf(content.content) > contentLimit[msgtype] ? wecomError(45002) : undefined;
      }
      case 'image': {
        const media = isObject(content) && nonEmpty(content.media_id) ? this.media.get(content.media_id) : undefined;
        const valid = media !== undefined && media.type === 'image' && context.now - media.createdAt < mediaLifetimeMs;
        return valid ? undefined : wecomError(40007);
      }
      case 'template_card':
        return isObject(content) ? this.cardError(content, true) : wecomError(40058, 'template_card missing');
      default:
        return wecomError(40008);
    }
  }

  /** A template card's error; `sending` also checks the task_id is new to the app. */
  private cardError(card: Json, sending: boolean): Answer | undefined {
    const cardType = card.card_type;
    if (typeof cardType !== 'string' || !modelledCardTypes.has(cardType))
      return wecomError(40058, 'invalid card_type. invalid Request Parameter');
    const title = isObject(card.main_title) ? card.main_title.title : undefined;
    if (!nonEmpty(title) && !nonEmpty(card.sub_title_text))
      return wecomError(40058, 'main_title.title or sub_title_text required. invalid Request Parameter');
    const taskId = card.task_id;
    const needsTaskId = cardType === 'button_interaction' || card.action_menu !== undefined;
    if (taskId !== undefined || needsTaskId) {
      if (typeof taskId !== 'string' || !taskIdPattern.test(taskId) || bytesOf(taskId) > 128) return wecomError(42014);
      if (sending && this.taskIds.has(taskId)) return wecomError(42014, 'task_id already exists');
    }
    if (cardType === 'text_notice' && !isObject(card.card_action))
      return wecomError(40058, 'card_action required. invalid Request Parameter');
    if (cardType === 'button_interaction') {
      const buttons = card.button_list;
      if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 6)
        return wecomError(40058, 'button_list size must be 1 to 6. invalid Request Parameter');
      const keys = new Set<string>();
      for (const button of buttons) {
        if (!isObject(button) || !nonEmpty(button.text)) return wecomError(40058, 'button text missing');
        // A url button (type 1) needs no key; a callback button (type 0, the default) does, and a unique one.
        if (button.type === 1) continue;
        const key = button.key;
        if (!nonEmpty(key) || bytesOf(key) > 1024 || keys.has(key)) return wecomError(42018);
        keys.add(key);
      }
    }
    return undefined;
  }

  private agentError(agentid: unknown): Answer | undefined {
    if (agentid === undefined || agentid === null || agentid === '') return wecomError(41011);
    return Number(agentid) === this.agentId ? undefined : wecomError(40056);
  }

  private readonly endpoints: Record<string, (body: Json, context: Context) => Answer> = {
    'message/send': (body, context) => {
      const agentError = this.agentError(body.agentid);
      if (agentError) return agentError;
      const msgtype = body.msgtype;
      if (typeof msgtype !== 'string' || !appMsgtypes.has(msgtype)) return wecomError(40008);
      const invalid = this.contentError(msgtype, body, context);
      if (invalid) return invalid;

      const users = FakeWecomApi.list(body.touser);
      if (users.length > 1000) return wecomError(40032);
      const all = users.includes('@all');
      const named = all ? [] : [...new Set(users)];
      const validUsers = named.filter((userid) => this.isMember(userid));
      const invalidUsers = named.filter((userid) => !this.isMember(userid));
      // The fake knows no departments or tags: they are all invalid.
      const parties = FakeWecomApi.list(body.toparty);
      const tags = FakeWecomApi.list(body.totag);
      if (!all && validUsers.length === 0) return wecomError(81013);

      const recipients = all ? (this.members ? [...this.members] : ['@all']) : validUsers;
      const card = body.template_card;
      const cardType = isObject(card) ? card.card_type : undefined;
      if (isObject(card) && typeof card.task_id === 'string') this.taskIds.add(card.task_id);
      const responseCode =
        msgtype === 'template_card' && typeof cardType === 'string' && interactionCardTypes.has(cardType)
          ? this.mintResponseCode()
          : undefined;
      const msgid = opaqueId(64);
      for (const touser of recipients) {
        // `@all` without a member list isn't one member: nothing to limit.
        const dropped = touser === '@all' ? false : !this.deliver(touser, context.now);
        this.messages.push({ touser, msgtype, body, msgid, ...(responseCode ? { responseCode } : {}), dropped });
      }
      return json({
        errcode: 0,
        errmsg: 'ok',
        invaliduser: invalidUsers.join('|'),
        ...(parties.length > 0 ? { invalidparty: parties.join('|') } : {}),
        ...(tags.length > 0 ? { invalidtag: tags.join('|') } : {}),
        msgid,
        ...(responseCode ? { response_code: responseCode } : {}),
      });
    },

    'message/update_template_card': (body, context) => {
      const agentError = this.agentError(body.agentid);
      if (agentError) return agentError;
      const code = body.response_code;
      const state = nonEmpty(code) ? this.responseCodes.get(code) : undefined;
      if (!nonEmpty(code) || !state || context.now - state.issuedAt >= responseCodeLifetimeMs)
        return wecomError(40058, 'invalid response_code. invalid Request Parameter');
      if (state.used) return wecomError(42022);
      const replaceName = isObject(body.button) ? body.button.replace_name : undefined;
      const templateCard = body.template_card;
      if (isObject(templateCard)) {
        const invalid = this.cardError(templateCard, false);
        if (invalid) return invalid;
      } else if (!nonEmpty(replaceName)) {
        return wecomError(40058, 'button.replace_name or template_card required. invalid Request Parameter');
      }
      const userids = Array.isArray(body.userids) ? body.userids.filter(nonEmpty) : [];
      if (userids.length > 1000) return wecomError(40032);
      const invalidUsers = userids.filter((userid) => !this.isMember(userid));
      const targetsAll = body.atall === 1;
      if (!targetsAll && userids.length === invalidUsers.length) return wecomError(81013);
      state.used = true;
      this.cardUpdates.push({
        userids,
        responseCode: code,
        ...(nonEmpty(replaceName) ? { replaceName } : {}),
        ...(isObject(templateCard) ? { templateCard } : {}),
      });
      return json({ errcode: 0, errmsg: 'ok', invaliduser: invalidUsers });
    },
  };

  private upload(query: URLSearchParams, parts: MultipartPart[] | undefined, context: Context): Answer {
    const type = query.get('type') ?? '';
    const limit = uploadLimits[type];
    if (limit === undefined) return wecomError(40005);
    const part = parts?.find(({ name }) => name === 'media');
    if (!part || part.bytes.length === 0) return wecomError(44001);
    if (part.bytes.length <= 5) return wecomError(40006);
    if (part.bytes.length > limit) return wecomError(type === 'image' ? 40009 : 40006);
    if (type === 'image' && !isPngOrJpeg(part.bytes)) return wecomError(40123);
    const mediaId = `3${opaqueId(32)}`;
    this.media.set(mediaId, { type, createdAt: context.now });
    this.uploads.push({ mediaId, type, filename: part.filename ?? '', bytes: Buffer.from(part.bytes) });
    // created_at is a string in WeCom's answers, and errmsg is empty.
    return json({
      errcode: 0,
      errmsg: '',
      type,
      media_id: mediaId,
      created_at: String(Math.floor(context.now / 1000)),
    });
  }

  private robotSend(method: string, query: URLSearchParams, raw: Buffer, parsed: unknown, context: Context): Answer {
    const key = query.get('key') ?? '';
    if (!this.robots.has(key)) return wecomError(93000);
    if (method !== 'POST') return wecomError(40063);
    const { json: body, error } = jsonBody(raw, parsed);
    if (error) return error;
    const msgtype = body.msgtype;
    const content = typeof msgtype === 'string' ? body[msgtype] : undefined;
    switch (msgtype) {
      case 'text':
      case 'markdown': {
        if (!isObject(content) || !nonEmpty(content.content)) return wecomError(44004);
        const limit = msgtype === 'text' ? contentLimit.robotText : contentLimit.robotMarkdown;
        if (bytesOf(content.content) > limit)
          return wecomError(40058, `${msgtype}.content exceed max length ${limit}. invalid Request Parameter`);
        break;
      }
      case 'image': {
        if (!isObject(content) || !nonEmpty(content.base64) || !nonEmpty(content.md5))
          return wecomError(40058, 'image.base64 and image.md5 required. invalid Request Parameter');
        const bytes = Buffer.from(content.base64, 'base64');
        if (bytes.length === 0) return wecomError(44001);
        if (bytes.length > robotImageLimit) return wecomError(40009);
        if (createHash('md5').update(bytes).digest('hex') !== content.md5.toLowerCase()) return wecomError(301019);
        if (!isPngOrJpeg(bytes)) return wecomError(40123);
        break;
      }
      default:
        return wecomError(40008);
    }
    const times = (this.robotSends.get(key) ?? []).filter((time) => context.now - time < MINUTE);
    this.robotSends.set(key, times);
    if (times.length >= robotPerMinute) return wecomError(45009);
    times.push(context.now);
    this.robotMessages.push({ key, msgtype, body });
    return json({ errcode: 0, errmsg: 'ok' });
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private reply(res: ServerResponse, answer: Answer): void {
    // The client may have given up (timed out) while the answer was delayed.
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.text);
  }
}

/** The JSON object a POST carried, or WeCom's error for an empty or malformed body. */
function jsonBody(
  raw: Buffer,
  parsed: unknown,
): { json: Json; error?: undefined } | { json?: undefined; error: Answer } {
  if (raw.length === 0) return { error: wecomError(40063) };
  if (!isObject(parsed)) return { error: wecomError(40058, 'Warning: wrong json format. invalid Request Parameter') };
  return { json: parsed };
}

/** The body, or undefined when it is over the limit (the rest is read and thrown away so the 413 can be sent). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBodyBytes ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The parts of a multipart/form-data body (RFC 7578), or undefined when it isn't one: the boundary from the
 * content-type, each part's `Content-Disposition` parameters (`name`, `filename`, and WeCom's `filelength`) and
 * `Content-Type`, and its bytes exactly.
 */
function parseMultipart(body: Buffer, contentType: string): MultipartPart[] | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!match) return undefined;
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const nextDelimiter = Buffer.concat([Buffer.from('\r\n'), delimiter]);
  const parts: MultipartPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) return undefined;
  for (;;) {
    let pos = at + delimiter.length;
    // The close delimiter ends the body.
    if (body.subarray(pos, pos + 2).toString('latin1') === '--') return parts;
    // Skip transport padding up to the line break.
    const lineEnd = body.indexOf('\r\n', pos);
    if (lineEnd < 0) return undefined;
    pos = lineEnd + 2;
    let contentStart: number;
    let headerLines: string[];
    if (body.subarray(pos, pos + 2).toString('latin1') === '\r\n') {
      headerLines = [];
      contentStart = pos + 2;
    } else {
      const headerEnd = body.indexOf('\r\n\r\n', pos);
      if (headerEnd < 0) return undefined;
      headerLines = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
      contentStart = headerEnd + 4;
    }
    const contentEnd = body.indexOf(nextDelimiter, contentStart);
    if (contentEnd < 0) return undefined;
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = dispositionParams(headers.get('content-disposition') ?? '');
    parts.push({
      name: disposition.name ?? '',
      ...(disposition.filename !== undefined ? { filename: disposition.filename } : {}),
      ...(headers.has('content-type') ? { contentType: headers.get('content-type') } : {}),
      ...(disposition.filelength !== undefined ? { filelength: disposition.filelength } : {}),
      bytes: body.subarray(contentStart, contentEnd),
    });
    at = contentEnd + 2;
  }
}

/** `form-data; name="media";filename="a.png"; filelength=6` → its parameters (quoted or not, spaced or not). */
function dispositionParams(value: string): Record<string, string> {
  const params: Record<string, string> = {};
  const pattern = /;\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const [, name, quoted, bare] of value.matchAll(pattern)) {
    const text = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare.trim();
    // Browsers and Node's FormData percent-encode the quote and line breaks in a filename.
    params[name.toLowerCase()] = text.replace(/%22/g, '"').replace(/%0A/gi, '\n').replace(/%0D/gi, '\r');
  }
  return params;
}
