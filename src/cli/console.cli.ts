import { Persona } from '../app';
import { runConsole } from '../bot/console.transport';
import { configOrExit } from './config-or-exit';
import { createLogger } from '../logging/logger';

/**
 * `npm run console [-- --as <contact>]`: Persona in this process (not listening, no WeChat connection; workers and
 * jobs run, so a confirmed push goes out), with the bot in the terminal as a configured operator.
 */
async function main(): Promise<void> {
  const asIndex = process.argv.indexOf('--as');
  const contact = asIndex > 0 ? process.argv[asIndex + 1] : undefined;
  const config = configOrExit();
  // The terminal is for the conversation: routine logs would interleave with it.
  const log = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level });
  const persona = new Persona(config, log);
  const operator = persona.bot.operators.consoleOperator(contact ?? config.bot.consoleOperator);
  if (!operator) {
    process.stderr.write(
      contact
        ? `${contact} is not listed under bot.operators\n`
        : 'No operator to act as: list one under bot.operators (role admin), e.g. in config/local.yaml, or try npm run demo\n',
    );
    process.exit(1);
  }
  await persona.start({ listen: false, wechaty: false });
  try {
    await runConsole((message) => persona.bot.handle(message), operator, {
      input: process.stdin,
      output: process.stdout,
      interactive: Boolean(process.stdin.isTTY),
    });
  } finally {
    await persona.stop();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
