/** A command as typed: `/segment count tag:loyal AND city:Shanghai`. */
export interface CommandLine {
  /** The command word, lower-cased, without its slash. */
  name: string;
  /** The words after it; a quoted phrase ("New York", “纽约”, 「纽约」) is one word, without its quotes. */
  args: string[];
  /** The text after the first `skip` words, exactly as typed (quotes kept), trimmed. */
  rest(skip: number): string;
}

const quotes: Record<string, string> = { '"': '"', '“': '”', '「': '」', '『': '』' };
const blank = /[\s\u3000]/u;

/**
 * Reads a chat message as a command. A leading `/` (or full-width `／`) is optional; the caller decides whether a
 * message without one is a command. Answers undefined for an empty message.
 */
export function parseCommandLine(text: string): CommandLine | undefined {
  const source = text.trim().replace(/^[/／]/, '');
  const words: { value: string; end: number }[] = [];
  let i = 0;
  while (i < source.length) {
    if (blank.test(source[i])) {
      i += 1;
      continue;
    }
    const close = quotes[source[i]];
    if (close) {
      const end = source.indexOf(close, i + 1);
      // An unclosed quote runs to the end of the message.
      const stop = end === -1 ? source.length : end;
      words.push({ value: source.slice(i + 1, stop), end: Math.min(source.length, stop + 1) });
      i = stop + 1;
      continue;
    }
    let j = i;
    while (j < source.length && !blank.test(source[j])) j += 1;
    words.push({ value: source.slice(i, j), end: j });
    i = j;
  }
  const [head, ...rest] = words;
  if (!head) return undefined;
  return {
    name: head.value.toLowerCase(),
    args: rest.map((word) => word.value),
    rest: (skip) => source.slice(words[Math.min(skip, words.length - 1)].end).trim(),
  };
}

/**
 * Takes `key:value` options (full-width `：` too) from `args`, starting at `from`, while they name a known key
 * (`known` maps every accepted spelling to its key). Answers the options and the index of the first other word.
 */
export function takeOptions(
  args: readonly string[],
  from: number,
  known: Readonly<Record<string, string>>,
): { options: Record<string, string>; next: number } {
  const options: Record<string, string> = {};
  let next = from;
  for (; next < args.length; next += 1) {
    const match = /^([^:：]+)[:：](.+)$/u.exec(args[next]);
    const key = match ? known[match[1].toLowerCase()] : undefined;
    if (!match || !key || !Object.hasOwn(known, match[1].toLowerCase())) break;
    options[key] = match[2];
  }
  return { options, next };
}
