import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CredentialStore } from '../credentials/credential-store';

/** What a tracked link stands for: the push, which of its links, and the recipient when the send was personal. */
export interface LinkTarget {
  pushId: number;
  link: number;
  profileId: number | null;
}

/** http(s) URLs in message text, up to the first blank, quote, bracket or full-width punctuation. */
const urlPattern = /https?:\/\/[^\s<>"'()（）【】，。！？]+/g;

/** The links of a text in order (the index a tracked link carries). */
export function linksIn(text: string): string[] {
  return text.match(urlPattern) ?? [];
}

/**
 * Tracked links: each URL of a push's text becomes `<publicUrl>/r/<token>`, the token naming the push, the link and
 * (for a one-recipient send) the follower, signed with a key kept in the database (generated once, shared by every
 * instance), so nobody can forge a click for someone else. A mass send reaches everyone with the same text, so its
 * links carry no follower.
 */
export class TrackedLinks {
  private static readonly keyName = 'persona:tracked-link-key';

  constructor(
    private readonly publicUrl: string | undefined,
    private readonly credentials: Pick<CredentialStore, 'get'>,
  ) {}

  get enabled(): boolean {
    return this.publicUrl !== undefined;
  }

  async rewrite(text: string, target: Omit<LinkTarget, 'link'>): Promise<string> {
    if (!this.publicUrl) return text;
    const key = await this.key();
    let index = 0;
    return text.replace(
      urlPattern,
      () => `${this.publicUrl?.replace(/\/$/, '')}/r/${sign(key, { ...target, link: index++ })}`,
    );
  }

  /** One URL as link number `link` of the push (a template message's URL). */
  async rewriteUrl(url: string, target: LinkTarget): Promise<string> {
    if (!this.publicUrl) return url;
    return `${this.publicUrl.replace(/\/$/, '')}/r/${sign(await this.key(), target)}`;
  }

  /** The link's target, or undefined for a token that isn't one of ours. */
  async resolve(token: string): Promise<LinkTarget | undefined> {
    const match = /^([0-9a-z]+)-([0-9a-z]+)-([0-9a-z]*)\.([A-Za-z0-9_-]{22})$/.exec(token);
    if (!match) return undefined;
    const [, push, link, profile, signature] = match;
    const body = `${push}-${link}-${profile}`;
    // Compared as text: decoding would accept other spellings of the last character (its low bits are padding).
    const expected = Buffer.from(mac(await this.key(), body).toString('base64url'));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { pushId: parseInt(push, 36), link: parseInt(link, 36), profileId: profile ? parseInt(profile, 36) : null };
  }

  private key(): Promise<string> {
    return this.credentials.get(TrackedLinks.keyName, async () => ({
      value: randomBytes(32).toString('base64url'),
      // Links live as long as messages are read: the key doesn't expire.
      expiresAt: new Date('9999-12-31T00:00:00Z'),
    }));
  }
}

function mac(key: string, body: string): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, 16);
}

function sign(key: string, target: LinkTarget): string {
  const body = `${target.pushId.toString(36)}-${target.link.toString(36)}-${target.profileId === null ? '' : target.profileId.toString(36)}`;
  return `${body}.${mac(key, body).toString('base64url')}`;
}
