import type { Logger } from 'pino';
import type { RoomContributions, RoomDefinition, RoomModule, Lifecycle } from '../kernel/room-module.types';
import { PluginHost, type PluginHostDeps } from './plugin-host';
import type { LoadedPlugin } from './plugin-loader';

export const pluginsRoom: RoomDefinition = { room: 'plugins', tables: [] };

/**
 * The plugin host as a part of the house: plugins are set up and started before any room runs (their senders,
 * commands, jobs and routes are in place by then) and stopped after every room, their registrations undone.
 */
export class PluginsModule implements RoomModule {
  readonly definition = pluginsRoom;
  readonly contributes: RoomContributions = {};
  readonly lifecycle: Lifecycle;
  readonly host: PluginHost;

  constructor(plugins: readonly LoadedPlugin[], deps: PluginHostDeps & { log: Logger }) {
    this.host = new PluginHost(plugins, deps);
    this.lifecycle = {
      start: async () => {
        await this.host.setup();
        await this.host.start();
      },
      stop: () => this.host.stop().catch((error: unknown) => deps.log.error({ err: error }, 'stopping plugins failed')),
    };
  }
}
