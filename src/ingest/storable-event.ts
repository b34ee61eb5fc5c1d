import { normalizeAttribute } from '../profiles/attribute-catalog';
import { identityTypes } from '../profiles/identity';
import { normalizeIdentity } from '../profiles/identity-normalizer';
import { personaEventTypes } from '../timeline/persona-event-types';
import { illFormedTextMessage, jsonShapeProblems } from '../util/json-shape';
import type { FieldProblem } from './field-problem';
import type { InboundEvent } from './inbound-event';

/** The bounds every inbound event is held to, whichever way it arrives. */
export const inboundLimits = {
  /** Largest `properties`, as JSON. */
  propertiesBytes: 32 * 1024,
  /** Most levels of objects and arrays in `properties`, counting `properties` itself. */
  depth: 32,
  /** Earliest `occurredAt`. */
  earliest: new Date(Date.UTC(2000, 0, 1)),
  /** How far ahead of its receipt an event may say it happened (clocks differ; a year ahead is a mistake). */
  futureToleranceMs: 24 * 60 * 60 * 1000,
} as const;

/** Event types and channels as the timeline keeps them (VARCHAR(64)). */
export const eventTypePattern = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
export const channelPattern = /^[a-z0-9][a-z0-9_-]*$/;
const nameLength = 64;
/** `tags.name` is VARCHAR(128), `identities.scope` VARCHAR(64). */
const tagLength = 128;
const scopeLength = 64;

/** Why `at` can't be an event's time, received at `receivedAt`; undefined when it can. */
export function occurredAtProblem(at: Date, receivedAt: Date): string | undefined {
  const time = at.getTime();
  if (Number.isNaN(time)) return 'expected a valid time';
  if (time < inboundLimits.earliest.getTime())
    return `expected a time after ${inboundLimits.earliest.toISOString().slice(0, 10)}`;
  if (time > receivedAt.getTime() + inboundLimits.futureToleranceMs) return 'is more than 24 hours in the future';
  return undefined;
}

/**
 * Everything that would keep a normalized event from being stored and processed, by field: what the inbox, the
 * timeline, the identities and attributes can hold (lengths, well-formed text, times the database takes), and the
 * bounds on properties; and the event types only Persona records, which no inbound event may claim. Every way in
 * runs this before the answer, so nothing is acknowledged that would fail later. Paths name the inbound event's
 * fields (`identities.openid`, `properties.a.b`).
 */
export function storableProblems(event: InboundEvent, receivedAt: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  if (typeof event.key !== 'string' || event.key === '') problem('key', 'expected a key');
  else if (!event.key.isWellFormed()) problem('key', illFormedTextMessage);
  if (!isName(event.type, eventTypePattern))
    problem('type', 'expected a lower-case event type of at most 64 characters');
  else if (personaEventTypes.has(event.type))
    problem('type', `${event.type} is recorded by Persona itself; no inbound event may claim it`);
  if (event.channel !== null && !isName(event.channel, channelPattern))
    problem('channel', 'expected a lower-case channel of at most 64 characters');
  if (event.attributeSource !== undefined && !isName(event.attributeSource, channelPattern))
    problem('attributeSource', 'expected a lower-case source name');
  const time = event.occurredAt instanceof Date ? occurredAtProblem(event.occurredAt, receivedAt) : 'expected a time';
  if (time) problem('occurredAt', time);
  identityProblems(event, problem);
  propertyProblems(event.properties, problems);
  for (const [name, value] of Object.entries(event.attributes ?? {})) {
    const normalized = normalizeAttribute(name, value, receivedAt);
    if ('error' in normalized) problem(`attributes.${name}`, normalized.error);
  }
  for (const [edit, tags] of Object.entries(event.tags ?? {})) {
    for (const tag of (tags as unknown[] | undefined) ?? []) {
      if (typeof tag !== 'string' || !tag || tag.length > tagLength || !tag.isWellFormed())
        problem(`tags.${edit}`, `expected tag names of at most ${tagLength} characters`);
    }
  }
  return problems;
}

function isName(value: unknown, pattern: RegExp): boolean {
  return typeof value === 'string' && value.length <= nameLength && pattern.test(value);
}

function identityProblems(event: InboundEvent, problem: (path: string, message: string) => void): void {
  if (!Array.isArray(event.identities) || event.identities.length === 0) {
    problem('identities', 'expected at least one identity');
    return;
  }
  for (const identity of event.identities) {
    const type: string = identity.type;
    if (!(identityTypes as readonly string[]).includes(type)) {
      problem('identities', `unknown identity type ${JSON.stringify(type)}`);
      continue;
    }
    const { scope, value } = identity;
    if (
      typeof scope !== 'string' ||
      scope.length > scopeLength ||
      !scope.isWellFormed() ||
      // eslint-disable-next-line no-control-regex -- a scope is a name: control characters are what is refused
      /[\u0000-\u001f\u007f]/.test(scope)
    ) {
      problem(`identities.${type}`, `expected a scope of at most ${scopeLength} characters`);
      continue;
    }
    const checked =
      typeof value === 'string' ? normalizeIdentity(identity.type, value, scope) : { error: 'expected text' };
    if ('error' in checked) problem(`identities.${type}`, checked.error);
  }
}

function propertyProblems(properties: unknown, problems: FieldProblem[]): void {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    problems.push({ path: 'properties', message: 'expected an object' });
    return;
  }
  const shape = jsonShapeProblems(properties, 'properties', inboundLimits.depth);
  if (shape.length > 0) {
    problems.push(...shape);
    return;
  }
  // Measured only once the depth is known to be sane: JSON.stringify recurses.
  if (Buffer.byteLength(JSON.stringify(properties)) > inboundLimits.propertiesBytes) {
    problems.push({ path: 'properties', message: `are larger than ${inboundLimits.propertiesBytes} bytes as JSON` });
  }
}
