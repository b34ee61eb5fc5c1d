import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { RulesDocument } from './rules-document.schema';
import { RuleSet } from './rule-set';

/** The outcome of a reload: the rules in force changed, stayed (the files say the same), or the change was refused. */
export type ReloadOutcome = { status: 'reloaded' | 'unchanged' } | { status: 'refused'; error: string };

/**
 * The rules in force, and their hot reload: when a config file changes, the rules are read again; a document that
 * doesn't validate is refused with the reason in the log and the rules in force stay. Every event is scored by the
 * rule set current when its transaction starts, so a reload never mixes two sets in one event.
 */
export class RulesProvider {
  private rules: RuleSet;
  private watchers: FSWatcher[] = [];
  private pending: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(rules: RuleSet) => void>();

  constructor(
    initial: RulesDocument,
    /** Reads the rules document from the config files again; throws (a ConfigError) when they don't validate. */
    private readonly read: () => RulesDocument,
    private readonly log: Logger,
  ) {
    this.rules = new RuleSet(initial);
  }

  get current(): RuleSet {
    return this.rules;
  }

  /** Calls `listener` with each new rule set; the returned function stops that. */
  onChange(listener: (rules: RuleSet) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reload(): ReloadOutcome {
    let next: RuleSet;
    try {
      const document = this.read();
      if (JSON.stringify(document) === JSON.stringify(this.rules.document)) return { status: 'unchanged' };
      next = new RuleSet(document);
    } catch (error) {
      const message = (error as Error).message;
      this.log.error({ reason: message }, `rules not reloaded, the rules in force stay: ${message}`);
      return { status: 'refused', error: message };
    }
    this.rules = next;
    this.log.info({ scoringRules: next.scoring.length, tagRules: next.tagRules.length }, 'rules reloaded');
    for (const listener of this.listeners) listener(next);
    return { status: 'reloaded' };
  }

  /**
   * Reloads when one of `files` changes. Watches their folders rather than the files, since editors often save by
   * replacing a file; changes within 200 ms are taken together.
   */
  watch(files: readonly string[]): void {
    const byFolder = new Map<string, Set<string>>();
    for (const file of files) byFolder.set(path.dirname(file), (byFolder.get(path.dirname(file)) ?? new Set()).add(path.basename(file)));
    for (const [folder, names] of byFolder) {
      try {
        const watcher = watch(folder, (_event, name) => {
          if (name === null || !names.has(name.toString())) return;
          clearTimeout(this.pending);
          this.pending = setTimeout(() => this.reload(), 200);
        });
        watcher.on('error', (error) => this.log.warn({ err: error, folder }, 'config folder watch failed; rules reload on restart only'));
        this.watchers.push(watcher);
      } catch (error) {
        this.log.warn({ err: error, folder }, 'config folder not watched; rules reload on restart only');
      }
    }
  }

  stop(): void {
    clearTimeout(this.pending);
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }
}
