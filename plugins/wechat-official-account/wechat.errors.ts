/** Retrying won't help: a bad or unsubscribed recipient, a closed customer-service window, no permission or quota. */
const permanentErrcodes = new Set([40003, 43004, 45015, 48001, 40130, 48008, 45028]);

/**
 * WeChat answered an errcode other than 0, or could not be reached (errcode -1, after the retries). The message
 * never holds the access token or the app secret.
 */
export class WechatApiError extends Error {
  /** 40003, 43004, 45015, 48001 (and 40130, 48008, 45028): retrying won't help */
  readonly permanent: boolean;

  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    /** The API path, e.g. `message/custom/send`. */
    readonly path: string,
    message = `WeChat ${path} answered ${errcode}: ${errmsg}`,
    /** The request may have reached WeChat (no answer came): a send that must not be repeated was not retried. */
    readonly outcomeUnknown = false,
  ) {
    super(message);
    this.name = 'WechatApiError';
    this.permanent = permanentErrcodes.has(errcode);
  }
}
