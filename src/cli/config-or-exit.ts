import { ConfigError } from '../errors/app.errors';
import { loadConfig } from '../config/config-loader';
import type { Config } from '../config/config.schema';

/** The config, or (when it is invalid) its problems on stderr and exit status 1: for the process entry points. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Persona can't start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
