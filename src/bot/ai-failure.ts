import type { AiError } from '../ai/ai.error';
import type { Translate } from './message-catalog';

/** What the operator reads when the model could not help. */
export function aiFailureText(error: AiError, t: Translate): string {
  switch (error.failure) {
    case 'off':
      return t('ai.off');
    case 'quota':
      return t('ai.quota');
    case 'unavailable':
      return t('ai.unavailable', { detail: error.detail });
    case 'invalid_answer':
      return t('ai.invalid', { detail: error.detail });
  }
}
