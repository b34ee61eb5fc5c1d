import { AppError, type ErrorMessage } from '../errors/app.errors';
import { aiText } from './ai.messages';

/** Why the model gave no usable answer. */
export type AiFailure = 'off' | 'unavailable' | 'invalid_answer' | 'quota';

/**
 * The model could not help: AI is off (no key), the service failed (after retries), its answer did not validate
 * (never used), or the operator's daily quota is spent. `detail` says what, for the audit and the operator (a
 * catalogue message, read in the reader's language, or text as the model or a schema put it).
 */
export class AiError extends AppError {
  constructor(
    readonly failure: AiFailure,
    readonly detail: ErrorMessage,
  ) {
    super(
      `ai_${failure}`,
      aiText('ai.failed', { failure, label: failure.replace('_', ' '), detail }),
      failure === 'unavailable' ? 503 : 422,
    );
  }
}
