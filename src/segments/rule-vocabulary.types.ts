/** Event types and properties a source adds to what rules and segments may refer to (plugins register them). */
export interface RuleVocabulary {
  name: string;
  eventTypes: { type: string; properties?: string[] }[];
}
