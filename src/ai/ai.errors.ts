import { AppError } from '../errors/app.errors';

/** Why the model gave no usable answer. */
export type AiFailure = 'off' | 'unavailable' | 'invalid_answer' | 'quota';

/**
 * The model could not help: AI is off (no key), the service failed (after retries), its answer did not validate
 * (never used), or the operator's daily quota is spent. `detail` says what, for the audit and the operator.
 */
export class AiError extends AppError {
  constructor(
    readonly failure: AiFailure,
    readonly detail: string,
  ) {
    super(`ai_${failure}`, `AI ${failure.replace('_', ' ')}: ${detail}`, failure === 'unavailable' ? 503 : 422);
  }
}
