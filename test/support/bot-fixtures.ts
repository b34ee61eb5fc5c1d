import type { FakeWechatApi } from './fake-wechat-api';
import { pushSettings, wechatApiPlugin } from './push-fixtures';
import { defaultRules, startTestApp, type TestApp } from './test-app';

/** Operators for bot tests: one per role; the admin reads Chinese (the default), the others English. */
export const botOperators = [
  { contact: 'wxid_admin', name: '管理员', role: 'admin' },
  { contact: 'wxid_operator', name: 'Olivia', role: 'operator', locale: 'en' },
  { contact: 'wxid_viewer', name: 'Victor', role: 'viewer', locale: 'en' },
];

/** Sends a command over the HTTP transport as `operator`; answers the status and the replies. */
export async function command(
  app: TestApp,
  operator: string,
  text: string,
  messageId?: string,
): Promise<{
  status: number;
  replies: string[];
  images: { url: string; name: string }[];
  outcome?: string;
  error?: string;
}> {
  const response = await app.request('/api/bot/commands', {
    method: 'POST',
    json: { operator, text, ...(messageId ? { messageId } : {}) },
  });
  const body = (await response.json()) as {
    replies?: string[];
    images?: { url: string; name: string }[];
    outcome?: string;
    error?: { message: string };
  };
  return {
    status: response.status,
    replies: body.replies ?? [],
    images: body.images ?? [],
    ...(body.outcome ? { outcome: body.outcome } : {}),
    ...(body.error ? { error: body.error.message } : {}),
  };
}

/**
 * Persona for bot tests: the WeChat plugin on `fake`, push settings, the default rules without scoring, the bot's
 * operators, and the clock pinned at `now` (or read from it).
 */
export function startBotApp(
  fake: FakeWechatApi,
  now: Date | (() => Date),
  commandsPerMinute: number,
  bot: Record<string, unknown> = {},
): Promise<TestApp> {
  return startTestApp(
    {
      plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
      pushes: pushSettings(),
      rules: { ...defaultRules, scoring: [] },
      bot: { operators: botOperators, commandsPerMinute, ...bot },
    },
    undefined,
    { clock: typeof now === 'function' ? now : () => now },
  );
}
