import { identityTypes } from '../profiles/identity';
import { closestName } from './closest-name';
import {
  type CompareOp,
  compareOps,
  type Duration,
  lifecycleStages,
  type LifecycleStage,
  propertyNamePattern,
  type PropertyFilter,
  type Scalar,
  type SegmentExpr,
  shorthandFields,
} from './segment-ast';
import { identityWords, keywords, stageAliases, termAliases } from './segment-aliases';
import { type Token, tokenize } from './segment-lexer';
import { SegmentSyntaxError } from './segments.errors';
import { segmentsText } from './segments.messages';
import type { LocalizedText } from '../i18n/message-catalog';
import { ownValue } from '../util/own-value';

const termWords = [
  'tag',
  'lifecycle',
  'score',
  'subscribed',
  'has',
  'event',
  'last_seen',
  'segment',
  'attr.',
  ...shorthandFields,
];
const maxDepth = 64;
const maxLength = 4000;

/** Terms written `word:<name>`, each with its own messages (segment.expected.<term>Name). */
type NamedTerm = 'tag' | 'segment' | 'lifecycle' | 'subscribed' | 'has' | 'event';

/**
 * Reads an expression (`tag:兴趣/运动 AND (city:Shanghai OR city:Hangzhou) AND NOT event:purchase in 90d`) into its tree.
 * Precedence NOT > AND > OR; terms side by side are ANDed; keywords are case-insensitive; Chinese keywords and term
 * words are accepted (see segment-aliases).
 * Throws SegmentSyntaxError with the column and what was expected there.
 */
export function parseSegment(source: string): SegmentExpr {
  if (source.length > maxLength)
    throw new SegmentSyntaxError(maxLength + 1, segmentsText('segment.expected.expressionLength', { max: maxLength }));
  return new Parser(tokenize(source)).parse();
}

/**
 * Reads property conditions as written between the brackets of an event term (`channel=website, topic=sports`), for
 * the places that filter events without counting them (scoring rules).
 */
export function parsePropertyFilters(source: string): PropertyFilter[] {
  if (source.length > maxLength)
    throw new SegmentSyntaxError(maxLength + 1, segmentsText('segment.expected.conditionsLength', { max: maxLength }));
  const parser = new Parser(tokenize(source));
  const filters = parser.propertyFilters();
  parser.end(segmentsText('segment.expected.anotherFilterOrEnd'));
  return filters;
}

class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): SegmentExpr {
    if (this.peek().kind === 'end') throw new SegmentSyntaxError(1, segmentsText('segment.expected.condition'));
    const expr = this.or();
    const rest = this.peek();
    if (rest.kind !== 'end')
      throw new SegmentSyntaxError(
        rest.column,
        segmentsText(rest.kind === ')' ? 'segment.expected.unopenedBracket' : 'segment.expected.andOrEnd'),
      );
    return expr;
  }

  private or(): SegmentExpr {
    const items = [this.and()];
    while (this.keyword() === 'OR') {
      this.next();
      items.push(this.and());
    }
    return items.length === 1
      ? items[0]
      : { kind: 'or', items: items.flatMap((item) => (item.kind === 'or' ? item.items : [item])) };
  }

  private and(): SegmentExpr {
    const items = [this.unary()];
    for (;;) {
      const keyword = this.keyword();
      if (keyword === 'AND') {
        this.next();
      } else if (keyword === 'OR' || this.peek().kind === 'end' || this.peek().kind === ')') {
        break;
      }
      // Side by side without a keyword: AND.
      items.push(this.unary());
    }
    return items.length === 1
      ? items[0]
      : { kind: 'and', items: items.flatMap((item) => (item.kind === 'and' ? item.items : [item])) };
  }

  private unary(): SegmentExpr {
    if (this.keyword() === 'NOT') {
      // Each NOT is a level of the expression too: SQLite refuses trees deeper than 1,000.
      const token = this.next();
      if (++this.depth > maxDepth)
        throw new SegmentSyntaxError(token.column, segmentsText('segment.expected.maxDepth', { max: maxDepth }));
      const item = this.unary();
      this.depth -= 1;
      return { kind: 'not', item };
    }
    const token = this.peek();
    if (token.kind === '(') {
      if (++this.depth > maxDepth)
        throw new SegmentSyntaxError(token.column, segmentsText('segment.expected.maxDepth', { max: maxDepth }));
      this.next();
      const inner = this.or();
      this.expect(')', segmentsText('segment.expected.closingBracket', { column: token.column }));
      this.depth -= 1;
      return inner;
    }
    return this.term();
  }

  private term(): SegmentExpr {
    const token = this.next();
    if (token.kind !== 'word' || this.isKeyword(token)) {
      throw new SegmentSyntaxError(
        token.column,
        segmentsText(token.kind === 'end' ? 'segment.expected.conditionAfter' : 'segment.expected.term'),
      );
    }
    const word = ownValue(termAliases, token.text) ?? token.text;
    const lower = word.toLowerCase();
    if (lower === 'tag') return { kind: 'tag', name: this.nameAfterColon('tag') };
    if (lower === 'segment') return { kind: 'segment', name: this.nameAfterColon('segment') };
    if (lower === 'lifecycle') {
      const at = this.peekAfterColon();
      const name = this.nameAfterColon('lifecycle');
      const stage = (lifecycleStages as readonly string[]).includes(name.toLowerCase())
        ? (name.toLowerCase() as LifecycleStage)
        : ownValue(stageAliases, name);
      if (!stage)
        throw new SegmentSyntaxError(
          at,
          segmentsText('segment.expected.lifecycleStage', {
            stages: lifecycleStages.join(', '),
            stageList: lifecycleStages.join('、'),
          }),
          closestName(name, lifecycleStages),
        );
      return { kind: 'lifecycle', stage };
    }
    if (lower === 'subscribed') {
      if (this.peek().kind !== ':') return { kind: 'subscribed', account: null };
      return { kind: 'subscribed', account: this.nameAfterColon('subscribed') };
    }
    if (lower === 'has') {
      const at = this.peekAfterColon();
      const name = this.nameAfterColon('has');
      const identity = ownValue(identityWords, name.toLowerCase().replace(/[-\s]/g, ''));
      if (!identity)
        throw new SegmentSyntaxError(
          at,
          segmentsText('segment.expected.identityType', {
            types: identityTypes.join(', '),
            typeList: identityTypes.join('、'),
          }),
          closestName(name, identityTypes),
        );
      return { kind: 'has', identity };
    }
    if (lower === 'score' || lower.startsWith('score.')) {
      const group = lower === 'score' ? null : word.slice('score.'.length);
      if (group === '') throw new SegmentSyntaxError(token.column + 6, segmentsText('segment.expected.scoreGroup'));
      const op = this.compareOp(segmentsText('segment.expected.scoreComparison'));
      return { kind: 'score', group, op, value: this.number(segmentsText('segment.expected.number')) };
    }
    if (lower === 'event') return this.event();
    if (lower === 'last_seen') {
      const op = this.compareOp(segmentsText('segment.expected.lastSeenComparison'));
      return { kind: 'lastSeen', op, ago: this.duration() };
    }
    if (lower.startsWith('attr.')) {
      const name = word.slice('attr.'.length);
      if (!/^[a-z][a-zA-Z0-9_]{0,63}$/.test(name))
        throw new SegmentSyntaxError(token.column + 5, segmentsText('segment.expected.attributeName'));
      return this.fieldCondition(canonicalField(name), token);
    }
    const field = shorthandFields.find((candidate) => candidate.toLowerCase() === lower);
    if (field) return this.fieldCondition(field, token);
    throw new SegmentSyntaxError(token.column, segmentsText('segment.expected.term'), closestName(word, termWords));
  }

  /** `city:Shanghai`, `city in (Shanghai, Hangzhou)`, `age >= 30`, `attr.company = "Acme"`. */
  private fieldCondition(field: string, token: Token): SegmentExpr {
    const next = this.peek();
    if (next.kind === ':') {
      this.next();
      return {
        kind: 'field',
        field,
        op: '=',
        value: this.scalar(segmentsText('segment.expected.valueAfter', { word: token.text })),
      };
    }
    if (this.keyword() === 'IN') {
      this.next();
      this.expect('(', segmentsText('segment.expected.valueListStart'));
      const values = [this.scalar(segmentsText('segment.expected.value'))];
      while (this.peek().kind === ',') {
        this.next();
        values.push(this.scalar(segmentsText('segment.expected.valueAfterComma')));
      }
      this.expect(')', segmentsText('segment.expected.valueListEnd'));
      return { kind: 'fieldIn', field, values };
    }
    const op = this.compareOp(segmentsText('segment.expected.fieldOperator', { word: token.text }));
    return { kind: 'field', field, op, value: this.scalar(segmentsText('segment.expected.value')) };
  }

  /**
   * `event:article_view[topic=sports] >= 3 in 30d`, `event:(purchase, deal_won) sum(amount) >= 100000 in 365d`,
   * `event:any >= 20 in 30d`; `>= n` defaults to at least once, the window to all time.
   */
  private event(): SegmentExpr {
    let types: string[] | 'any';
    if (this.peek().kind === ':' && this.tokens[this.position + 1]?.kind === '(') {
      this.next();
      this.next();
      types = [this.eventType()];
      while (this.peek().kind === ',') {
        this.next();
        types.push(this.eventType());
      }
      this.expect(')', segmentsText('segment.expected.eventTypesEnd'));
      types = [...new Set(types)];
    } else {
      const type = this.nameAfterColon('event');
      types = type === 'any' ? 'any' : [this.checkedEventType(type)];
    }
    let filters: PropertyFilter[] = [];
    if (this.peek().kind === '[') {
      this.next();
      filters = this.propertyFilters();
      this.expect(']', segmentsText('segment.expected.filtersEnd'));
    }
    let sum: string | null = null;
    if (
      this.peek().kind === 'word' &&
      this.peek().text.toLowerCase() === 'sum' &&
      this.tokens[this.position + 1]?.kind === '('
    ) {
      this.next();
      this.next();
      const property = this.next();
      if (property.kind !== 'word' || !propertyNamePattern.test(property.text))
        throw new SegmentSyntaxError(property.column, segmentsText('segment.expected.sumProperty'));
      sum = property.text;
      this.expect(')', segmentsText('segment.expected.sumEnd'));
    }
    let op: CompareOp = '>=';
    let count = 1;
    if (this.peek().kind === 'op') {
      op = this.compareOp(segmentsText('segment.expected.comparison'));
      count = this.number(
        sum === null
          ? segmentsText('segment.expected.eventCount')
          : segmentsText('segment.expected.eventTotal', { property: sum }),
      );
      if (sum === null && (!Number.isInteger(count) || count < 0))
        throw new SegmentSyntaxError(
          this.tokens[this.position - 1].column,
          segmentsText('segment.expected.wholeEventCount'),
        );
    }
    let window: Duration | null = null;
    if (this.keyword() === 'IN') {
      this.next();
      window = this.duration();
    }
    return { kind: 'event', types, filters, sum, op, count, window };
  }

  /** One event type of a list. */
  private eventType(): string {
    const token = this.next();
    if (token.kind !== 'word')
      throw new SegmentSyntaxError(token.column, segmentsText('segment.expected.eventTypeInList'));
    if (token.text === 'any')
      throw new SegmentSyntaxError(token.column, segmentsText('segment.expected.eventTypesWithoutAny'));
    return this.checkedEventType(token.text, token.column);
  }

  private checkedEventType(type: string, column = this.tokens[this.position - 1].column): string {
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(type))
      throw new SegmentSyntaxError(column, segmentsText('segment.expected.eventType'));
    return type;
  }

  /** `topic=sports, amount>=10000`: one or more conditions on event properties, separated by commas. */
  propertyFilters(): PropertyFilter[] {
    const filters: PropertyFilter[] = [];
    do {
      if (filters.length > 0) this.next();
      const property = this.next();
      if (property.kind !== 'word' || !propertyNamePattern.test(property.text)) {
        throw new SegmentSyntaxError(property.column, segmentsText('segment.expected.propertyName'));
      }
      const op = this.compareOp(segmentsText('segment.expected.propertyComparison', { property: property.text }));
      filters.push({ property: property.text, op, value: this.scalar(segmentsText('segment.expected.value')) });
    } while (this.peek().kind === ',');
    return filters;
  }

  /** Throws unless every token was read. */
  end(what: LocalizedText): void {
    const rest = this.peek();
    if (rest.kind !== 'end') throw new SegmentSyntaxError(rest.column, what);
  }

  private duration(): Duration {
    const token = this.next();
    const match = token.kind === 'word' ? /^(\d{1,5})([hdw])$/i.exec(token.text) : null;
    if (!match || Number(match[1]) === 0)
      throw new SegmentSyntaxError(token.column, segmentsText('segment.expected.duration'));
    return { amount: Number(match[1]), unit: match[2].toLowerCase() as Duration['unit'] };
  }

  private compareOp(what: LocalizedText): CompareOp {
    const token = this.next();
    if (token.kind !== 'op' || !(compareOps as readonly string[]).includes(token.text))
      throw new SegmentSyntaxError(token.column, what);
    return token.text as CompareOp;
  }

  private number(what: LocalizedText): number {
    const token = this.next();
    if (token.kind !== 'word' || !/^-?\d{1,15}(\.\d+)?$/.test(token.text))
      throw new SegmentSyntaxError(token.column, what);
    return Number(token.text);
  }

  /** A value: a quoted string stays text; a bare word is a number or true/false when it reads as one. */
  private scalar(what: LocalizedText): Scalar {
    const token = this.next();
    if (token.kind === 'string') return token.text;
    if (token.kind !== 'word' || this.isKeyword(token)) throw new SegmentSyntaxError(token.column, what);
    if (/^-?\d{1,15}(\.\d+)?$/.test(token.text)) return Number(token.text);
    if (/^(true|false)$/i.test(token.text)) return token.text.toLowerCase() === 'true';
    return token.text;
  }

  /** `:` then a name: a bare word or a quoted string. */
  private nameAfterColon(term: NamedTerm): string {
    const colon = this.peek();
    if (colon.kind !== ':')
      throw new SegmentSyntaxError(colon.column, segmentsText(`segment.expected.${term}Name.noColon`));
    this.next();
    const token = this.next();
    if ((token.kind !== 'word' && token.kind !== 'string') || token.text === '')
      throw new SegmentSyntaxError(token.column, segmentsText(`segment.expected.${term}Name`));
    return token.text;
  }

  private peekAfterColon(): number {
    return this.tokens[this.position + 1]?.column ?? this.peek().column;
  }

  private keyword(): 'AND' | 'OR' | 'NOT' | 'IN' | undefined {
    const token = this.peek();
    return token.kind === 'word' ? ownValue(keywords, token.text.toLowerCase()) : undefined;
  }

  private isKeyword(token: Token): boolean {
    return token.kind === 'word' && ownValue(keywords, token.text.toLowerCase()) !== undefined;
  }

  private expect(kind: Token['kind'], what: LocalizedText): Token {
    const token = this.next();
    if (token.kind !== kind) throw new SegmentSyntaxError(token.column, what);
    return token;
  }

  private peek(): Token {
    return this.tokens[this.position];
  }

  private next(): Token {
    const token = this.tokens[this.position];
    if (token.kind !== 'end') this.position += 1;
    return token;
  }
}

/** `attr.city` is `city`: one spelling for one field, so a parsed expression prints back the same. */
function canonicalField(name: string): string {
  return (shorthandFields as readonly string[]).includes(name) ? name : `attr.${name}`;
}
