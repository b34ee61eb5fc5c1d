/**
 * Words an operator reading Chinese may see in a Chinese reply on purpose: the expression language's keywords and
 * field names, command names, WeChat's and our own identifiers, units.
 */
const allowed = new Set(
  [
    'and',
    'or',
    'not',
    'in',
    'tag',
    'tags',
    'city',
    'province',
    'gender',
    'age',
    'score',
    'lifecycle',
    'event',
    'attr',
    'segment',
    'any',
    'count',
    'sum',
    'within',
    'openid',
    'unionid',
    'id',
    'ai',
    'qr',
    'api',
    'key',
    'openai_api_key',
    'wechat',
    'wecom',
    'persona',
    'vip',
    'sms',
    'url',
    'http',
    'https',
    'csv',
    'png',
    'svg',
    'save',
    'list',
    'show',
    'delete',
    'update',
    'add',
    'remove',
    'preview',
    'code',
    'exit',
    'push',
    'confirm',
    'status',
    'cancel',
    'pushes',
    'stats',
    'rules',
    'help',
    'whois',
    'ask',
    'draft',
    'name',
    'at',
    'account',
    'image',
    'news',
    'purchase',
    'article_view',
    'loyal',
    'shanghai',
    'beijing',
    'female',
    'male',
  ].map((word) => word.toLowerCase()),
);

/**
 * The first run of two or more English words (not code) in `text`, or undefined: what a test of the Chinese
 * catalogues fails on. Expressions (`tag:loyal`), commands (`/push`), placeholders, URLs and quoted examples are not
 * sentences.
 */
export function englishSentenceIn(text: string): string | undefined {
  const prose = text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\{\{[^}]*\}\}/g, ' ')
    .replace(/\/[\p{L}_]+/gu, ' ')
    .replace(/[\p{L}\p{N}_.\-/]+[:：][^\s，。；、）)]+/gu, ' ')
    .replace(/`[^`]*`/g, ' ');
  for (const match of prose.matchAll(/[A-Za-z][A-Za-z'’-]*(?:[ ,]+[A-Za-z][A-Za-z'’-]*)+/g)) {
    const words = match[0].split(/[ ,]+/).filter((word) => !allowed.has(word.toLowerCase()));
    if (words.length >= 2) return match[0];
  }
  return undefined;
}
