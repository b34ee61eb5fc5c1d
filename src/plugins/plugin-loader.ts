import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatIssues } from '../config/config-issues';
import type { Config } from '../config/config.schema';
import { unsetEnvReferences } from '../config/config-loader';
import { projectRoot } from '../config/project-root';
import { PluginError } from './plugins.errors';
import type { PluginDefinition } from './plugin.types';

/** A plugin found on disk, with its validated config. */
export interface LoadedPlugin {
  definition: PluginDefinition<unknown>;
  config: unknown;
}

/** Where compiled code lives: the project root for the source tree, `dist/` for the build. */
const codeRoot = path.join(__dirname, '..', '..');

function findEntry(name: string, pluginDirs: readonly string[]): string | undefined {
  const roots = [...new Set([codeRoot, projectRoot()])];
  for (const dir of pluginDirs) {
    for (const root of roots) {
      for (const file of ['index.js', 'index.ts']) {
        const candidate = path.resolve(root, dir, name, file);
        if (existsSync(candidate)) return candidate;
      }
    }
  }
  return undefined;
}

function isDefinition(value: unknown): value is PluginDefinition<unknown> {
  const candidate = value as Partial<PluginDefinition<unknown>> | undefined;
  return (
    typeof candidate?.name === 'string' &&
    typeof candidate.setup === 'function' &&
    typeof candidate.configSchema?.safeParse === 'function'
  );
}

/**
 * Loads every plugin enabled in config from `pluginDirs/<name>/index`, by path (nothing in src imports a plugin), and
 * validates its config block with its own schema. Any problem stops start-up with the plugin's name in the message.
 */
export function loadPlugins(config: Config): LoadedPlugin[] {
  const unsetEnv = unsetEnvReferences(config);
  return Object.entries(config.plugins)
    .filter(([, block]) => block.enabled)
    .map(([name, block]) => {
      const entry = findEntry(name, config.pluginDirs);
      if (!entry) throw new PluginError(name, `enabled in config but not found in ${config.pluginDirs.join(', ')}`);
      let exported: unknown;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const module = require(entry) as { default?: unknown; plugin?: unknown };
        exported = module.default ?? module.plugin;
      } catch (error) {
        throw new PluginError(name, `could not be loaded: ${(error as Error).message}`, { cause: error });
      }
      if (!isDefinition(exported)) {
        throw new PluginError(name, `${entry} does not export a plugin definition (name, configSchema, setup)`);
      }
      if (exported.name !== name) throw new PluginError(name, `${entry} exports a plugin named "${exported.name}"`);

      const { enabled: _enabled, ...settings } = block;
      const parsed = exported.configSchema.safeParse(settings, { reportInput: true });
      if (!parsed.success) {
        const prefix = `plugins.${name}`;
        const problems = formatIssues(
          parsed.error.issues,
          {
            overriddenBy: new Map(),
            unsetEnv: new Map([...unsetEnv].filter(([key]) => key.startsWith(`${prefix}.`))),
          },
          prefix,
        );
        throw new PluginError(name, `invalid configuration:\n  ${problems.join('\n  ')}`);
      }
      return { definition: exported, config: parsed.data };
    });
}
