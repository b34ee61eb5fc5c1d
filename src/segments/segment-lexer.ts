import { SegmentSyntaxError } from './segments.errors';
import { segmentsText } from './segments.messages';
import { ownValue } from '../util/own-value';

export type TokenKind = 'word' | 'string' | 'op' | '(' | ')' | '[' | ']' | ',' | ':' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based column of the token's first character, for error messages. */
  column: number;
}

/** Characters that end a word: blanks and the language's punctuation. */
const separators = new Set([
  ' ',
  '\t',
  '\n',
  '\r',
  '\u3000',
  '(',
  ')',
  '[',
  ']',
  ',',
  ':',
  '=',
  '!',
  '<',
  '>',
  '"',
  '（',
  '）',
  '，',
  '：',
]);
/** Full-width punctuation typed on Chinese keyboards, read as its ASCII twin. */
const fullWidth: Record<string, string> = { '（': '(', '）': ')', '，': ',', '：': ':' };

/**
 * Splits an expression into tokens. Words run until a blank or punctuation, so tag names may hold `/`, `-`, `.`
 * and any script (`兴趣/运动`); anything else goes in double quotes, with `\"` and `\\` inside.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  // Columns count characters as people see them (code points), not UTF-16 units.
  const chars = [...source];
  while (i < chars.length) {
    const char = chars[i];
    const column = i + 1;
    if (/\s/u.test(char)) {
      i += 1;
    } else if (char === '"') {
      let text = '';
      let j = i + 1;
      for (; j < chars.length && chars[j] !== '"'; j += 1) {
        if (chars[j] === '\\' && j + 1 < chars.length) j += 1;
        text += chars[j];
      }
      if (j >= chars.length) throw new SegmentSyntaxError(column, segmentsText('segment.expected.closingQuote'));
      tokens.push({ kind: 'string', text, column });
      i = j + 1;
    } else if ('<>!='.includes(char)) {
      const two = char + (chars[i + 1] ?? '');
      const op = ['>=', '<=', '!='].includes(two) ? two : char;
      if (op === '!') throw new SegmentSyntaxError(column, segmentsText('segment.expected.comparisonOperator'));
      tokens.push({ kind: 'op', text: op, column });
      i += op.length;
    } else if ('()[],:（），：'.includes(char)) {
      tokens.push({
        kind: (ownValue(fullWidth, char) ?? char) as TokenKind,
        text: ownValue(fullWidth, char) ?? char,
        column,
      });
      i += 1;
    } else {
      let j = i;
      while (j < chars.length && !separators.has(chars[j]) && !/\s/u.test(chars[j])) j += 1;
      tokens.push({ kind: 'word', text: chars.slice(i, j).join(''), column });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '', column: chars.length + 1 });
  return tokens;
}
