import { monotonicMs, SlidingWindowLimiter } from '../../src/plugins/plugin-sdk';
import { WechatApiError } from './wechat.errors';
import type { AccessTokenStore, WechatApiOptions, WechatUserInfo } from './wechat-api.types';

/** The token was refused: refresh it (through the store) and try once more. */
const tokenErrcodes = new Set([40001, 40014, 42001]);
const maxBackoffMs = 30_000;
/**
 * Calls that deliver something to a follower and carry no idempotency key: when the request may have arrived (a
 * timeout, a connection lost after it was sent), repeating it could deliver twice, so it is not repeated.
 */
const unrepeatable = new Set(['message/custom/send', 'message/template/send', 'message/mass/preview']);
/** Network failures that happen before a request is sent: always safe to retry. */
const neverSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const listChunk = 100;

type Answer = { json: Record<string, unknown>; text: string };
type Attempt = { answer: Answer } | { transient: string; errcode: number; errmsg: string };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One official account's outbound API: customer-service, template and mass messages, follower details, QR codes.
 *
 * The access token comes from the shared `AccessTokenStore`; when WeChat refuses it (40001, 40014, 42001) the store
 * is told which token failed, a token is got again and the call is retried once. Transient failures (-1, 5xx,
 * network errors, dropped connections, timeouts) are retried with full-jitter backoff; 45009 (daily quota) and every
 * other errcode are thrown at once for the caller to reschedule or give up on (`WechatApiError.permanent`).
 * A customer-service or template message (or a preview) whose request may have arrived — a timeout, a connection lost
 * after sending — is not repeated: it throws with `outcomeUnknown`, since a repeat could deliver it twice. Mass sends
 * carry a clientmsgid, which WeChat uses to refuse a repeat, so they are retried like everything else.
 */
export class WechatApiClient {
  private readonly baseUrl: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly limiters = new Map<string, SlidingWindowLimiter>();
  private readonly tokenName: string;

  constructor(
    /** The account's name in config: names its token in the store. */
    readonly account: string,
    private readonly options: WechatApiOptions,
    private readonly tokens: AccessTokenStore,
    private readonly random: () => number = Math.random,
  ) {
    this.baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? monotonicMs;
    this.tokenName = `wechat:${account}`;
    for (const [path, perMinute] of Object.entries(options.rateLimits)) {
      if (!Number.isFinite(perMinute) || perMinute < 1)
        throw new RangeError(`rate limit for ${path} must be at least 1 a minute`);
      this.limiters.set(path, new SlidingWindowLimiter(Math.floor(perMinute), this.now, this.sleep));
    }
  }

  /** POST (or GET) a JSON API call with the access token; answers the parsed body when errcode is 0 or absent; throws WechatApiError otherwise. A GET sends `body`'s fields in the query. */
  async call<T extends object>(path: string, body?: object, method: 'GET' | 'POST' = 'POST'): Promise<T> {
    const answer = await this.authorized(path, body, method);
    this.check(path, answer);
    return answer.json as T;
  }

  /** A customer-service message; WeChat accepts it only within the follower's 48-hour window (else 45015). */
  async sendCustomMessage(message: { touser: string; msgtype: string; [key: string]: unknown }): Promise<void> {
    await this.call('message/custom/send', message);
  }

  /**
   * A template message. The msgid is a string: WeChat's are above 2^53, which JSON.parse would round, and it must
   * match the MsgID of the TEMPLATESENDJOBFINISH event exactly.
   */
  async sendTemplateMessage(message: {
    touser: string;
    template_id: string;
    url?: string;
    miniprogram?: { appid: string; pagepath: string };
    data: Record<string, { value: string; color?: string }>;
  }): Promise<{ msgid: string }> {
    const path = 'message/template/send';
    const answer = await this.authorized(path, message, 'POST');
    this.check(path, answer);
    const msgid = /"msgid"\s*:\s*"?(\d+)/.exec(answer.text)?.[1];
    if (msgid === undefined) throw new WechatApiError(-1, 'the answer has no msgid', path);
    return { msgid };
  }

  /**
   * A mass send to an openid list (2 to 10000 followers). 45065 (this clientmsgid was already sent) is success:
   * answers the original msg_id with duplicate: true. 45066 (the same clientmsgid retried within a minute) is thrown
   * like any other errcode; trying again later gives 45065.
   */
  async massSend(
    openids: string[],
    message: { msgtype: string; [key: string]: unknown },
    clientmsgid: string,
  ): Promise<{ msgId: number; msgDataId?: number; duplicate: boolean }> {
    const path = 'message/mass/send';
    const answer = await this.authorized(path, { ...message, touser: openids, clientmsgid }, 'POST');
    const { errcode, msg_id: msgId, msg_data_id: msgDataId } = answer.json;
    if (errcode === 45065 && typeof msgId === 'number') return { msgId, duplicate: true };
    this.check(path, answer);
    if (typeof msgId !== 'number') throw new WechatApiError(-1, 'the answer has no msg_id', path);
    return { msgId, ...(typeof msgDataId === 'number' ? { msgDataId } : {}), duplicate: false };
  }

  /** Sends a mass message to one follower (by openid or WeChat ID) to look at before the real send. */
  async massPreview(
    to: { touser: string } | { towxname: string },
    message: { msgtype: string; [key: string]: unknown },
  ): Promise<void> {
    await this.call('message/mass/preview', { ...message, ...to });
  }

  /** A mass send's status, e.g. SEND_SUCCESS, SENDING, SEND_FAIL, DELETE. */
  async massStatus(msgId: number): Promise<{ msgId: number; status: string }> {
    const answer = await this.call<{ msg_id?: number; msg_status?: string }>('message/mass/get', { msg_id: msgId });
    if (typeof answer.msg_status !== 'string')
      throw new WechatApiError(-1, 'the answer has no msg_status', 'message/mass/get');
    return { msgId: answer.msg_id ?? msgId, status: answer.msg_status };
  }

  /** Followers' details, 100 openids a request (WeChat's limit), in the order asked. */
  async batchGetUsers(openids: string[]): Promise<WechatUserInfo[]> {
    const users: WechatUserInfo[] = [];
    for (let start = 0; start < openids.length; start += listChunk) {
      const userList = openids.slice(start, start + listChunk).map((openid) => ({ openid, lang: 'zh_CN' }));
      const answer = await this.call<{ user_info_list?: WechatUserInfo[] }>('user/info/batchget', {
        user_list: userList,
      });
      users.push(...(answer.user_info_list ?? []));
    }
    return users;
  }

  /**
   * A parametric QR code for a string scene: permanent (QR_LIMIT_STR_SCENE) or temporary (QR_STR_SCENE, living
   * `expireSeconds`, at most 30 days; WeChat's default is 60 s). `imageUrl` is where the picture is downloaded.
   */
  async createQrCode(
    scene: string,
    options: { permanent: boolean; expireSeconds?: number },
  ): Promise<{ ticket: string; expireSeconds?: number; url: string; imageUrl: string }> {
    const path = 'qrcode/create';
    const body = options.permanent
      ? { action_name: 'QR_LIMIT_STR_SCENE', action_info: { scene: { scene_str: scene } } }
      : {
          ...(options.expireSeconds === undefined ? {} : { expire_seconds: options.expireSeconds }),
          action_name: 'QR_STR_SCENE',
          action_info: { scene: { scene_str: scene } },
        };
    const answer = await this.call<{ ticket?: string; expire_seconds?: number; url?: string }>(path, body);
    if (typeof answer.ticket !== 'string' || typeof answer.url !== 'string')
      throw new WechatApiError(-1, 'the answer has no ticket or url', path);
    return {
      ticket: answer.ticket,
      ...(typeof answer.expire_seconds === 'number' ? { expireSeconds: answer.expire_seconds } : {}),
      url: answer.url,
      imageUrl: `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(answer.ticket)}`,
    };
  }

  /** Calls with the stored token; when WeChat refuses it, tells the store which token failed and tries once more. */
  private async authorized(path: string, body: object | undefined, method: 'GET' | 'POST'): Promise<Answer> {
    let token = await this.tokens.get(this.tokenName, this.fetchToken);
    for (let renewed = false; ; renewed = true) {
      const answer = await this.exchange(path, method, body, token);
      const errcode = answer.json.errcode;
      if (renewed || typeof errcode !== 'number' || !tokenErrcodes.has(errcode)) return answer;
      // Only this exact token is forgotten: if another instance has stored a fresh one already, that one stays.
      await this.tokens.invalidate(this.tokenName, token);
      token = await this.tokens.get(this.tokenName, this.fetchToken);
    }
  }

  /** Asks WeChat for a token; the store calls this when it has none (or only one about to expire). */
  private readonly fetchToken = async (): Promise<{ value: string; expiresAt: Date }> => {
    const { appId, appSecret, tokenEndpoint } = this.options;
    const credentials = { grant_type: 'client_credential', appid: appId, secret: appSecret };
    const path = tokenEndpoint === 'stable' ? 'stable_token' : 'token';
    // Never force_refresh: it is limited to 20 a day and would cut other instances' tokens short.
    const answer =
      tokenEndpoint === 'stable'
        ? await this.exchange(path, 'POST', { ...credentials, force_refresh: false })
        : await this.exchange(path, 'GET', credentials);
    this.check(path, answer);
    const { access_token: value, expires_in: expiresIn } = answer.json;
    if (typeof value !== 'string' || value.length === 0 || typeof expiresIn !== 'number') {
      throw new WechatApiError(-1, 'the answer has no access_token or expires_in', path);
    }
    return { value, expiresAt: new Date(this.options.clock().getTime() + expiresIn * 1000) };
  };

  /** Throws the answer's errcode unless it is 0 or absent. */
  private check(path: string, answer: Answer): void {
    const { errcode, errmsg } = answer.json;
    if (typeof errcode === 'number' && errcode !== 0) {
      throw new WechatApiError(errcode, typeof errmsg === 'string' ? errmsg : '', this.apiPath(path));
    }
  }

  /** One call, waiting for a rate-limit slot before each try and retrying transient failures with backoff. */
  private async exchange(path: string, method: 'GET' | 'POST', body?: object, token?: string): Promise<Answer> {
    const apiPath = this.apiPath(path);
    const url = new URL(path.replace(/^\/+/, ''), this.baseUrl);
    if (token !== undefined) url.searchParams.set('access_token', token);
    let payload: string | undefined;
    if (method === 'GET') {
      for (const [key, value] of Object.entries(body ?? {})) url.searchParams.set(key, String(value));
    } else {
      // JSON.stringify leaves Chinese as it is; WeChat refuses \uXXXX escapes on some APIs (menus).
      payload = JSON.stringify(body ?? {});
    }
    const limiter = this.limiters.get(apiPath);
    for (let attempt = 1; ; attempt += 1) {
      await limiter?.acquire();
      const outcome = await this.attempt(url, method, payload, apiPath, token);
      if ('answer' in outcome) return outcome.answer;
      if (attempt >= this.options.maxAttempts) {
        throw new WechatApiError(
          outcome.errcode,
          outcome.errmsg,
          apiPath,
          `WeChat ${apiPath} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${outcome.transient}`,
        );
      }
      await this.sleep(this.backoff(attempt));
    }
  }

  /** One HTTP request: a WeChat answer (any errcode but -1), a transient failure to retry, or a thrown error. */
  private async attempt(
    url: URL,
    method: 'GET' | 'POST',
    payload: string | undefined,
    apiPath: string,
    token: string | undefined,
  ): Promise<Attempt> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers:
          payload === undefined
            ? { accept: 'application/json' }
            : { accept: 'application/json', 'content-type': 'application/json; charset=utf-8' },
        body: payload,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const problem = this.redact(describeFailure(error, this.options.timeoutMs), token);
      // fetch rejects with a TypeError for network failures and a TimeoutError for the signal; anything else is not
      // worth retrying. Checked by name: fetch's errors come from another realm under Jest, so instanceof misses them.
      const name = (error as { name?: unknown } | null)?.name;
      const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
      const neverSent = typeof cause === 'string' && neverSentCodes.has(cause);
      if (
        unrepeatable.has(apiPath) &&
        !neverSent &&
        (name === 'TypeError' || name === 'TimeoutError' || name === 'AbortError')
      ) {
        throw new WechatApiError(
          -1,
          problem,
          apiPath,
          `WeChat ${apiPath}: no answer (${problem}); it may have been delivered, so it is not sent again`,
          true,
        );
      }
      if (name === 'TypeError' || name === 'TimeoutError' || name === 'AbortError')
        return { transient: problem, errcode: -1, errmsg: problem };
      throw new WechatApiError(-1, problem, apiPath);
    }
    const json = parseObject(text);
    if (response.status >= 500 || response.status === 429) {
      const problem = `HTTP ${response.status}${snippet(this.redact(text, token))}`;
      return { transient: problem, errcode: -1, errmsg: problem };
    }
    if (!json)
      throw new WechatApiError(
        -1,
        `HTTP ${response.status} with a body that is not JSON${snippet(this.redact(text, token))}`,
        apiPath,
      );
    // Scrubbed here, where the token is known, since the errmsg may end up in a thrown error.
    if (typeof json.errmsg === 'string') json.errmsg = this.redact(json.errmsg, token);
    if (json.errcode === -1) {
      const errmsg = typeof json.errmsg === 'string' ? json.errmsg : 'system error';
      return { transient: `-1 ${errmsg}`, errcode: -1, errmsg };
    }
    return { answer: { json, text } };
  }

  /** Full jitter: uniformly random in [0, min(30 s, base × 2^(attempt-1))]. */
  private backoff(attempt: number): number {
    return Math.round(Math.min(maxBackoffMs, this.options.retryBaseMs * 2 ** (attempt - 1)) * this.random());
  }

  /** `message/custom/send` from `/message/custom/send?x=y`. */
  private apiPath(path: string): string {
    return path.split('?')[0].replace(/^\/+/, '');
  }

  /** Removes the app secret and access tokens from text that may end up in an error (URLs carry both in the query). */
  private redact(text: string, token?: string): string {
    let clean = text.replace(/\b(access_token|secret)=[^&\s"']*/gi, '$1=[redacted]');
    for (const secret of [this.options.appSecret, token]) {
      if (secret) clean = clean.split(secret).join('[redacted]');
    }
    return clean;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function snippet(text: string): string {
  const trimmed = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return trimmed ? `: ${trimmed}` : '';
}

/** "timed out after 200 ms", or the network error with its cause (undici hides the useful part there). */
function describeFailure(error: unknown, timeoutMs: number): string {
  const { name, message, cause } = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  if (name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (typeof message !== 'string') return String(error);
  const detail = [cause?.code, cause?.message].filter((part) => typeof part === 'string' && part.length > 0).join(': ');
  return detail ? `${message} (${detail})` : message;
}
