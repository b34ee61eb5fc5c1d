import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { configFiles, loadConfig } from '../../src/config/config-loader';
import { projectRoot } from '../../src/config/project-root';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('rules hot reload', () => {
  let root: string;
  let app: TestApp;
  const local = () => path.join(root, 'config', 'local.yaml');
  const writeRules = (rules: unknown) => writeFileSync(local(), YAML.stringify({ rules }));
  const readRules = () => loadConfig({ rootDir: root, env: {} }).rules;
  const favorite = (points: number) => ({ scoring: [{ id: 'article-favorite', on: 'article_favorite', points }] });

  beforeEach(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'persona-rules-'));
    mkdirSync(path.join(root, 'config'));
    copyFileSync(path.join(projectRoot(), 'config', 'default.yaml'), path.join(root, 'config', 'default.yaml'));
    writeRules(favorite(8));
    app = await startTestApp({ rules: readRules() }, undefined, {
      readRules,
      watchFiles: configFiles({ rootDir: root, env: {} }),
    });
  });

  afterEach(async () => {
    await app.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a rules file that does not validate and keeps the rules in force, then takes a valid one', async () => {
    const before = app.persona.rules.current;
    writeRules({ scoring: [{ id: 'article-favorite', on: 'article_favorite', points: 8, where: 'topic >' }] });
    const refused = await app.persona.rules.reload();
    expect(refused).toEqual({
      status: 'refused',
      error: expect.stringContaining('rules.scoring[0].where: column 8: expected a value') as string,
    });
    expect(app.persona.rules.current).toBe(before);

    writeRules(favorite(12));
    expect(await app.persona.rules.reload()).toEqual({ status: 'reloaded' });
    expect(await app.persona.rules.reload()).toEqual({ status: 'unchanged' });
    await app.persona.accept('test', [
      {
        key: 'fav',
        type: 'article_favorite',
        channel: 'wechat',
        occurredAt: new Date(),
        identities: [{ type: 'openid', scope: 'default', value: 'oReload' }],
        properties: { articleId: 'a1' },
      },
    ]);
    await app.persona.worker.drain();
    expect(await app.persona.db.select('SELECT rule_id, points FROM score_ledger')).toEqual([
      { rule_id: 'article-favorite', points: 12 },
    ]);
  });

  it('reloads when a config file changes on disk', async () => {
    writeRules(favorite(5));
    await waitFor(async () => app.persona.rules.current.scoring[0]?.points === 5, 60_000, 'the rules to reload');
  });
});

describe('rules versions across restarts and instances', () => {
  it('keeps an applied rules document over a restart, lets a changed config win, and brings other instances along', async () => {
    const database = await createTestDatabase();
    const favorite = (points: number) => ({
      scoring: [{ id: 'article-favorite', on: 'article_favorite', points }],
      thresholds: [],
      tags: { rules: [] },
    });
    const pointsOf = (app: TestApp) => app.persona.rules.current.scoring[0]?.points;
    let first = await startTestApp({ rules: favorite(8) }, database);
    const second = await startTestApp({ rules: favorite(8) }, database);
    try {
      const applied = await first.request('/api/rules/apply?wait=true', {
        method: 'POST',
        json: { rules: favorite(12) },
      });
      expect(applied.status).toBe(200);
      // The other instance takes the newest version when it next looks (every 5 s on its own).
      await second.persona.rules.follow();
      expect(pointsOf(second)).toBe(12);

      // Same config at the next start: the applied version stays in force.
      await first.persona.stop();
      first = await startTestApp({ rules: favorite(8) }, database);
      expect(pointsOf(first)).toBe(12);
      // A config changed while stopped wins.
      await first.persona.stop();
      first = await startTestApp({ rules: favorite(9) }, database);
      expect(pointsOf(first)).toBe(9);
      const versions = await first.persona.db.select<{ source: string }>(
        'SELECT source FROM rule_versions ORDER BY id',
      );
      expect(versions.map((version) => version.source)).toEqual(['config', 'api', 'config']);
    } finally {
      await second.persona.stop();
      await first.stop();
    }
  });
});
