import type { AppContext } from './http-state';

/** Who did it, for the audit log and rule history: the credential and the request. */
export function actorOf(ctx: AppContext): string {
  const principal = ctx.state.principal;
  const actor = principal?.kind === 'write-key' ? `write-key:${principal.name}` : 'admin';
  return `${actor} (request ${ctx.state.requestId})`;
}
