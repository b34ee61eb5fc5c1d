import { AppError } from '../errors/app.errors';
import { rulesText } from './rules.messages';

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
        ? rulesText('rules.notApplied')
        : rulesText('rules.applyIncomplete', { inForce: inForce === 'new' ? 'new' : 'previous' }),
      500,
      { undone, ...(inForce ? { inForce } : {}) },
    );
  }
}
