import { HubspotClient } from '../../plugins/crm-hubspot/hubspot-client';
import { HubspotUnavailableError } from '../../plugins/crm-hubspot/hubspot.errors';
import { hubspotToken, startFakeHubspot } from '../support/fake-hubspot';

describe('HubSpot API client', () => {
  let hubspot: Awaited<ReturnType<typeof startFakeHubspot>>;
  const slept: number[] = [];
  const client = (token = hubspotToken) =>
    new HubspotClient({
      baseUrl: hubspot.url,
      accessToken: token,
      timeoutMs: 10_000,
      maxRetries: 3,
      retryBaseMs: 100,
      clock: () => new Date(),
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
  const query = { properties: ['email'] };

  beforeEach(async () => {
    slept.length = 0;
    hubspot = await startFakeHubspot();
    hubspot.objects.contacts.set('7', { id: '7', properties: { email: 'a@example.com' } });
  });

  afterEach(() => hubspot.close());

  it('retries 429 and 5xx with doubling backoff, waiting as long as Retry-After asks when that is longer', async () => {
    hubspot.failures.push({ status: 429, retryAfter: '7' }, { status: 503 }, { status: 429 });
    const contact = await client().object('contacts', '7', query, performance.now() + 60_000);
    expect(contact?.properties.email).toBe('a@example.com');
    expect(slept).toEqual([7000, 200, 400]);
  });

  it('gives up when retries run out, or when the next wait would pass the deadline', async () => {
    hubspot.setDown(true);
    await expect(client().object('contacts', '7', query, performance.now() + 60_000)).rejects.toThrow(
      new HubspotUnavailableError('HubSpot answered 503: INTERNAL_ERROR: Internal error'),
    );
    expect(slept).toEqual([100, 200, 400]);
    slept.length = 0;
    hubspot.setDown(false);
    hubspot.failures.push({ status: 429, retryAfter: '30' });
    await expect(client().object('contacts', '7', query, performance.now() + 5000)).rejects.toThrow(
      HubspotUnavailableError,
    );
    expect(slept).toEqual([]);
  });

  it('answers null for an object HubSpot does not have, and does not retry a refused token', async () => {
    expect(await client().object('contacts', '404', query, performance.now() + 5000)).toBeNull();
    await expect(client('wrong-token').object('contacts', '7', query, performance.now() + 5000)).rejects.toThrow(
      /HubSpot answered 401: INVALID_AUTHENTICATION/,
    );
    expect(slept).toEqual([]);
  });
});
