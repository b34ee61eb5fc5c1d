import { createHash } from 'node:crypto';
import type { Clock, FetchedCredential, PluginContext } from '../../src/plugins/plugin-sdk';
import { checkAnswer, errcodeOf, exchange } from './wecom-http';
import { WecomApiError } from './wecom.errors';

/** The token was refused: get another (through the shared store) and try once more. */
const tokenErrcodes = new Set([40014, 42001]);
/** WeCom's frequency (45009) and concurrency (45033) limits: the call was refused, so another try is safe. */
const limitErrcodes = new Set([45009, 45033]);
const maxBackoffMs = 30_000;

export interface WecomApiOptions {
  baseUrl: string;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** How long a call refused with 45009 waits before its next try (WeCom blocks for a minute). */
  rateLimitWaitMs: number;
  clock: Clock;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface WecomAppCredentials {
  name: string;
  corpId: string;
  agentId: number;
  secret: string;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One self-built app's send API: messages to members, images (uploaded as temporary media) and the update of a card
 * after its button was pressed. The access token is shared by every instance through the credential store, per
 * (corpId, secret); one WeCom refused (40014, 42001) is dropped only if it is still the stored one, and the call is
 * tried once more. -1, 45033, 5xx and network failures are retried with full-jitter backoff, 45009 after a minute;
 * a message whose request may have arrived without an answer is not repeated (it could arrive twice): the error says
 * so. Every other errcode is thrown (`WecomApiError`, with a hint for an untrusted IP or a wrong secret).
 */
export class WecomApiClient {
  private readonly baseUrl: string;
  private readonly tokenName: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly app: WecomAppCredentials,
    private readonly options: WecomApiOptions,
    private readonly credentials: PluginContext['credentials'],
  ) {
    this.baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    // Per (corpId, secret): a reset secret gets a token of its own, and two apps never share one.
    this.tokenName = `token:${app.corpId}:${createHash('sha256').update(app.secret).digest('hex').slice(0, 16)}`;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
  }

  /** A message to one member (`touser` is their userid); answers its msgid and, for a card, its response code. */
  async sendMessage(message: {
    touser: string;
    msgtype: string;
    [key: string]: unknown;
  }): Promise<{ msgid: string; responseCode?: string }> {
    const path = 'message/send';
    const json = await this.call(path, { ...message, agentid: this.app.agentId }, { repeatable: false });
    // A member the app can't see (or who doesn't exist) is listed, and nothing reached them.
    const invalid = [json.invaliduser, json.unlicenseduser].flatMap((list) =>
      typeof list === 'string' ? list.split('|') : Array.isArray(list) ? list.map(String) : [],
    );
    if (invalid.some((userid) => userid.toLowerCase() === message.touser.toLowerCase()))
      throw new WecomApiError(81013, `the member ${message.touser} is not visible to the app`, path);
    return {
      msgid: String(json.msgid ?? ''),
      ...(typeof json.response_code === 'string' ? { responseCode: json.response_code } : {}),
    };
  }

  /** Uploads a picture as temporary media (kept three days by WeCom); answers its media_id. */
  async uploadImage(image: Buffer, filename: string): Promise<string> {
    const path = 'media/upload';
    const form = new FormData();
    form.append('media', new Blob([image], { type: filename.endsWith('.png') ? 'image/png' : 'image/jpeg' }), filename);
    const json = await this.call(path, form, { repeatable: true, query: { type: 'image' } });
    if (typeof json.media_id !== 'string' || json.media_id === '')
      throw new WecomApiError(-1, 'the answer has no media_id', path);
    return json.media_id;
  }

  /** Turns a pressed card's buttons into one that can't be pressed, reading `replaceName` (`已确认`). */
  async replaceCardButtons(userid: string, responseCode: string, replaceName: string): Promise<void> {
    await this.call(
      'message/update_template_card',
      {
        userids: [userid],
        agentid: this.app.agentId,
        response_code: responseCode,
        button: { replace_name: replaceName },
      },
      // A response code works once: a repeat after a lost answer would be refused (42022), so none is made.
      { repeatable: false },
    );
  }

  /** Calls with the stored token; when WeCom refuses it, tells the store which token failed and tries once more. */
  private async call(
    path: string,
    body: object,
    how: { repeatable: boolean; query?: Record<string, string> },
  ): Promise<Record<string, unknown>> {
    let token = await this.credentials.get(this.tokenName, this.fetchToken);
    for (let renewed = false; ; renewed = true) {
      const json = await this.withRetries(path, { ...how.query, access_token: token }, body, how.repeatable, token);
      if (!renewed && tokenErrcodes.has(errcodeOf(json))) {
        // Only this exact token is forgotten: if another instance stored a fresh one already, that one stays.
        await this.credentials.invalidate(this.tokenName, token);
        token = await this.credentials.get(this.tokenName, this.fetchToken);
        continue;
      }
      checkAnswer(json, path);
      return json;
    }
  }

  /** Asks WeCom for a token; the store calls this when it has none (or one about to expire). */
  private readonly fetchToken = async (): Promise<FetchedCredential> => {
    const path = 'gettoken';
    const json = await this.withRetries(
      path,
      { corpid: this.app.corpId, corpsecret: this.app.secret },
      undefined,
      true,
    );
    checkAnswer(json, path);
    const { access_token: value, expires_in: expiresIn } = json;
    if (typeof value !== 'string' || value === '' || typeof expiresIn !== 'number')
      throw new WecomApiError(-1, 'the answer has no access_token or expires_in', path);
    return { value, expiresAt: new Date(this.options.clock().getTime() + expiresIn * 1000) };
  };

  /** One call, retrying transient failures and WeCom's limits. GET without a body, else POST (JSON or a form). */
  private async withRetries(
    path: string,
    query: Record<string, string>,
    body: object | undefined,
    repeatable: boolean,
    token?: string,
  ): Promise<Record<string, unknown>> {
    const url = new URL(path, this.baseUrl);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const redact = (text: string) => this.redact(text, token);
    const init =
      body === undefined
        ? { method: 'GET' as const }
        : body instanceof FormData
          ? { method: 'POST' as const, body }
          : { method: 'POST' as const, body: JSON.stringify(body), json: true };
    for (let attempt = 1; ; attempt += 1) {
      const result = await exchange(url, init, { timeoutMs: this.options.timeoutMs, path, repeatable, redact });
      let wait = this.backoff(attempt);
      let problem: string;
      let errcode = -1;
      if ('transient' in result) problem = result.transient;
      else {
        errcode = errcodeOf(result.json);
        if (!limitErrcodes.has(errcode)) return result.json;
        problem = `${errcode} ${String(result.json.errmsg ?? '')}`;
        if (errcode === 45009) wait = this.options.rateLimitWaitMs;
      }
      if (attempt >= this.options.maxAttempts)
        throw new WecomApiError(
          errcode,
          problem,
          path,
          `WeCom ${path} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${problem}`,
        );
      await this.sleep(wait);
    }
  }

  /** Full jitter: uniformly random in [0, min(30 s, base × 2^(attempt-1))]. */
  private backoff(attempt: number): number {
    return Math.round(Math.min(maxBackoffMs, this.options.retryBaseMs * 2 ** (attempt - 1)) * this.random());
  }

  /** Removes the secret and tokens from text that may end up in an error or a log. */
  private redact(text: string, token?: string): string {
    let clean = text.replace(/\b(access_token|corpsecret|key)=[^&\s"']*/gi, '$1=[redacted]');
    for (const secret of [this.app.secret, token]) if (secret) clean = clean.split(secret).join('[redacted]');
    return clean;
  }
}
