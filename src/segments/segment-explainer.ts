import { type SegmentExpr, segmentTerms, type SegmentTerm } from './segment-ast';
import { evaluateSegment, type ProfileFacts } from './segment-evaluator';
import { printSegment } from './segment-printer';
import { ownValue } from '../util/own-value';

/** One condition of an expression, what the profile's facts say about it, and whether it holds. */
export interface TermExplanation {
  term: string;
  holds: boolean;
  /** The fact the condition compared: a count of events, a score, an attribute's value, a time… */
  fact: unknown;
}

/** Each condition of `expr` with the fact it read and its outcome for this profile (what made a rule true or false). */
export function explainSegment(expr: SegmentExpr, facts: ProfileFacts, now: Date): TermExplanation[] {
  return segmentTerms(expr).map((term) => ({
    term: printSegment(term),
    holds: evaluateSegment(term, facts, now),
    fact: factOf(term, facts),
  }));
}

function factOf(expr: SegmentTerm, facts: ProfileFacts): unknown {
  switch (expr.kind) {
    case 'tag':
      return facts.tags.has(expr.name);
    case 'lifecycle':
      return [...facts.tags].find((tag) => tag.startsWith('lifecycle/'))?.slice('lifecycle/'.length) ?? null;
    case 'has':
      return facts.identityTypes.has(expr.identity);
    case 'subscribed':
      return facts.subscriptions.get(expr.account ?? 'default') ?? null;
    case 'field':
    case 'fieldIn': {
      if (expr.field === 'source' || expr.field === 'channel') return facts.firstTouch[expr.field];
      const name = expr.field === 'age' ? 'birthday' : expr.field.replace(/^attr\./, '');
      return ownValue(facts.attributes, name) ?? null;
    }
    case 'lastSeen':
      return facts.lastSeenAt?.toISOString() ?? null;
    case 'event':
      return facts.eventCount(expr);
    case 'score':
      return expr.group === null
        ? [...facts.scores.values()].reduce((sum, points) => sum + points, 0)
        : (facts.scores.get(expr.group) ?? 0);
    case 'frozenList':
      return facts.frozenSegments.has(expr.segmentId);
    default:
      return null;
  }
}
