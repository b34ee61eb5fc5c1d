import { AppError } from '../errors/app.errors';

/**
 * An apply that failed part-way. `undone`: what it had written was taken back, so the rules in force, the ledger,
 * the scores and the rule tags are as they were before it (the timeline keeps both the changes and their undoing).
 * Otherwise undoing failed too, and the rules in force are the ones `inForce` names: applying them again rebuilds
 * the ledger and the tags from the events.
 */
export class RulesNotAppliedError extends AppError {
  constructor(undone: true);
  constructor(undone: false, inForce: 'previous' | 'new');
  constructor(
    readonly undone: boolean,
    inForce?: 'previous' | 'new',
  ) {
    super(
      undone ? 'rules_not_applied' : 'rules_apply_incomplete',
      undone
        ? 'the rules were not applied: applying them failed part-way and what it had written was undone; the rules in force, the ledger, the scores and the tags are as they were (the log has the cause)'
        : `applying the rules failed part-way and undoing it failed too: the ${inForce === 'new' ? 'new' : 'previous'} rules are in force, and the ledger and the tags may be part-way; apply the rules in force again to rebuild them (the log has the cause)`,
      500,
      { undone, ...(inForce ? { inForce } : {}) },
    );
  }
}
