import type { AiError } from '../ai/ai.errors';
import type { Translate } from './message-catalog';

/** What the operator reads when the model could not help, as a failed answer (audited with the reason). */
export function aiFailure(error: AiError, t: Translate): { text: string; failed: string } {
  return { text: text(error, t), failed: error.message };
}

function text(error: AiError, t: Translate): string {
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
