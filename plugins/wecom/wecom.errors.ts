/** Retrying won't help: a bad recipient, no permission, an untrusted IP, a bad secret, a card code used or unknown. */
const permanentErrcodes = new Set([40001, 40013, 40056, 48002, 60020, 81013, 42014, 42016, 42022, 93000, 93004, 93008]);

/**
 * WeCom answered an errcode other than 0, or could not be reached (errcode -1, after the retries). The message never
 * holds the access token, the secret or a robot's key.
 */
export class WecomApiError extends Error {
  readonly permanent: boolean;

  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    /** The API path, e.g. `message/send`. */
    readonly path: string,
    message = `WeCom ${path} answered ${errcode}: ${errmsg}`,
    /** The request may have reached WeCom (no answer came): a send is not repeated, lest it arrive twice. */
    readonly outcomeUnknown = false,
  ) {
    super(message);
    this.name = 'WecomApiError';
    this.permanent = permanentErrcodes.has(errcode);
  }

  /** What an administrator should do about it, when WeCom's answer says (an untrusted IP, a wrong secret). */
  get hint(): string | undefined {
    if (this.errcode === 60020) return 'add this server’s public IP to the app’s trusted IPs (企业可信IP)';
    if (this.errcode === 40001 || this.errcode === 40013) return 'check the CorpID and the app’s Secret';
    if (this.errcode === 48002) return 'this app may not call this API (check its visibility and permissions)';
    if (this.errcode === 93000 || this.errcode === 93004 || this.errcode === 93008)
      return 'the robot was removed, disabled or is not in the group: make a new one and update its URL';
    return undefined;
  }
}
