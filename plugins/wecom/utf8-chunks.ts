/**
 * Splits text into parts of at most `maxBytes` bytes of UTF-8 (WeCom counts bytes: 2,048 for a text message, so about
 * 680 Chinese characters), at line breaks where it can, else between characters (never inside one).
 */
export function utf8Chunks(text: string, maxBytes: number): string[] {
  const parts: string[] = [];
  let current = '';
  const bytes = (value: string) => Buffer.byteLength(value, 'utf8');
  const flush = () => {
    if (current.trim() !== '') parts.push(current.replace(/\n+$/, ''));
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (bytes(candidate) <= maxBytes) {
      current = candidate;
      continue;
    }
    flush();
    if (bytes(line) <= maxBytes) {
      current = line;
      continue;
    }
    // A line longer than a message: cut between characters (code points, so an emoji stays whole).
    for (const character of line) {
      if (bytes(current) + bytes(character) > maxBytes) flush();
      current += character;
    }
  }
  flush();
  return parts;
}
