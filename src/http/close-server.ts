import type { Server } from 'node:http';

/**
 * Stops accepting and waits for in-flight requests. Keep-alive connections that go idle once their request is answered
 * are closed as they do (close() only closes those idle at the moment it is called); after the timeout, all are.
 */
export function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    sweep.unref();
    force.unref();
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
  });
}
