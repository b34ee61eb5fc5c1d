import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { formatIssues } from './config-issues';
import { ConfigError } from '../errors/app.errors';
import { type Config, configSchema } from './config.schema';
import { deepFreeze } from './deep-freeze';
import { deepMerge, isPlainObject, type PlainObject } from './deep-merge';
import { envOverrides } from './env-overrides';
import { resolveEnvReferences } from './env-references';
import { projectRoot } from './project-root';

const unsetEnvByConfig = new WeakMap<Config, ReadonlyMap<string, string>>();

/**
 * Keys whose `env:VARIABLE` was not set, by dotted path. Plugin blocks are validated after loading, by each plugin's
 * own schema; this lets their errors still name the missing variable.
 */
export function unsetEnvReferences(config: Config): ReadonlyMap<string, string> {
  return unsetEnvByConfig.get(config) ?? new Map();
}

export interface LoadConfigOptions {
  /** Defaults to `process.env`. Only this module reads the environment. */
  env?: NodeJS.ProcessEnv;
  /** Folder holding `config/`; defaults to the project root. */
  rootDir?: string;
  /** A last layer on top of files and environment (tests). */
  overrides?: PlainObject;
}

function readYaml(file: string): PlainObject {
  let parsed: unknown;
  try {
    parsed = YAML.parse(readFileSync(file, 'utf8'), { prettyErrors: true });
  } catch (error) {
    throw new ConfigError([`${file}: ${(error as Error).message}`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) throw new ConfigError([`${file}: expected a mapping of keys at the top level`]);
  return parsed;
}

function setPath(tree: PlainObject, keys: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as PlainObject;
  }
  node[keys[keys.length - 1]] = value;
}

/** The files configuration is read from, in order, whether or not each exists yet (`local.yaml` is optional). */
export function configFiles(options: Pick<LoadConfigOptions, 'env' | 'rootDir'> = {}): string[] {
  const env = options.env ?? process.env;
  const rootDir = options.rootDir ?? projectRoot();
  const files = [path.join(rootDir, 'config', 'default.yaml'), path.join(rootDir, 'config', 'local.yaml')];
  if (env.PERSONA_CONFIG) files.push(path.resolve(env.PERSONA_CONFIG));
  return files;
}

/**
 * Loads `config/default.yaml`, then `config/local.yaml` if present, then the file named by `PERSONA_CONFIG`, then the
 * environment; validates the result once and freezes it. Throws `ConfigError` naming each offending key.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const files = configFiles(options).filter((file) => existsSync(file));
  if (env.PERSONA_CONFIG && !existsSync(path.resolve(env.PERSONA_CONFIG))) {
    throw new ConfigError([`PERSONA_CONFIG: no file at ${path.resolve(env.PERSONA_CONFIG)}`]);
  }

  let tree: PlainObject = {};
  for (const file of files) if (existsSync(file)) tree = deepMerge(tree, readYaml(file));
  if (options.overrides) tree = deepMerge(tree, options.overrides);

  const overriddenBy = new Map<string, string>();
  for (const override of envOverrides) {
    const raw = env[override.env];
    if (raw === undefined || raw === '') continue;
    const value = override.numeric && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
    setPath(tree, override.path, value);
    overriddenBy.set(override.path.join('.'), override.env);
  }

  const { resolved, unset } = resolveEnvReferences(tree, env);
  const result = configSchema.safeParse(resolved, { reportInput: true });
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues, { overriddenBy, unsetEnv: unset }));
  const config = deepFreeze(result.data);
  unsetEnvByConfig.set(config, unset);
  return config;
}
