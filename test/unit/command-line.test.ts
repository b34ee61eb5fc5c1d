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
