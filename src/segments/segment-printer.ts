import type { Duration, PropertyFilter, Scalar, SegmentExpr } from './segment-ast';

const keywords = new Set(['and', 'or', 'not', 'in', '且', '或', '非', 'true', 'false']);
/** What a bare word may not contain (else it is quoted): blanks, the language's punctuation, quotes. */
const unsafe = /[\s()[\],:=!<>"\\（），：\u3000]/u;

/**
 * The canonical text of an expression: keywords in capitals, `field:value` for the known fields, brackets only where
 * precedence needs them, names quoted only when they must be. Parsing the text gives back the same tree, so this is
 * how a saved or typed expression is shown to an operator.
 */
export function printSegment(expr: SegmentExpr): string {
  switch (expr.kind) {
    case 'or':
      return expr.items.map((item) => printSegment(item)).join(' OR ');
    case 'and':
      return expr.items
        .map((item) => (item.kind === 'or' ? `(${printSegment(item)})` : printSegment(item)))
        .join(' AND ');
    case 'not':
      return `NOT ${expr.item.kind === 'and' || expr.item.kind === 'or' ? `(${printSegment(expr.item)})` : printSegment(expr.item)}`;
    case 'tag':
      return `tag:${name(expr.name)}`;
    case 'segment':
    case 'frozenList':
      return `segment:${name(expr.name)}`;
    case 'lifecycle':
      return `lifecycle:${expr.stage}`;
    case 'subscribed':
      return expr.account === null ? 'subscribed' : `subscribed:${name(expr.account)}`;
    case 'has':
      return `has:${expr.identity}`;
    case 'score':
      return `${expr.group === null ? 'score' : `score.${expr.group}`} ${expr.op} ${expr.value}`;
    case 'field':
      if (expr.op === '=' && !expr.field.startsWith('attr.')) return `${expr.field}:${scalar(expr.value)}`;
      return `${expr.field} ${expr.op} ${scalar(expr.value)}`;
    case 'fieldIn':
      return `${expr.field} in (${expr.values.map(scalar).join(', ')})`;
    case 'lastSeen':
      return `last_seen ${expr.op} ${duration(expr.ago)}`;
    case 'event': {
      const filters = expr.filters.length > 0 ? `[${expr.filters.map(filter).join(', ')}]` : '';
      const count = expr.op === '>=' && expr.count === 1 ? '' : ` ${expr.op} ${expr.count}`;
      const types =
        expr.types === 'any' ? 'any' : expr.types.length === 1 ? expr.types[0] : `(${expr.types.join(', ')})`;
      const sum = expr.sum === null ? '' : ` sum(${expr.sum})`;
      return `event:${types}${filters}${sum}${count}${expr.window ? ` in ${duration(expr.window)}` : ''}`;
    }
  }
}

function filter(condition: PropertyFilter): string {
  return `${condition.property}${condition.op}${scalar(condition.value)}`;
}

function duration(value: Duration): string {
  return `${value.amount}${value.unit}`;
}

/** A value: numbers and booleans bare; text bare when it reads back as the same text, else quoted. */
function scalar(value: Scalar): string {
  if (typeof value !== 'string') return String(value);
  return /^-?\d{1,15}(\.\d+)?$/.test(value) ? quote(value) : name(value);
}

/** A name or text value as the language writes it: bare when it reads back as itself, else quoted. */
export function printName(text: string): string {
  return name(text);
}

function name(text: string): string {
  return text === '' || unsafe.test(text) || keywords.has(text.toLowerCase()) ? quote(text) : text;
}

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}
