/** The HubSpot plugin's own errors. */

/**
 * HubSpot's API did not give the object: it refused (a bad token), stayed rate-limited or down past the deadline, or
 * could not be reached. The webhook is answered 503 so HubSpot delivers it again later.
 */
export class HubspotUnavailableError extends Error {}
