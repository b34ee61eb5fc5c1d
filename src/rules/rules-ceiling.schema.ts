import { z } from 'zod';
import { intBetween } from '../config/config-fields';
import { ValidationError } from '../errors/app.errors';
import { expandTagRule, type RulesDocument } from './rules-document.schema';
import { rulesText } from './rules.messages';

/**
 * The most rules one document may hold. A preview or an apply costs events × rules, so a document far beyond what a
 * brand writes (thousands of rules) would keep the server busy for minutes and its memory high: it is refused at once.
 */
export interface RulesCeiling {
  /** Scoring rules. */
  scoring: number;
  /** Tag rules, each value of an `each` counting as one (that is how many rules it makes). */
  tagRules: number;
}

/** A part of a document beyond its limit: where (`['tags', 'rules']`) and what, naming the config key. */
export interface CeilingProblem {
  path: string[];
  message: string;
}

/** `rulesCeiling` in the config. */
export const rulesCeilingSchema = z
  .object({
    /** Scoring rules. */
    scoring: intBetween(1, 100_000).default(300),
    /** Tag rules, each value of an `each` counting as one. */
    tagRules: intBetween(1, 100_000).default(300),
  })
  .strict();

/** What in `document` goes beyond `ceiling` (nothing when it is within). */
export function rulesBeyondCeiling(
  document: Pick<RulesDocument, 'scoring' | 'tags'>,
  ceiling: RulesCeiling,
): CeilingProblem[] {
  const problems: CeilingProblem[] = [];
  const scoring = document.scoring.length;
  if (scoring > ceiling.scoring) {
    problems.push({
      path: ['scoring'],
      message: `${scoring} scoring rules, more than the ${ceiling.scoring} this server allows (rulesCeiling.scoring)`,
    });
  }
  const tagRules = document.tags.rules.reduce((count, rule) => count + expandTagRule(rule).length, 0);
  if (tagRules > ceiling.tagRules) {
    problems.push({
      path: ['tags', 'rules'],
      message: `${tagRules} tag rules (each value of an each counts as one), more than the ${ceiling.tagRules} this server allows (rulesCeiling.tagRules)`,
    });
  }
  return problems;
}

/** Refuses `document` with a 400 naming every limit it goes beyond, as other problems of a document are named. */
export function assertWithinCeiling(document: Pick<RulesDocument, 'scoring' | 'tags'>, ceiling: RulesCeiling): void {
  const problems = rulesBeyondCeiling(document, ceiling).map(
    (problem) => `${problem.path.join('.')}: ${problem.message}`,
  );
  if (problems.length > 0) throw new ValidationError(rulesText('rules.overCeiling'), { problems });
}
