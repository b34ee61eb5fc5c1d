import { type Clock, monotonicMs, retryAfterMs } from '../../src/plugins/plugin-sdk';
import { HubspotUnavailableError } from './hubspot.errors';

/** A CRM object as HubSpot's v3 API answers it. */
export interface HubspotObject {
  id: string;
  properties: Record<string, string | null>;
  associations?: Record<string, { results: { id: string; type?: string }[] }>;
}

export interface HubspotClientOptions {
  baseUrl: string;
  accessToken: string;
  /** One request's time limit. */
  timeoutMs: number;
  /** Tries after the first, for 429, 5xx and network errors. */
  maxRetries: number;
  /** First retry delay; doubles per retry. A longer Retry-After from HubSpot wins. */
  retryBaseMs: number;
  /** What time it is, for an HTTP-date Retry-After. */
  clock: Clock;
  /** Waits for timers; tests pass one that records instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** A monotonic reading in milliseconds, against which deadlines are set (monotonicMs when absent). */
  now?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The few reads Persona makes of HubSpot's CRM API (`GET /crm/v3/objects/{type}/{id}`) with a private app's access
 * token. Rate limits (429) and server errors (5xx) are retried with exponential backoff, honouring Retry-After,
 * but never past `deadline` (the webhook must be answered in time; HubSpot retries it later).
 */
export class HubspotClient {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: HubspotClientOptions) {
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? monotonicMs;
  }

  /** The object, or null when HubSpot says it doesn't exist (deleted, or merged away). */
  async object(
    type: 'contacts' | 'deals',
    id: string,
    query: { properties: readonly string[]; associations?: readonly string[] },
    deadline: number,
  ): Promise<HubspotObject | null> {
    const url = new URL(
      `crm/v3/objects/${type}/${encodeURIComponent(id)}`,
      this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`,
    );
    url.searchParams.set('properties', query.properties.join(','));
    if (query.associations?.length) url.searchParams.set('associations', query.associations.join(','));
    for (let retry = 0; ; retry += 1) {
      let problem: string;
      let retryAfter: number | undefined;
      try {
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${this.options.accessToken}`, accept: 'application/json' },
          signal: AbortSignal.timeout(Math.max(1, Math.floor(Math.min(this.options.timeoutMs, deadline - this.now())))),
        });
        const text = await response.text();
        if (response.ok) return parseObject(text);
        if (response.status === 404) return null;
        problem = `HubSpot answered ${response.status}: ${hubspotMessage(text)}`;
        if (response.status !== 429 && response.status < 500) throw new HubspotUnavailableError(problem);
        retryAfter = retryAfterMs(response.headers.get('retry-after'), this.options.clock().getTime());
      } catch (error) {
        // fetch reports an unreachable host as a TypeError and a timeout as a DOMException; the rest is final.
        if (!(error instanceof TypeError) && !(error instanceof DOMException)) throw error;
        problem = `HubSpot unreachable: ${error.message}`;
      }
      const wait = Math.max(this.options.retryBaseMs * 2 ** retry, retryAfter ?? 0);
      if (retry >= this.options.maxRetries || this.now() + wait >= deadline) throw new HubspotUnavailableError(problem);
      await this.sleep(wait);
    }
  }
}

function parseObject(text: string): HubspotObject {
  let json: HubspotObject;
  try {
    json = JSON.parse(text) as HubspotObject;
  } catch {
    throw new HubspotUnavailableError('HubSpot answered something that is not JSON');
  }
  if (typeof json?.id !== 'string' || typeof json.properties !== 'object' || json.properties === null) {
    throw new HubspotUnavailableError('HubSpot answered an object without id or properties');
  }
  return json;
}

/** HubSpot's error bodies are `{"status": "error", "message", "category", "correlationId"}`. */
function hubspotMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { message?: string; category?: string };
    return [json.category, json.message].filter(Boolean).join(': ') || text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
