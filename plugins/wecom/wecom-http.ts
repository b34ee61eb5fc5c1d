import { WecomApiError } from './wecom.errors';

/** One HTTP exchange's result: WeCom's JSON answer, or a failure worth another try. */
export type Exchange = { json: Record<string, unknown> } | { transient: string };

/** Network failures that happen before a request is sent: always safe to retry. */
const neverSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * One request to WeCom, classified: an answer (any errcode but -1), a transient failure (-1, 5xx, 429, a network
 * error before sending) or, for a call that must not be repeated, a thrown error when it may have arrived. `redact`
 * scrubs secrets from anything that ends up in an error.
 */
export async function exchange(
  url: URL,
  init: { method: 'GET' | 'POST'; body?: string | FormData; json?: boolean },
  options: { timeoutMs: number; path: string; repeatable: boolean; redact: (text: string) => string },
): Promise<Exchange> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: {
        accept: 'application/json',
        ...(init.json ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      },
      body: init.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const { name, message, cause } = (error ?? {}) as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
    const problem = options.redact(
      name === 'TimeoutError'
        ? `timed out after ${options.timeoutMs} ms`
        : `${String(message)} (${String(cause?.code)})`,
    );
    const network = name === 'TypeError' || name === 'TimeoutError' || name === 'AbortError';
    const neverSent = typeof cause?.code === 'string' && neverSentCodes.has(cause.code);
    if (network && !options.repeatable && !neverSent)
      throw new WecomApiError(
        -1,
        problem,
        options.path,
        `WeCom ${options.path}: no answer (${problem}); it may have arrived, so it is not sent again`,
        true,
      );
    if (network) return { transient: problem };
    throw new WecomApiError(-1, problem, options.path);
  }
  if (response.status >= 500 || response.status === 429)
    return { transient: `HTTP ${response.status}: ${options.redact(text.slice(0, 200))}` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new WecomApiError(
      -1,
      `HTTP ${response.status} with a body that is not JSON: ${options.redact(text.slice(0, 200))}`,
      options.path,
    );
  const answer = json as Record<string, unknown>;
  if (typeof answer.errmsg === 'string') answer.errmsg = options.redact(answer.errmsg);
  if (answer.errcode === -1) return { transient: `-1 ${String(answer.errmsg ?? 'system busy')}` };
  return { json: answer };
}

/** The errcode of an answer (0 when absent). */
export function errcodeOf(json: Record<string, unknown>): number {
  return typeof json.errcode === 'number' ? json.errcode : 0;
}

/** Throws WeCom's error unless the answer's errcode is 0. */
export function checkAnswer(json: Record<string, unknown>, path: string): void {
  const errcode = errcodeOf(json);
  if (errcode !== 0) throw new WecomApiError(errcode, typeof json.errmsg === 'string' ? json.errmsg : '', path);
}
