import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../config/secret';

/**
 * Who is calling: the admin, or a named write key (events only) with the source its events state attributes as.
 */
export type Principal = { kind: 'admin' } | { kind: 'write-key'; name: string; source: string };

interface Credential {
  principal: Principal;
  digest: Buffer;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Checks bearer tokens. Tokens are compared as SHA-256 digests with a constant-time compare, and every credential is
 * compared on every call, so neither a token's length nor which one matched shows in the timing.
 */
export class Authenticator {
  private readonly credentials: Credential[];

  constructor(auth: { adminToken?: Secret; writeKeys: readonly { name: string; key: Secret; source?: string }[] }) {
    this.credentials = [
      ...(auth.adminToken ? [{ principal: { kind: 'admin' } as const, digest: digest(auth.adminToken.reveal()) }] : []),
      ...auth.writeKeys.map((key) => ({
        principal: { kind: 'write-key', name: key.name, source: key.source ?? 'api' } as const,
        digest: digest(key.key.reveal()),
      })),
    ];
  }

  get hasAdminToken(): boolean {
    return this.credentials.some((credential) => credential.principal.kind === 'admin');
  }

  /** The principal an `Authorization` header proves, if any. */
  authenticate(header: string | undefined): Principal | undefined {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (!token) return undefined;
    const candidate = digest(token);
    let found: Principal | undefined;
    for (const credential of this.credentials) {
      if (timingSafeEqual(candidate, credential.digest) && !found) found = credential.principal;
    }
    return found;
  }
}
