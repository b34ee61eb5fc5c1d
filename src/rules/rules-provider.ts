import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { formatIssues } from '../config/config-issues';
import { ValidationError } from '../errors/app.errors';
import { type RulesDocument, rulesDocumentSchema } from './rules-document.schema';
import type { RuleVersionsRepository } from './rule-versions.repository';
import { RuleSet } from './rule-set';
import { rulesText } from './rules.messages';
import type { Clock } from '../util/clock';

/** The outcome of a reload: the rules in force changed, stayed (the files say the same), or the change was refused. */
export type ReloadOutcome = { status: 'reloaded' | 'unchanged' } | { status: 'refused'; error: string };

/** Reads a rules document sent to the API, answering every problem by its path (`scoring[0].where: …`). */
export function parseRulesDocument(input: unknown): RulesDocument {
  const result = rulesDocumentSchema.safeParse(input, { reportInput: true });
  if (!result.success)
    throw new ValidationError(rulesText('rules.invalid'), {
      problems: formatIssues(result.error.issues, { overriddenBy: new Map(), unsetEnv: new Map() }),
    });
  return result.data;
}

/** Whether two rules documents say the same (they are plain JSON, in the schema's key order). */
export const sameDocument = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The rules in force and how they change. The config files are one source: when one changes, the rules are read
 * again, and a document that doesn't validate is refused with the reason in the log while the rules in force stay.
 * The API is the other (`apply`). Every change is recorded in `rule_versions`, and each instance follows the newest
 * version, so a change made on one instance reaches all. A config change made while Persona was stopped wins at
 * start; otherwise the newest version does. Every event is scored by the rule set current when its transaction
 * starts, so a change never mixes two sets in one event.
 */
export class RulesProvider {
  private rules: RuleSet;
  private versionId = 0;
  private watchers: FSWatcher[] = [];
  private pending: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private store: RuleVersionsRepository | undefined;

  constructor(
    private readonly configDocument: RulesDocument,
    /** Reads the rules document from the config files again; throws (a ConfigError) when they don't validate. */
    private readonly read: () => RulesDocument,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.rules = new RuleSet(configDocument);
  }

  get current(): RuleSet {
    return this.rules;
  }

  /** The recorded version in force (0 before any is recorded). */
  get version(): number {
    return this.versionId;
  }

  /**
   * Settles which rules are in force from the config and the recorded versions (after migrations, before work),
   * then follows versions other instances record, every `followMs`, and reloads when one of `files` changes.
   */
  async start(store: RuleVersionsRepository, files: readonly string[] = [], followMs = 5000): Promise<void> {
    await this.init(store);
    this.watch(files);
    this.poll = setInterval(
      () =>
        void this.follow().catch((error: unknown) => this.log.warn({ err: error }, 'checking for new rules failed')),
      followMs,
    );
    this.poll.unref();
  }

  private async init(store: RuleVersionsRepository): Promise<void> {
    this.store = store;
    const fromConfig = await store.latest('config');
    if (!fromConfig || !sameDocument(fromConfig.document, this.configDocument)) {
      this.versionId = await store.add(this.configDocument, 'config', null, this.clock());
      this.rules = new RuleSet(this.configDocument);
      return;
    }
    await this.follow();
  }

  /** Takes the newest recorded version when another instance (or the API) made one. */
  async follow(): Promise<void> {
    if (!this.store || (await this.store.latestId()) === this.versionId) return;
    const latest = await this.store.latest();
    if (!latest) return;
    try {
      const document = rulesDocumentSchema.parse(latest.document);
      this.rules = new RuleSet(document);
      this.versionId = latest.id;
      this.log.info({ version: latest.id, source: latest.source }, 'rules changed');
    } catch (error) {
      // A version this build can't read (written by a newer one): keep what is in force, don't retry it.
      this.versionId = latest.id;
      this.log.error(
        { err: error, version: latest.id },
        'recorded rules version not readable; the rules in force stay',
      );
    }
  }

  /** Makes `document` the rules in force, recorded as applied by `actor`. */
  async apply(document: RulesDocument, actor: string): Promise<RuleSet> {
    const next = new RuleSet(document);
    if (this.store) this.versionId = await this.store.add(document, 'api', actor, this.clock());
    this.rules = next;
    this.log.info({ actor, version: this.versionId }, 'rules applied');
    return next;
  }

  /** Reads the config files again: takes their rules when they changed and validate. */
  async reload(): Promise<ReloadOutcome> {
    let document: RulesDocument;
    try {
      document = this.read();
    } catch (error) {
      const message = (error as Error).message;
      this.log.error({ reason: message }, `rules not reloaded, the rules in force stay: ${message}`);
      return { status: 'refused', error: message };
    }
    if (sameDocument(document, this.rules.document)) return { status: 'unchanged' };
    const next = new RuleSet(document);
    if (this.store) this.versionId = await this.store.add(document, 'config', null, this.clock());
    this.rules = next;
    this.log.info({ scoringRules: next.scoring.length, tagRules: next.tagRules.length }, 'rules reloaded');
    return { status: 'reloaded' };
  }

  /**
   * Reloads when one of `files` changes. Watches the files' folders rather than the files, since editors often save
   * by replacing a file; changes within 200 ms are taken together.
   */
  private watch(files: readonly string[]): void {
    const byFolder = new Map<string, Set<string>>();
    for (const file of files)
      byFolder.set(path.dirname(file), (byFolder.get(path.dirname(file)) ?? new Set()).add(path.basename(file)));
    for (const [folder, names] of byFolder) {
      try {
        const watcher = watch(folder, (_event, name) => {
          if (name === null || !names.has(name.toString())) return;
          clearTimeout(this.pending);
          this.pending = setTimeout(
            () => void this.reload().catch((error: unknown) => this.log.error({ err: error }, 'rules reload failed')),
            200,
          );
        });
        watcher.on('error', (error) =>
          this.log.warn({ err: error, folder }, 'config folder watch failed; rules reload on restart only'),
        );
        this.watchers.push(watcher);
      } catch (error) {
        this.log.warn({ err: error, folder }, 'config folder not watched; rules reload on restart only');
      }
    }
  }

  stop(): void {
    clearTimeout(this.pending);
    clearInterval(this.poll);
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }
}
