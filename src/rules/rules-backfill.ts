import type { Logger } from 'pino';
import { ConflictError } from '../errors/app.errors';
import { LedgerChange } from './ledger-plan';
import type { LedgerRewrite } from './ledger-rewrite';
import { RuleSet } from './rule-set';
import { assertWithinCeiling, type RulesCeiling } from './rules-ceiling.schema';
import type { RulesDocument } from './rules-document.schema';
import { RulesNotAppliedError } from './rules.errors';
import { rulesText } from './rules.messages';
import { type RulesProvider, sameDocument } from './rules-provider';
import type { TagRuleSweep } from './tag-rule-sweep';

export interface ApplyOutcome {
  profilesRescored: number;
  crossings: number;
  tagCandidates: number;
  tagsUpdated: number;
}

/** An apply under way: `accepted` settles once the database has accepted the rules (or refused them), `done` when it is finished. */
export interface ApplyRun {
  accepted: Promise<void>;
  done: Promise<ApplyOutcome>;
}

/**
 * Applies a rules document, all or nothing. First every tag rule is put to the database over no rows, so rules it
 * refuses are a ValidationError before anything changes. Then the document becomes the rules in force (new events
 * score by it), every profile whose ledger it touches is scored again from its events (a batch per transaction, the
 * batch's profiles locked), and every rule tag is brought up to date. If that fails part-way, what it wrote is undone
 * the same way: the previous rules in force again, the ledger rewritten back, the failed document's rule tags taken
 * away (where the profile didn't hold them before) and the previous rules' tags brought up to date; the caller gets a
 * RulesNotAppliedError. Applying the rules already in force rebuilds the ledger from the events, which finishes an
 * apply whose undoing failed too.
 */
export class RulesBackfill {
  constructor(
    private readonly provider: RulesProvider,
    private readonly rewrite: LedgerRewrite,
    private readonly sweep: TagRuleSweep,
    private readonly options: { batchSize: number; concurrency: number; ceiling: RulesCeiling },
  ) {}

  private running: Promise<void> | undefined;
  private last: { startedAt: string; actor: string; outcome?: ApplyOutcome; error?: string } | undefined;

  /** The apply under way or last finished in this process. */
  get status():
    | { running: boolean; startedAt: string; actor: string; outcome?: ApplyOutcome; error?: string }
    | { running: false } {
    return this.last ? { running: this.running !== undefined, ...this.last } : { running: false };
  }

  /** Starts applying `document` unless it holds too many rules (ValidationError) or an apply is under way (ConflictError), at once. */
  start(document: RulesDocument, actor: string, now: Date, log: Logger): ApplyRun {
    assertWithinCeiling(document, this.options.ceiling);
    if (this.running) throw new ConflictError(rulesText('rules.applying'));
    const started = { startedAt: now.toISOString(), actor };
    this.last = started;
    let accept: (error?: unknown) => void = () => undefined;
    const accepted = new Promise<void>(
      (resolve, reject) => (accept = (error) => (error === undefined ? resolve() : reject(error))),
    );
    const done = this.apply(document, actor, now, log, accept).then(
      (outcome) => {
        this.last = { ...started, outcome };
        return outcome;
      },
      (error: unknown) => {
        accept(error);
        this.last = { ...started, error: (error as Error).message };
        log.error({ err: error }, 'rules apply failed');
        throw error;
      },
    );
    this.running = done.then(
      () => undefined,
      () => undefined,
    );
    void this.running.then(() => {
      this.running = undefined;
    });
    // Whoever waits for `accepted` only hears of a refusal there; a failure later is `done`'s to report.
    accepted.catch(() => undefined);
    return { accepted, done };
  }

  private async apply(
    document: RulesDocument,
    actor: string,
    now: Date,
    log: Logger,
    accept: () => void,
  ): Promise<ApplyOutcome> {
    const previous = this.provider.current;
    const target = new RuleSet(document);
    await this.sweep.check(target, now);
    accept();
    // Timeline events of an apply are keyed by its version, so applying again at the same moment (after an undo, or
    // with a pinned clock) records its own.
    const keyOf = () => `rules-apply:${now.toISOString()}:v${this.provider.version}`;
    // Applying the rules already in force (to finish an apply that failed and couldn't be undone) scores every rule
    // again from the events: the ledger is rebuilt whatever state it is in. There is nothing earlier to go back to.
    if (sameDocument(previous.document, document)) {
      const after = await this.provider.apply(document, actor);
      return this.write(new LedgerChange(new RuleSet({ ...previous.document, scoring: [] }), after), now, keyOf(), log);
    }
    const heldBefore = await this.sweep.holdersOf(this.newRuleTags(target, previous));
    const after = await this.provider.apply(document, actor);
    const key = keyOf();
    try {
      return await this.write(new LedgerChange(previous, after), now, key, log);
    } catch (error) {
      log.error({ err: error }, 'rules apply failed part-way; undoing what it wrote');
      try {
        await this.undo(previous, after, heldBefore, actor, now, `${key}:undo`, log);
      } catch (undoError) {
        log.error(
          { err: undoError },
          'undoing the failed rules apply failed; apply the rules in force again to rebuild the ledger and the tags',
        );
        throw new RulesNotAppliedError(
          false,
          sameDocument(this.provider.current.document, previous.document) ? 'previous' : 'new',
        );
      }
      log.warn({ actor }, 'rules apply undone: the previous rules are in force again');
      throw new RulesNotAppliedError(true);
    }
  }

  /** The ledger rewritten for `change`, then every rule tag of its new rules brought up to date. */
  private async write(change: LedgerChange, now: Date, key: string, log: Logger): Promise<ApplyOutcome> {
    const rescored = await this.rewrite.run(change, now, key, log);
    const swept = await this.sweep.run(change.after, now, key, {
      concurrency: this.options.concurrency,
      batchSize: this.options.batchSize,
    });
    const outcome = {
      profilesRescored: rescored.profiles,
      crossings: rescored.crossings,
      tagCandidates: swept.candidates,
      tagsUpdated: swept.updated,
    };
    log.info({ ...outcome, key }, 'rules applied and backfilled');
    return outcome;
  }

  /**
   * Takes back a failed apply: the previous rules in force again (a new version recording them), the ledger of every
   * profile the failed rules touched rewritten back (events that arrived meanwhile included), the tags of rules only
   * the failed document had taken away where they weren't held before it, and every previous rule tag brought up to
   * date, as after an apply of the previous rules.
   */
  private async undo(
    previous: RuleSet,
    failed: RuleSet,
    heldBefore: ReadonlySet<string>,
    actor: string,
    now: Date,
    key: string,
    log: Logger,
  ): Promise<void> {
    const restored = await this.provider.apply(previous.document, actor);
    await this.rewrite.run(new LedgerChange(failed, restored), now, key, log);
    await this.sweep.retire(this.newRuleTags(failed, restored), heldBefore, now, key, this.options.batchSize);
    await this.sweep.run(restored, now, key, {
      concurrency: this.options.concurrency,
      batchSize: this.options.batchSize,
    });
  }

  /** Tags that rules of `next` give and no rule of `current` does. */
  private newRuleTags(next: RuleSet, current: RuleSet): string[] {
    const known = new Set(current.tagRules.map((rule) => rule.tag));
    return next.tagRules.map((rule) => rule.tag).filter((tag) => !known.has(tag));
  }
}
