import fc from 'fast-check';
import { parseCommandLine, takeOptions } from '../../src/bot/command-line';
import { splitReply } from '../../src/bot/reply-splitter';

describe('command lines', () => {
  it('reads the command, quoted arguments in any quotes, and the rest as typed', () => {
    const line = parseCommandLine('  /Push "tag:loyal AND city:New York" name:冬季  冬季新品上市，{{name|亲}}！  ');
    expect(line?.name).toBe('push');
    expect(line?.args).toEqual(['tag:loyal AND city:New York', 'name:冬季', '冬季新品上市，{{name|亲}}！']);
    expect(line?.rest(0)).toBe('"tag:loyal AND city:New York" name:冬季  冬季新品上市，{{name|亲}}！');
    expect(line?.rest(2)).toBe('冬季新品上市，{{name|亲}}！');
    expect(line?.rest(9)).toBe('');
    expect(parseCommandLine('／人群 count “标签:忠实用户 且 城市:上海”')?.args).toEqual([
      'count',
      '标签:忠实用户 且 城市:上海',
    ]);
    expect(parseCommandLine('whois 「138 1234 5678」')?.args).toEqual(['138 1234 5678']);
    // An unclosed quote runs to the end.
    expect(parseCommandLine('segment count "tag:a b')?.args).toEqual(['count', 'tag:a b']);
    expect(parseCommandLine('   ')).toBeUndefined();
    expect(parseCommandLine('stats\u3000')?.name).toBe('stats');
  });

  it('takes known key:value options (full-width colons too) until the first other word', () => {
    const known = { name: 'name', 名称: 'name', at: 'at' };
    expect(takeOptions(['x', 'name:Winter', 'AT：2026-12-01', 'hello', 'name:no'], 1, known)).toEqual({
      options: { name: 'Winter', at: '2026-12-01' },
      next: 3,
    });
    expect(takeOptions(['x', '名称：冬季', 'city:Shanghai'], 1, known)).toEqual({ options: { name: '冬季' }, next: 2 });
    expect(takeOptions(['x', 'constructor:1'], 1, known)).toEqual({ options: {}, next: 1 });
  });
});

/** Every pair of quotes operators type. */
const quotePairs = [
  ['"', '"'],
  ["'", "'"],
  ['“', '”'],
  ['‘', '’'],
  ['「', '」'],
  ['『', '』'],
] as const;

/** Any text, Chinese, emoji, blanks and other quotes included, but the closer of the quotes it is put in. */
const quotedText = (close: string) =>
  fc
    .string({
      unit: fc.oneof(fc.constantFrom(...'“”‘’「」『』"\' \u3000\t冬季会员日：:'), fc.string({ unit: 'grapheme' })),
    })
    .map((text) => text.split(close).join(''))
    .filter((text) => text.length > 0);

describe('one command grammar', () => {
  it('gives back any text put in quotes, as an argument, an option or a value, identical', () => {
    fc.assert(
      fc.property(fc.constantFrom(...quotePairs), fc.constantFrom(...quotePairs), (first, second) =>
        fc.assert(
          fc.property(quotedText(first[1]), quotedText(second[1]), (audience, name) => {
            const line = parseCommandLine(
              `/push ${first[0]}${audience}${first[1]} name:${second[0]}${name}${second[1]} Dear {{name|friend}}, join us`,
            );
            expect(line?.args[0]).toBe(audience);
            const { options, next } = takeOptions(line?.args ?? [], 1, { name: 'name' });
            expect(options.name).toBe(name);
            expect(line?.rest(next)).toBe('Dear {{name|friend}}, join us');
            const tag = parseCommandLine(`/tag add #1 ${second[0]}${name}${second[1]}`);
            expect(tag?.value(2)).toBe(name);
          }),
          { numRuns: 50 },
        ),
      ),
      { numRuns: 36 },
    );
  });

  it('keeps the content after the options verbatim, and an apostrophe inside a word a letter', () => {
    fc.assert(
      fc.property(
        fc
          .string({ unit: 'grapheme' })
          .filter((text) => text.trim() === text && text.length > 0 && !/^[/／]/.test(text)),
        (content) => {
          const line = parseCommandLine(`/push seg name:"VIP night" ${content}`);
          expect(line?.rest(2)).toBe(content);
        },
      ),
    );
    const line = parseCommandLine("/push seg name:'VIP night' Don't miss it");
    expect(line?.args).toEqual(['seg', 'name:VIP night', "Don't", 'miss', 'it']);
    expect(line?.rest(2)).toBe("Don't miss it");
    // A value that is more than one quoted phrase is taken as typed.
    expect(parseCommandLine('/tag add #1 "a" b')?.value(2)).toBe('"a" b');
    expect(parseCommandLine('/tag add #1 summer sale')?.value(2)).toBe('summer sale');
  });
});

describe('reply splitting', () => {
  it('keeps replies under the limit, cutting at line breaks, else at the limit but never inside a surrogate pair', () => {
    const lines = Array.from({ length: 300 }, (_, index) => `  #${index} 王芳 138****5678 · tag:loyal`);
    const parts = splitReply(lines.join('\n'));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    expect(parts.join('\n')).toBe(lines.join('\n').trim());
    const emoji = `${'a'.repeat(9)}😀${'b'.repeat(5)}`;
    const cut = splitReply(emoji, 10);
    expect(cut).toEqual(['a'.repeat(9), `😀${'b'.repeat(5)}`]);
    expect(splitReply('short')).toEqual(['short']);
    expect(splitReply('  ')).toEqual([]);
  });
});
