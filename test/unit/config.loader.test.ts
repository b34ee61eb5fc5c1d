import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadConfig } from '../../src/config/config-loader';
import { configSchema } from '../../src/config/config.schema';
import { projectRoot } from '../../src/config/project-root';
import { Secret } from '../../src/config/secret';

/** A project folder with config/default.yaml copied from the real one, plus optional extra files. */
function projectWith(files: Record<string, unknown> = {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'persona-config-test-'));
  mkdirSync(path.join(root, 'config'));
  writeFileSync(
    path.join(root, 'config', 'default.yaml'),
    readFileSync(path.join(projectRoot(), 'config', 'default.yaml')),
  );
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(root, name), typeof content === 'string' ? content : YAML.stringify(content));
  }
  return root;
}

describe('config loader', () => {
  it('documents exactly the schema defaults in config/default.yaml', () => {
    const fromYaml = loadConfig({ env: {} });
    const fromSchema = configSchema.parse({ plugins: fromYaml.plugins, rules: fromYaml.rules });
    expect(fromYaml).toEqual(fromSchema);
  });

  it('runs on the embedded SQLite default with no environment at all', () => {
    const config = loadConfig({ env: {} });
    expect(config.database.url).toBe('sqlite:data/persona.sqlite');
    expect(config.server.port).toBe(3000);
    expect(config.auth.adminToken).toBeUndefined();
  });

  it('names the key, its source and what was expected for a bad value', () => {
    expect(() => loadConfig({ env: { PORT: 'abc' } })).toThrow(
      'server.port (from PORT): expected a number between 0 and 65535, got "abc"',
    );
    expect(() => loadConfig({ env: {}, overrides: { server: { port: 70000 } } })).toThrow(
      'server.port: expected a number between 0 and 65535, got 70000',
    );
    expect(() => loadConfig({ env: {}, overrides: { log: { level: 'loud' } } })).toThrow(/log\.level: .*got "loud"/);
    expect(() => loadConfig({ env: {}, overrides: { timezone: 'Mars/Olympus' } })).toThrow(
      'timezone: expected an IANA time zone such as Asia/Shanghai, got "Mars/Olympus"',
    );
  });

  it('refuses unknown keys, so a typo stops start-up', () => {
    expect(() => loadConfig({ env: {}, overrides: { server: { prot: 8080 } } })).toThrow('unknown key in server: prot');
  });

  it('takes secrets only from the environment, and never prints them', () => {
    expect(() => loadConfig({ env: {}, overrides: { auth: { adminToken: 'typed-into-a-file-123' } } })).toThrow(
      'auth.adminToken: secrets come from the environment',
    );
    expect(() => loadConfig({ env: { ADMIN_TOKEN: 'short' } })).toThrow(
      'auth.adminToken: expected at least 16 characters',
    );
    const config = loadConfig({ env: { ADMIN_TOKEN: 'a-long-enough-admin-token' } });
    expect(config.auth.adminToken).toBeInstanceOf(Secret);
    expect(config.auth.adminToken?.reveal()).toBe('a-long-enough-admin-token');
    expect(JSON.stringify(config)).not.toContain('a-long-enough-admin-token');
    expect(() =>
      loadConfig({ env: {}, overrides: { auth: { writeKeys: [{ name: 'shop', key: 'env:SHOP_KEY' }] } } }),
    ).toThrow('auth.writeKeys[0].key: environment variable SHOP_KEY is not set');
  });

  it('layers default.yaml, local.yaml, PERSONA_CONFIG and the environment, later winning', () => {
    const root = projectWith({
      'config/local.yaml': { server: { port: 4000, bodyLimitKb: 10 }, locale: 'en' },
      'extra.yaml': { server: { port: 5000 } },
    });
    const layered = loadConfig({ rootDir: root, env: { PERSONA_CONFIG: path.join(root, 'extra.yaml') } });
    expect([layered.server.port, layered.server.bodyLimitKb, layered.locale]).toEqual([5000, 10, 'en']);
    const withEnv = loadConfig({ rootDir: root, env: { PERSONA_CONFIG: path.join(root, 'extra.yaml'), PORT: '6000' } });
    expect(withEnv.server.port).toBe(6000);
    expect(() => loadConfig({ rootDir: root, env: { PERSONA_CONFIG: path.join(root, 'missing.yaml') } })).toThrow(
      'PERSONA_CONFIG: no file at',
    );
  });

  it('reports a YAML syntax error with its file', () => {
    const root = projectWith({ 'config/local.yaml': 'server:\n  port: [1, 2\n' });
    expect(() => loadConfig({ rootDir: root, env: {} })).toThrow(/local\.yaml/);
  });

  it('freezes the result', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('refuses rules in the config files beyond the rules ceiling, naming the limit and its key', () => {
    const scoring = Array.from({ length: 3 }, (_, i) => ({
      id: `read-${i}`,
      on: 'article_view',
      points: 1,
      group: 'engagement',
    }));
    expect(() => loadConfig({ env: {}, overrides: { rulesCeiling: { scoring: 2 }, rules: { scoring } } })).toThrow(
      'rules.scoring: 3 scoring rules, more than the 2 this server allows (rulesCeiling.scoring)',
    );
    expect(
      loadConfig({ env: {}, overrides: { rulesCeiling: { scoring: 3 }, rules: { scoring } } }).rules.scoring,
    ).toHaveLength(3);
  });
});
