import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * WeChat's official-account API (`https://api.weixin.qq.com/cgi-bin/`) on loopback, as far as Persona calls it, with
 * WeChat's JSON bodies and error codes. Written from ../shared/wechat/PROTOCOL.md and WeChat's documentation,
 * independently of the plugin's client, so a shared mistake can't hide.
 *
 * Error codes where WeChat's documentation names none, chosen here:
 * - `message/mass/get` for a msg_id it never gave: 40097 "invalid args".
 * - more than 10000 openids for `message/mass/send`, and 0 or more than 100 for `user/info/batchget`: 40032
 *   "invalid openid list size" (the code WeChat's user APIs use for list sizes; fewer than two for a mass send is 40130).
 * - an unknown path: HTTP 404 with a text body.
 */

/** A follower as `user/info/batchget` describes them; what the test leaves out gets a plausible default. */
export interface FakeWechatUser {
  subscribe?: 0 | 1;
  language?: string;
  subscribe_time?: number;
  unionid?: string;
  remark?: string;
  groupid?: number;
  tagid_list?: number[];
  subscribe_scene?: string;
  qr_scene?: number;
  qr_scene_str?: string;
}

/**
 * A fault for the next request(s) to `path` (any path but the two token endpoints when absent), `times` times (once
 * when absent): a WeChat error body, an HTTP status with a text body, a late answer (the request takes effect at once;
 * only the answer waits), a connection dropped without an answer (before the request takes effect), or every token
 * issued so far expiring just before the request is handled.
 */
export type FakeWechatFault = { path?: string; times?: number } & (
  | { errcode: number; errmsg?: string }
  | { status: number; /** The text answered; an nginx-style error page when absent. */ body?: string }
  | { delayMs: number }
  | { drop: true }
  | { expireTokens: true }
);

export interface FakeWechatRequest {
  method: string;
  /** Relative to `/cgi-bin/`, without the query, e.g. `message/custom/send`. */
  path: string;
  /** The parsed JSON body; the text when it isn't JSON; undefined when empty. */
  body: unknown;
  /** The `access_token` query parameter, so tests can tell which token a request carried. */
  accessToken?: string;
}

type Json = Record<string, unknown>;
type Answer = { status: number; contentType: string; text: string };

const tokenPaths = new Set(['token', 'stable_token']);
const maxBodyBytes = 1024 * 1024;
const tokenLifetimeSeconds = 7200;

/** WeChat's errmsg for the codes the fake answers (or a test injects). */
const errmsgs: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40007: 'invalid media_id',
  40008: 'invalid message type',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40032: 'invalid openid list size',
  40037: 'invalid template_id',
  40052: 'invalid action name',
  40053: 'invalid action info',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  40130: 'invalid openid list size, at least two openid',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  42001: 'access_token expired',
  43002: 'require POST method',
  43004: 'require subscribe',
  44002: 'empty post data',
  44003: 'empty news data',
  44004: 'empty content',
  45009: 'reach max api daily quota limit',
  45015: 'response out of time limit or subscription is canceled',
  45028: 'has no masssend quota',
  45065: 'clientmsgid exist',
  45067: 'clientmsgid size out of limit',
  47001: 'data format error',
  47003: 'argument invalid!',
  48001: 'api unauthorized',
  48008: 'no permission for this msgtype',
};

const customMsgtypes = new Set(['text', 'image', 'news', 'mpnews', 'miniprogrampage']);
const massMsgtypes = new Set(['text', 'image', 'mpnews', 'voice', 'mpvideo', 'wxcard']);

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function json(body: Json, status = 200): Answer {
  return { status, contentType: 'application/json; encoding=utf-8', text: JSON.stringify(body) };
}

function wechatError(errcode: number, errmsg = errmsgs[errcode] ?? 'error'): Answer {
  return json({ errcode, errmsg });
}

/** The error for a malformed message of `msgtype`, or undefined when its content is all there. */
function contentError(msgtype: string, body: Json): Answer | undefined {
  const content = body[msgtype];
  switch (msgtype) {
    case 'text':
      return isObject(content) && nonEmpty(content.content) ? undefined : wechatError(44004);
    case 'image':
      // Mass sends take `images.media_ids` (several pictures) as well as the older `image.media_id`.
      if (isObject(body.images) && Array.isArray(body.images.media_ids) && body.images.media_ids.length > 0)
        return undefined;
      return isObject(content) && nonEmpty(content.media_id) ? undefined : wechatError(40007);
    case 'mpnews':
    case 'voice':
    case 'mpvideo':
      return isObject(content) && nonEmpty(content.media_id) ? undefined : wechatError(40007);
    case 'news': {
      const articles = isObject(content) ? content.articles : undefined;
      const valid =
        Array.isArray(articles) &&
        articles.length >= 1 &&
        articles.length <= 8 &&
        articles.every((a) => isObject(a) && nonEmpty(a.title));
      return valid ? undefined : wechatError(44003);
    }
    case 'miniprogrampage':
      return isObject(content) &&
        nonEmpty(content.title) &&
        nonEmpty(content.appid) &&
        nonEmpty(content.pagepath) &&
        nonEmpty(content.thumb_media_id)
        ? undefined
        : wechatError(47003);
    case 'wxcard':
      return isObject(content) && nonEmpty(content.card_id) ? undefined : wechatError(40097);
    default:
      return wechatError(40008);
  }
}

/**
 * A fake WeChat API server. Tokens: `stable_token` (POST) and the classic `token` (GET). Messages:
 * `message/custom/send`, `message/template/send`, `message/mass/send`, `message/mass/preview`, `message/mass/get`.
 * Users: `user/info/batchget`. QR codes: `qrcode/create`. It records what it accepted (`customMessages`,
 * `templateMessages`, `massSends`, `previews`, `qrCodes`) and every request (`requests`), and answers faults queued
 * with `inject` and per-recipient errors set with `failOpenid`.
 */
export class FakeWechatApi {
  readonly appId: string;
  readonly appSecret: string;
  /** `http://127.0.0.1:<port>/cgi-bin/`; clients append paths such as `stable_token`. */
  readonly baseUrl: string;
  /** Added to every answer (not to dropped connections), for benches. */
  latencyMs = 0;
  /** Access tokens issued by either token endpoint. */
  tokensIssued = 0;

  readonly requests: FakeWechatRequest[] = [];
  readonly customMessages: { touser: string; msgtype: string; body: Json }[] = [];
  readonly templateMessages: { touser: string; templateId: string; msgid: string; body: Json }[] = [];
  /** Accepted mass sends; a repeated clientmsgid (answered 45065) is not recorded again. */
  readonly massSends: { clientmsgid?: string; touser: string[]; msgtype: string; msgId: number; body: Json }[] = [];
  readonly previews: { touser?: string; towxname?: string; msgtype: string; msgId: number; body: Json }[] = [];
  readonly qrCodes: { actionName: string; scene: string | number; ticket: string; expireSeconds?: number }[] = [];
  /** Followers `user/info/batchget` knows; other openids are answered as not following. */
  readonly users = new Map<string, FakeWechatUser>();

  private readonly tokens = new Map<string, { expired: boolean }>();
  private currentToken: string | undefined;
  private readonly failing = new Map<string, number>();
  private readonly faults: { fault: FakeWechatFault; remaining: number }[] = [];
  private readonly clientMsgIds = new Map<string, number>();
  private readonly massMsgIds = new Set<number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextMsgId = 1000000001;
  private nextMsgDataId = 2247483647;
  // Template msgids are above 2^53 in production (JSON.parse rounds them), so the fake's are too.
  private nextTemplateMsgId = 2717810227216547841n;

  private constructor(
    private readonly server: Server,
    options: { appId: string; appSecret: string },
  ) {
    this.appId = options.appId;
    this.appSecret = options.appSecret;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}/cgi-bin/`;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(() => res.destroy());
    });
  }

  /** Listens on an ephemeral loopback port. */
  static async start(options: { appId?: string; appSecret?: string } = {}): Promise<FakeWechatApi> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeWechatApi(server, {
      appId: options.appId ?? 'wx2c2769f8efd9abc2',
      appSecret: options.appSecret ?? 'fake-app-secret',
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

  /** Every token issued so far expires: calls with one answer 42001, and the token endpoints issue a new one. */
  expireTokens(): void {
    for (const state of this.tokens.values()) state.expired = true;
    this.currentToken = undefined;
  }

  /** Customer-service, template and preview sends to `openid` answer `errcode` every time (45015, 40003, 43004, 48001…). */
  failOpenid(openid: string, errcode: number): void {
    this.failing.set(openid, errcode);
  }

  setUser(openid: string, info: FakeWechatUser = {}): void {
    this.users.set(openid, info);
  }

  /** Queues a fault; faults apply in the order injected, at most one per request. */
  inject(fault: FakeWechatFault): void {
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
    const raw = await readBody(req);
    let body: unknown;
    let malformed = false;
    if (raw !== undefined && raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        malformed = true;
      }
    }
    this.requests.push({ method, path, body, accessToken: url.searchParams.get('access_token') ?? undefined });
    if (raw === undefined)
      return this.reply(res, {
        status: 413,
        contentType: 'text/html',
        text: '<html><body><h1>413 Request Entity Too Large</h1></body></html>',
      });

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
      answer = wechatError(fault.errcode, fault.errmsg);
    } else {
      if (fault && 'expireTokens' in fault) this.expireTokens();
      answer = this.route(method, path, url.searchParams, body, malformed);
    }
    // The request has taken effect; only the answer is late (as when WeChat is slow to answer a send it made).
    const wait = this.latencyMs + (fault && 'delayMs' in fault ? fault.delayMs : 0);
    if (wait > 0) await this.delay(wait);
    this.reply(res, answer);
  }

  private takeFault(path: string): FakeWechatFault | undefined {
    const index = this.faults.findIndex(({ fault }) =>
      fault.path === undefined ? !tokenPaths.has(path) : fault.path === path,
    );
    if (index < 0) return undefined;
    const entry = this.faults[index];
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  private route(method: string, path: string, query: URLSearchParams, body: unknown, malformed: boolean): Answer {
    if (path === 'token') return method === 'GET' ? this.classicToken(query) : wechatError(40002);
    if (path === 'stable_token') {
      if (method !== 'POST') return wechatError(43002);
      if (malformed) return wechatError(47001);
      return isObject(body) ? this.stableToken(body) : wechatError(44002);
    }
    const endpoint = this.endpoints[path];
    if (!endpoint)
      return { status: 404, contentType: 'text/html', text: '<html><body><h1>404 Not Found</h1></body></html>' };
    const tokenError = this.checkToken(query.get('access_token'));
    if (tokenError) return tokenError;
    if (method !== 'POST') return wechatError(43002);
    if (malformed) return wechatError(47001);
    if (body === undefined) return wechatError(44002);
    if (!isObject(body)) return wechatError(47001);
    return endpoint(body);
  }

  private checkToken(token: string | null): Answer | undefined {
    if (!token) return wechatError(41001);
    const state = this.tokens.get(token);
    if (!state) return wechatError(40001);
    return state.expired ? wechatError(42001) : undefined;
  }

  private credentialsError(grantType: unknown, appid: unknown, secret: unknown): Answer | undefined {
    if (grantType !== 'client_credential') return wechatError(40002);
    if (!nonEmpty(appid)) return wechatError(41002);
    if (!nonEmpty(secret)) return wechatError(41004);
    if (appid !== this.appId) return wechatError(40013);
    if (secret !== this.appSecret) return wechatError(40125);
    return undefined;
  }

  private issueToken(): string {
    this.tokensIssued += 1;
    const token = `${this.tokensIssued}_${randomBytes(96).toString('base64url')}`;
    this.tokens.set(token, { expired: false });
    this.currentToken = token;
    return token;
  }

  /** Each call issues a new token; earlier ones stay valid (WeChat keeps the old one for 5 minutes). */
  private classicToken(query: URLSearchParams): Answer {
    const error = this.credentialsError(query.get('grant_type'), query.get('appid'), query.get('secret'));
    if (error) return error;
    return json({ access_token: this.issueToken(), expires_in: tokenLifetimeSeconds });
  }

  /** The current token unless there is none or force_refresh asks for a new one (the old one stays valid here). */
  private stableToken(body: Json): Answer {
    const error = this.credentialsError(body.grant_type, body.appid, body.secret);
    if (error) return error;
    const token =
      body.force_refresh === true || this.currentToken === undefined ? this.issueToken() : this.currentToken;
    return json({ access_token: token, expires_in: tokenLifetimeSeconds });
  }

  private readonly endpoints: Record<string, (body: Json) => Answer> = {
    'message/custom/send': (body) => {
      if (!nonEmpty(body.touser)) return wechatError(40003);
      const msgtype = body.msgtype;
      if (typeof msgtype !== 'string' || !customMsgtypes.has(msgtype)) return wechatError(40008);
      const invalid = contentError(msgtype, body);
      if (invalid) return invalid;
      const failure = this.failing.get(body.touser);
      if (failure !== undefined) return wechatError(failure);
      this.customMessages.push({ touser: body.touser, msgtype, body });
      return json({ errcode: 0, errmsg: 'ok' });
    },

    'message/template/send': (body) => {
      if (!nonEmpty(body.touser)) return wechatError(40003);
      if (!nonEmpty(body.template_id)) return wechatError(40037);
      if (
        !isObject(body.data) ||
        !Object.values(body.data).every((item) => isObject(item) && typeof item.value === 'string')
      ) {
        return wechatError(47003);
      }
      const failure = this.failing.get(body.touser);
      if (failure !== undefined) return wechatError(failure);
      const msgid = (this.nextTemplateMsgId++).toString();
      this.templateMessages.push({ touser: body.touser, templateId: body.template_id, msgid, body });
      // Written by hand: the msgid is a bare number too large for a JS number, as WeChat sends it.
      return {
        status: 200,
        contentType: 'application/json; encoding=utf-8',
        text: `{"errcode":0,"errmsg":"ok","msgid":${msgid}}`,
      };
    },

    'message/mass/send': (body) => {
      if (!Array.isArray(body.touser) || !body.touser.every(nonEmpty)) return wechatError(40130);
      const touser = [...new Set(body.touser)];
      if (touser.length < 2) return wechatError(40130);
      if (touser.length > 10000) return wechatError(40032);
      const msgtype = body.msgtype;
      if (typeof msgtype !== 'string' || !massMsgtypes.has(msgtype)) return wechatError(40008);
      const invalid = contentError(msgtype, body);
      if (invalid) return invalid;
      const clientmsgid = body.clientmsgid;
      if (clientmsgid !== undefined && (typeof clientmsgid !== 'string' || Buffer.byteLength(clientmsgid) > 64))
        return wechatError(45067);
      if (clientmsgid !== undefined) {
        const original = this.clientMsgIds.get(clientmsgid);
        if (original !== undefined) return json({ errcode: 45065, errmsg: errmsgs[45065], msg_id: original });
      }
      const msgId = this.nextMsgId++;
      this.massMsgIds.add(msgId);
      if (clientmsgid !== undefined) this.clientMsgIds.set(clientmsgid, msgId);
      this.massSends.push({ ...(clientmsgid === undefined ? {} : { clientmsgid }), touser, msgtype, msgId, body });
      // msg_data_id comes only with articles (mpnews), as in WeChat's answers.
      return json({
        errcode: 0,
        errmsg: 'send job submission success',
        msg_id: msgId,
        ...(msgtype === 'mpnews' ? { msg_data_id: this.nextMsgDataId++ } : {}),
      });
    },

    'message/mass/preview': (body) => {
      const touser = body.touser;
      const towxname = body.towxname;
      if (!nonEmpty(touser) && !nonEmpty(towxname)) return wechatError(40003);
      const msgtype = body.msgtype;
      if (typeof msgtype !== 'string' || !massMsgtypes.has(msgtype)) return wechatError(40008);
      const invalid = contentError(msgtype, body);
      if (invalid) return invalid;
      const failure = nonEmpty(touser) ? this.failing.get(touser) : undefined;
      if (failure !== undefined) return wechatError(failure);
      const msgId = this.nextMsgId++;
      this.previews.push({
        ...(nonEmpty(touser) ? { touser } : { towxname: towxname as string }),
        msgtype,
        msgId,
        body,
      });
      return json({ errcode: 0, errmsg: 'preview success', msg_id: msgId });
    },

    'message/mass/get': (body) => {
      const msgId = body.msg_id;
      if (typeof msgId !== 'number' || !this.massMsgIds.has(msgId)) return wechatError(40097);
      return json({ msg_id: msgId, msg_status: 'SEND_SUCCESS' });
    },

    'user/info/batchget': (body) => {
      const list = body.user_list;
      if (!Array.isArray(list) || list.length === 0 || list.length > 100) return wechatError(40032);
      if (!list.every((item) => isObject(item) && nonEmpty(item.openid))) return wechatError(40003);
      const user_info_list = (list as { openid: string }[]).map(({ openid }) => {
        const user = this.users.get(openid);
        if (!user || user.subscribe === 0)
          return { subscribe: 0, openid, ...(user?.unionid ? { unionid: user.unionid } : {}) };
        return {
          subscribe: 1,
          openid,
          language: 'zh_CN',
          subscribe_time: 1700000000,
          remark: '',
          groupid: 0,
          tagid_list: [],
          subscribe_scene: 'ADD_SCENE_QR_CODE',
          qr_scene: 0,
          qr_scene_str: '',
          ...user,
        };
      });
      return json({ user_info_list });
    },

    'qrcode/create': (body) => {
      const actionName = body.action_name;
      const scene = isObject(body.action_info) && isObject(body.action_info.scene) ? body.action_info.scene : undefined;
      const sceneStr = scene?.scene_str;
      const sceneId = scene?.scene_id;
      const validStr = typeof sceneStr === 'string' && sceneStr.length >= 1 && sceneStr.length <= 64;
      const validId = (max: number) =>
        typeof sceneId === 'number' && Number.isInteger(sceneId) && sceneId >= 1 && sceneId <= max;
      let valid: boolean;
      switch (actionName) {
        case 'QR_SCENE':
          valid = validId(0xffffffff);
          break;
        case 'QR_LIMIT_SCENE':
          valid = validId(100000);
          break;
        case 'QR_STR_SCENE':
        case 'QR_LIMIT_STR_SCENE':
          valid = validStr;
          break;
        default:
          return wechatError(40052);
      }
      if (!valid) return wechatError(40053);
      const permanent = actionName.startsWith('QR_LIMIT_');
      // A temporary code lives 60 s unless asked for longer, at most 30 days.
      const expireSeconds = permanent
        ? undefined
        : Math.min(typeof body.expire_seconds === 'number' ? body.expire_seconds : 60, 2592000);
      const code = randomBytes(12).toString('base64url');
      // A 40-byte payload always ends in "==", like WeChat's tickets, which then need URL-encoding.
      const ticket = `gQ${randomBytes(40).toString('base64')}`;
      this.qrCodes.push({
        actionName,
        scene: (validStr ? sceneStr : sceneId) as string | number,
        ticket,
        ...(expireSeconds === undefined ? {} : { expireSeconds }),
      });
      return json({
        ticket,
        ...(expireSeconds === undefined ? {} : { expire_seconds: expireSeconds }),
        url: `http://weixin.qq.com/q/${code}`,
      });
    },
  };

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

/** The body as text, or undefined when it is over 1 MB (the rest is read and thrown away so the 413 can be sent). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
