import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ChatAnswer, ChatMessage } from './bot-engine';
import { translator } from './message-catalog';
import type { Operator } from './operator-directory';

/**
 * The bot in a terminal: each line is a message from `operator` (the slash is optional), each answer is printed
 * below it. Ends at `exit`, `quit` or the end of input.
 */
export async function runConsole(
  handle: (message: ChatMessage) => Promise<ChatAnswer>,
  operator: Operator,
  io: { input: Readable; output: Writable; interactive: boolean },
): Promise<void> {
  const t = translator(operator.locale);
  const lines = createInterface({
    input: io.input,
    output: io.output,
    terminal: io.interactive,
    prompt: `${operator.name}> `,
  });
  io.output.write(`${t('console.welcome', { name: operator.name, role: t(`role.${operator.role}`) })}\n`);
  lines.prompt();
  for await (const line of lines) {
    const text = line.trim();
    if (['exit', 'quit', '/exit', '/quit', '退出'].includes(text.toLowerCase())) break;
    if (text !== '') {
      // A picture's link is in the text already.
      const { replies } = await handle({ transport: 'console', sender: { id: operator.contact }, text });
      io.output.write(`${replies.join('\n\n')}\n`);
    }
    lines.prompt();
  }
  lines.close();
  io.output.write(`${t('console.bye')}\n`);
}
