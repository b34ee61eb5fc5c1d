/** A row of `events`: what happened to whom, when, and from which source (properties are stored as JSON text). */
export interface TimelineEventRow {
  id: number;
  profileId: number;
  type: string;
  channel: string | null;
  source: string;
  sourceKey: string;
  occurredAt: Date;
  receivedAt: Date;
  properties: Record<string, unknown>;
}
