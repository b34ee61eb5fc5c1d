import { randomUUID } from 'node:crypto';
import { runVariable } from './support/test-run';

/**
 * Names this run before jest starts its workers, which inherit the name and hand it to every process a test starts:
 * test/global-teardown.ts finds by it whatever outlived its test file.
 */
export default async function globalSetup(): Promise<void> {
  // Fresh even when set already: a jest run inside a test (test-processes.test.ts) accounts for its own processes.
  process.env[runVariable] = randomUUID();
}
