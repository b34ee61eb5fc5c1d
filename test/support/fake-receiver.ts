import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers to one request: a status, and headers such as Retry-After. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string };

/**
 * A webhook receiver on loopback: records every request and answers what `answer` says (by request number from 1),
 * as a CRM endpoint that is down, overloaded or fine would.
 */
export async function startFakeReceiver(
  answer: (n: number) => Answer,
): Promise<{ url: string; requests: ReceivedRequest[]; close(): Promise<void> }> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const { status, headers = {}, body = '' } = answer(requests.length);
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
