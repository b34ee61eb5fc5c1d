import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { Lifecycle, RoomContributions, RoomDefinition, RoomModule } from '../kernel/room-module.types';
import type { Clock } from '../util/clock';
import { type ApiServices, apiRouters } from './api-routers';
import type { Authenticator } from './authenticator';
import { closeServer } from './close-server';
import { createHttpApp } from './http-app';
import type { AppState } from './http-state';
import type { RouteRegistry } from './route-registry';

export const httpRoom: RoomDefinition = { room: 'http', tables: [] };

export interface HttpModuleDeps {
  services: ApiServices;
  authenticator: Authenticator;
  /** Plugins' routes, served after Persona's own. */
  pluginRoutes: RouteRegistry;
  log: Logger;
  clock: Clock;
  shuttingDown(): boolean;
}

/**
 * The HTTP door: Persona's routes over the rooms' services and the plugins' routes, served on the configured port.
 * Started last and stopped first, so no request arrives before the rooms run or after they stop.
 */
export class HttpModule implements RoomModule {
  readonly definition = httpRoom;
  readonly contributes: RoomContributions = {};
  readonly lifecycle: Lifecycle;
  readonly app: Koa<AppState>;
  private server: Server | undefined;

  constructor(deps: HttpModuleDeps) {
    const { config, metrics } = deps.services;
    this.app = createHttpApp({
      log: deps.log,
      metrics,
      trustProxy: config.server.trustProxy,
      pluginRoutes: deps.pluginRoutes,
      routers: apiRouters(deps.services, deps),
    });
    this.lifecycle = {
      start: async (options) => {
        if (options.listen !== false) await this.listen(config.server.port, config.server.host);
      },
      stop: async () => {
        if (this.server) await closeServer(this.server, config.server.shutdownTimeoutMs);
      },
    };
  }

  /** Base URL of the listening server. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('not listening');
    const host = ['0.0.0.0', '::'].includes(address.address) ? 'localhost' : address.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  private listen(port: number, host: string): Promise<void> {
    const server = this.app.listen(port, host);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  }
}
