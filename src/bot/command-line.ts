/** A command as typed: `/segment count tag:loyal AND city:Shanghai`. */
export interface CommandLine {
  /** The command word, lower-cased, without its slash. */
  name: string;
  /** The words after it; a quoted phrase ("New York", “纽约”, 「纽约」) is one word, without its quotes. */
  args: string[];
  /** The text after the first `skip` words, exactly as typed (quotes kept), trimmed: content sent as written. */
  rest(skip: number): string;
  /**
   * The text after the first `skip` words as one value (a tag, an expression): a single quoted phrase without its
   * quotes, else the text as typed.
   */
  value(skip: number): string;
}

/**
 * Quotes operators type, each with its closer: ASCII, Chinese curly quotes and corner brackets. A quote opens at the
 * start of a word or right after an option's colon (`name:"VIP night"`), so an apostrophe inside a word (don't)
 * stays a letter.
 */
const quotes: Record<string, string> = {
  '"': '"',
  "'": "'",
  '“': '”',
  '‘': '’',
  '「': '」',
  '『': '』',
};
const blank = /[\s\u3000]/u;

interface Word {
  value: string;
  /** Where the word ends in the line (after its closing quote). */
  end: number;
  /** The whole word was one quoted phrase. */
  quoted: boolean;
}

/** The word starting at `start` (not a blank): quoted phrases inside it keep their blanks and lose their quotes. */
function readWord(source: string, start: number): Word {
  let value = '';
  let i = start;
  let quoted = false;
  while (i < source.length && !blank.test(source[i])) {
    const close = quotes[source[i]];
    const opensHere = i === start || source[i - 1] === ':' || source[i - 1] === '：';
    if (close && opensHere) {
      const end = source.indexOf(close, i + 1);
      // An unclosed quote runs to the end of the message.
      const stop = end === -1 ? source.length : end;
      value += source.slice(i + 1, stop);
      quoted = i === start;
      i = stop + 1;
      continue;
    }
    value += source[i];
    quoted = false;
    i += 1;
  }
  return { value, end: Math.min(i, source.length), quoted };
}

/**
 * Reads a chat message as a command. A leading `/` (or full-width `／`) is optional; the caller decides whether a
 * message without one is a command. Answers undefined for an empty message.
 */
export function parseCommandLine(text: string): CommandLine | undefined {
  const source = text.trim().replace(/^[/／]/, '');
  const words: Word[] = [];
  for (let i = 0; i < source.length;) {
    if (blank.test(source[i])) {
      i += 1;
      continue;
    }
    const word = readWord(source, i);
    words.push(word);
    i = word.end;
  }
  const [head, ...rest] = words;
  if (!head) return undefined;
  const after = (skip: number) => source.slice(words[Math.min(skip, words.length - 1)].end).trim();
  return {
    name: head.value.toLowerCase(),
    args: rest.map((word) => word.value),
    rest: after,
    value: (skip) => {
      const remaining = rest.slice(skip);
      return remaining.length === 1 && remaining[0].quoted ? remaining[0].value : after(skip);
    },
  };
}

/**
 * Takes `key:value` options (full-width `：` too) from `args`, starting at `from`, while they name a known key
 * (`known` maps every accepted spelling to its key). A value may go on over the next words while `continues` says the
 * longer value still reads as one (a time typed with a blank: `时间:2026-12-04 10:00`). Answers the options and the
 * index of the first other word.
 */
export function takeOptions(
  args: readonly string[],
  from: number,
  known: Readonly<Record<string, string>>,
  continues?: (key: string, value: string) => boolean,
): { options: Record<string, string>; next: number } {
  const options: Record<string, string> = {};
  let next = from;
  while (next < args.length) {
    const match = /^([^:：]+)[:：](.+)$/su.exec(args[next]);
    const key = match ? known[match[1].toLowerCase()] : undefined;
    if (!match || !key || !Object.hasOwn(known, match[1].toLowerCase())) break;
    let value = match[2];
    next += 1;
    while (continues && next < args.length && continues(key, `${value} ${args[next]}`)) {
      value = `${value} ${args[next]}`;
      next += 1;
    }
    options[key] = value;
  }
  return { options, next };
}
