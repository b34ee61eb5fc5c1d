import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const openaiKey = 'sk-test-0123456789abcdef';

/** A chat completion request as the fake received it. */
export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> } };
}

/** What the fake answers next: the assistant's content, a refusal, or an API error with OpenAI's error body. */
export type FakeAnswer = { content: string } | { refusal: string } | { status: 429 | 500 | 503; message: string };

/**
 * An OpenAI-compatible API on loopback, as far as Persona uses it: `POST /v1/chat/completions` with a bearer key,
 * answering chat.completion objects (content or refusal) and OpenAI's error bodies (401 for a wrong key, queued 429
 * and 5xx). Answers are queued by the test; every request is kept so a test can read the prompts.
 */
export class FakeOpenAi {
  readonly requests: ChatRequest[] = [];
  private readonly answers: FakeAnswer[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeOpenAi> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () =>
        fake.answer(req.url ?? '', req.headers.authorization, Buffer.concat(chunks).toString(), (status, body) => {
          res
            .writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${randomUUID()}` })
            .end(JSON.stringify(body));
        }),
      );
    });
    const fake = new FakeOpenAi(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Base URL for the `openai` package (`OPENAI_BASE_URL`). */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Queues the next answer. */
  next(answer: FakeAnswer): void {
    this.answers.push(answer);
  }

  /** Queues a JSON answer (what structured output returns as content). */
  nextJson(value: unknown): void {
    this.next({ content: JSON.stringify(value) });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(
    url: string,
    authorization: string | undefined,
    body: string,
    send: (status: number, body: unknown) => void,
  ): void {
    const error = (status: number, message: string, type: string, code: string | null) =>
      send(status, { error: { message, type, param: null, code } });
    if (authorization !== `Bearer ${openaiKey}`)
      return error(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    if (url !== '/v1/chat/completions')
      return error(404, `Unknown request URL: POST ${url}.`, 'invalid_request_error', 'unknown_url');
    const request = JSON.parse(body) as ChatRequest;
    this.requests.push(request);
    const next = this.answers.shift();
    if (!next) return error(500, 'The fake has no answer queued for this request.', 'server_error', null);
    if ('status' in next)
      return error(
        next.status,
        next.message,
        next.status === 429 ? 'requests' : 'server_error',
        next.status === 429 ? 'rate_limit_exceeded' : null,
      );
    send(200, {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'content' in next ? next.content : null,
            refusal: 'refusal' in next ? next.refusal : null,
            annotations: [],
          },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    });
  }
}
