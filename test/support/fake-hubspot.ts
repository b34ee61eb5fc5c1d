import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const hubspotToken = 'pat-na1-test-token-0123456789';

type HubspotRecord = {
  id: string;
  properties: Record<string, string | null>;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
};

/**
 * HubSpot's CRM API on loopback, as far as Persona reads it: `GET /crm/v3/objects/{contacts|deals}/{id}` with a
 * bearer token, answering objects, and HubSpot's error bodies for a wrong token (401), an unknown object (404), a
 * rate limit (429) and an outage. `failures` are consumed one per request before the real answer.
 */
export async function startFakeHubspot() {
  const objects = { contacts: new Map<string, HubspotRecord>(), deals: new Map<string, HubspotRecord>() };
  const failures: { status: 429 | 500 | 502 | 503; retryAfter?: string }[] = [];
  const requests: string[] = [];
  let down = false;
  const error = (status: number, message: string, category: string) => ({
    status,
    body: { status: 'error', message, correlationId: randomUUID(), category },
  });
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${hubspotToken}`) {
      const { status, body } = error(
        401,
        'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
        'INVALID_AUTHENTICATION',
      );
      return answer(status, body);
    }
    const failure = failures.shift() ?? (down ? { status: 503 as const } : undefined);
    if (failure?.status === 429) {
      return answer(
        429,
        {
          status: 'error',
          message: 'You have reached your secondly limit.',
          errorType: 'RATE_LIMIT',
          correlationId: randomUUID(),
          policyName: 'SECONDLY',
        },
        failure.retryAfter === undefined ? {} : { 'retry-after': failure.retryAfter },
      );
    }
    if (failure) {
      const { status, body } = error(failure.status, 'Internal error', 'INTERNAL_ERROR');
      return answer(status, body);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/crm\/v3\/objects\/(contacts|deals)\/([^/]+)$/.exec(url.pathname);
    const record = match ? objects[match[1] as 'contacts' | 'deals'].get(decodeURIComponent(match[2])) : undefined;
    if (!record) {
      const { status, body } = error(404, 'resource not found', 'OBJECT_NOT_FOUND');
      return answer(status, body);
    }
    const wanted = (url.searchParams.get('properties') ?? '').split(',').filter(Boolean);
    const properties = Object.fromEntries(wanted.map((name) => [name, record.properties[name] ?? null]));
    const now = new Date().toISOString();
    answer(200, {
      id: record.id,
      properties: { ...properties, hs_object_id: record.id, createdate: now, lastmodifieddate: now },
      createdAt: now,
      updatedAt: now,
      archived: false,
      ...(url.searchParams.get('associations') && record.associations ? { associations: record.associations } : {}),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    objects,
    failures,
    requests,
    setDown(value: boolean) {
      down = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
