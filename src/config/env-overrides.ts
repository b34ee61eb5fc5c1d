/**
 * Environment variables that override a plain (non-secret) config key. Secrets are not listed here:
 * config names them with `env:VARIABLE`, see `secret.ts`.
 */
export interface EnvOverride {
  env: string;
  path: readonly string[];
  /** Numbers arrive as strings; a value that isn't one is passed through so validation names it. */
  numeric?: boolean;
}

export const envOverrides: readonly EnvOverride[] = [
  { env: 'HOST', path: ['server', 'host'] },
  { env: 'PORT', path: ['server', 'port'], numeric: true },
  { env: 'DATABASE_URL', path: ['database', 'url'] },
  { env: 'LOG_LEVEL', path: ['log', 'level'] },
];
