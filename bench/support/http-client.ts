import net from 'node:net';

export interface BenchResponse {
  status: number;
  body: string;
}

interface Pending {
  resolve(response: BenchResponse): void;
  reject(error: Error): void;
}

/**
 * One keep-alive HTTP/1.1 connection that writes prepared requests and reads `Content-Length` framed answers
 * (what Koa sends for every response here). Node's http client spends more CPU per request than the server under
 * test, and on a two-core machine that would measure the client: this one costs a few microseconds.
 */
class BenchConnection {
  private readonly socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  readonly ready: Promise<void>;
  /** False once the socket closed (the server ends keep-alive connections idle for 5 s). */
  open = true;
  /** When the last answer came (performance.now()). */
  lastUsed = performance.now();

  constructor(host: string, port: number) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => this.settle(error));
    this.socket.on('close', () => {
      this.open = false;
      this.settle(new Error('connection closed'));
    });
  }

  send(request: Buffer): Promise<BenchResponse> {
    if (this.pending) return Promise.reject(new Error('one request at a time per connection'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const headerEnd = this.buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = this.buffer.subarray(0, headerEnd).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    const end = headerEnd + 4 + length;
    if (this.buffer.length < end) return;
    const body = this.buffer.subarray(headerEnd + 4, end).toString('utf8');
    this.buffer = this.buffer.subarray(end);
    const pending = this.pending;
    this.pending = undefined;
    this.lastUsed = performance.now();
    pending?.resolve({ status: Number(head.slice(9, 12)), body });
  }

  private settle(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}

/** Node's server closes keep-alive connections idle for 5 s; the client retires them a little before. */
const idleLimitMs = 4000;

/** A pool of `connections` keep-alive connections; a request takes a free one (callers keep at most that many in flight). */
export class BenchClient {
  private readonly url: URL;
  private readonly idle: BenchConnection[] = [];
  private readonly all: BenchConnection[] = [];

  constructor(baseUrl: string, connections: number) {
    this.url = new URL(baseUrl);
    for (let n = 0; n < connections; n += 1) {
      const connection = new BenchConnection(this.url.hostname, Number(this.url.port));
      this.idle.push(connection);
      this.all.push(connection);
    }
  }

  /** Serializes a request once, so preparing a run costs nothing while it is measured. A body is XML unless `extra` says otherwise. */
  prepare(method: 'GET' | 'POST', path: string, body?: string, extra: Record<string, string> = {}): Buffer {
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body, 'utf8');
    const headers = [
      `${method} ${path} HTTP/1.1`,
      `host: ${this.url.host}`,
      'connection: keep-alive',
      ...Object.entries(extra).map(([name, value]) => `${name}: ${value}`),
      ...(body === undefined
        ? []
        : [...('content-type' in extra ? [] : ['content-type: text/xml']), `content-length: ${payload.length}`]),
    ];
    return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
  }

  async send(request: Buffer): Promise<BenchResponse> {
    let connection = this.idle.pop();
    if (!connection) throw new Error('more requests in flight than connections');
    if (!connection.open || performance.now() - connection.lastUsed > idleLimitMs) {
      // Closed by the server, or about to be (a request written as it closes would fail): a new one takes its place.
      const closed = connection;
      closed.close();
      connection = new BenchConnection(this.url.hostname, Number(this.url.port));
      this.all.splice(this.all.indexOf(closed), 1, connection);
    }
    await connection.ready;
    try {
      return await connection.send(request);
    } finally {
      this.idle.push(connection);
    }
  }

  request(method: 'GET' | 'POST', path: string, body?: string): Promise<BenchResponse> {
    return this.send(this.prepare(method, path, body));
  }

  close(): void {
    for (const connection of this.all) connection.close();
  }
}
