import { type SegmentExpr, segmentTerms } from './segment-ast';

/** The kinds of fact an expression reads: what must be loaded to evaluate it, and what can change its outcome. */
export interface FactNeeds {
  tags: boolean;
  /** The tags read by name (`tag:loyal`, `lifecycle:new` → lifecycle/new). */
  tagNames: Set<string>;
  attributes: boolean;
  identities: boolean;
  subscriptions: boolean;
  scores: boolean;
  frozenLists: boolean;
  /** The profile row: recency and first touch. */
  profile: boolean;
  /** Event types counted by `event:` terms. */
  eventTypes: Set<string>;
  /** An `event:any` term: every event but Persona's own counts. */
  anyEvent: boolean;
}

export function noNeeds(): FactNeeds {
  return {
    tags: false,
    tagNames: new Set(),
    attributes: false,
    identities: false,
    subscriptions: false,
    scores: false,
    frozenLists: false,
    profile: false,
    eventTypes: new Set(),
    anyEvent: false,
  };
}

/** Adds what `expr` reads to `needs` (a fresh set when not given). */
export function factNeeds(expr: SegmentExpr, needs: FactNeeds = noNeeds()): FactNeeds {
  for (const term of segmentTerms(expr)) {
    switch (term.kind) {
      case 'tag':
        needs.tags = true;
        needs.tagNames.add(term.name);
        break;
      case 'lifecycle':
        needs.tags = true;
        needs.tagNames.add(`lifecycle/${term.stage}`);
        break;
      case 'has':
        needs.identities = true;
        break;
      case 'subscribed':
        needs.subscriptions = true;
        break;
      case 'score':
        needs.scores = true;
        break;
      case 'frozenList':
        needs.frozenLists = true;
        break;
      case 'lastSeen':
        needs.profile = true;
        break;
      case 'field':
      case 'fieldIn':
        if (term.field === 'source' || term.field === 'channel') needs.profile = true;
        else needs.attributes = true;
        break;
      case 'event':
        if (term.types === 'any') needs.anyEvent = true;
        else for (const type of term.types) needs.eventTypes.add(type);
        break;
      case 'segment':
        break;
    }
  }
  return needs;
}

/** Whether `expr` names the saved segment `name` (`segment:name`). */
export function refersTo(expr: SegmentExpr, name: string): boolean {
  return segmentTerms(expr).some((term) => term.kind === 'segment' && term.name === name);
}
