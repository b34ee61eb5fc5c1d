import OpenAI from 'openai';
import type { Logger } from 'pino';
import type { AiConfig } from './ai-config.schema';
import { AiError } from './ai.errors';
import { aiText } from './ai.messages';
import { AppError } from '../errors/app.errors';
import type { Clock } from '../util/clock';

export interface StructuredRequest<T> {
  /** What the model is and the rules it follows: Persona's text only, never a follower's. */
  system: string;
  user: string;
  /** Names the answer's schema (letters, digits, `_`). */
  name: string;
  /** The answer's JSON Schema (strict: every property required, no others). */
  schema: Record<string, unknown>;
  /** Checks the parsed answer and turns it into what the caller uses; throws (any error) to refuse it. */
  validate(answer: unknown): T;
}

/**
 * The OpenAI-compatible model (the `openai` package), asked for structured answers only: JSON matching a schema,
 * validated again here before anything uses it. Off without an API key. Each operator has a daily quota.
 */
export class LanguageModel {
  private readonly client: OpenAI | undefined;
  private readonly asked = new Map<string, { day: string; count: number }>();

  constructor(
    private readonly config: AiConfig,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    if (config.apiKey) {
      this.client = new OpenAI({
        apiKey: config.apiKey.reveal(),
        ...(config.baseUrl ? { baseURL: config.baseUrl } : {}),
        timeout: config.timeoutMs,
        maxRetries: config.maxRetries,
      });
    }
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  /** Asks the model; for an operator, counted against their daily quota (Persona's own uses have their own caps). */
  async structured<T>(request: StructuredRequest<T>, operator?: string): Promise<T> {
    if (!this.client) throw new AiError('off', aiText('ai.noKey'));
    if (operator !== undefined) this.count(operator);
    let content: string | null | undefined;
    try {
      const completion = await this.client.chat.completions.create({
        model: this.config.model,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: request.name, strict: true, schema: request.schema },
        },
        temperature: 0.2,
      });
      const message = completion.choices[0]?.message;
      if (message?.refusal) throw new AiError('invalid_answer', aiText('ai.declined', { refusal: message.refusal }));
      content = message?.content;
    } catch (error) {
      if (error instanceof AiError) throw error;
      const status = error instanceof OpenAI.APIError ? error.status : undefined;
      this.log.warn({ err: error, status, model: this.config.model }, 'ai: the model could not be asked');
      throw new AiError(
        'unavailable',
        status ? aiText('ai.serviceAnswered', { status: String(status) }) : aiText('ai.unreachable'),
      );
    }
    if (!content) throw new AiError('invalid_answer', aiText('ai.emptyAnswer'));
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      throw new AiError('invalid_answer', aiText('ai.notJson'));
    }
    try {
      return request.validate(parsed);
    } catch (error) {
      // A refusal from a catalogue is read in the reader's language; any other error as it says.
      throw new AiError(
        'invalid_answer',
        error instanceof AppError ? (error.text ?? error.message) : (error as Error).message,
      );
    }
  }

  private count(operator: string): void {
    const day = this.clock().toISOString().slice(0, 10);
    const used = this.asked.get(operator);
    const count = used?.day === day ? used.count : 0;
    if (count >= this.config.perOperatorPerDay)
      throw new AiError('quota', aiText('ai.quota', { count: String(this.config.perOperatorPerDay) }));
    this.asked.set(operator, { day, count: count + 1 });
  }
}
