import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { BotImage } from './bot-command.types';
import type { Readable, Writable } from 'node:stream';
import type { ChatAnswer, ChatMessage } from './bot-engine';
import { translator } from './message-catalog';
import type { Operator } from './operator-directory';

/** Where the console keeps the charts it was answered with. */
const chartDirectory = path.join(os.tmpdir(), 'persona-charts');

/** A chart written to a file named by its link's token (unique), answering its path. */
async function saved(image: BotImage): Promise<string> {
  await mkdir(chartDirectory, { recursive: true });
  const token = /([A-Za-z0-9_-]+)\.png$/.exec(image.url)?.[1] ?? 'chart';
  const file = path.join(chartDirectory, `${image.name.replace(/\.png$/, '')}-${token}.png`);
  await writeFile(file, image.png as Buffer);
  return file;
}

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
      // A QR code's link is in the text already; a chart is written to a file, its path printed.
      const { replies, images } = await handle({ transport: 'console', sender: { id: operator.contact }, text });
      const charts = await Promise.all(
        images.filter((image) => image.png).map(async (image) => t('console.chart', { path: await saved(image) })),
      );
      io.output.write(`${[...replies, ...charts].join('\n\n')}\n`);
    }
    lines.prompt();
  }
  lines.close();
  io.output.write(`${t('console.bye')}\n`);
}
