import type { ParameterizedContext } from 'koa';
import type { Logger } from 'pino';
import type { Principal } from './authenticator';

/** What every request carries through the middleware chain. */
export interface AppState {
  requestId: string;
  log: Logger;
  principal?: Principal;
}

export type AppContext = ParameterizedContext<AppState>;
