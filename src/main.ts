import { Persona } from './app';
import { configOrExit } from './cli/config-or-exit';
import { configFiles, loadConfig } from './config/config-loader';
import { createLogger } from './logging/logger';

/** The composition root: config → logger → Persona (db, migrations, plugins, worker, jobs, http) → signals. */
async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger({ level: config.log.level });

  let persona: Persona;
  try {
    persona = new Persona(config, log, { readRules: () => loadConfig().rules, watchFiles: configFiles() });
  } catch (error) {
    log.fatal({ err: error }, `Persona can't start: ${(error as Error).message}`);
    process.exit(1);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    persona
      .stop()
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  try {
    await persona.start();
  } catch (error) {
    log.fatal({ err: error }, `Persona can't start: ${(error as Error).message}`);
    await persona.stop().catch(() => undefined);
    process.exit(1);
  }
  log.info(
    { url: persona.url, database: persona.db.target.display, plugins: persona.plugins.names },
    `Persona is listening on ${persona.url} (database ${persona.db.target.display})`,
  );
}

void main();
