export { loadConfig, type LoadConfigOptions, unsetEnvReferences } from './config-loader';
export { type Config, configSchema } from './config.schema';
export { ConfigError } from '../errors/app.errors';
export { Secret } from './secret';
export { projectRoot } from './project-root';
export { formatIssues } from './config-issues';
export { intBetween, secret, slug, timeZone } from './config-fields';
