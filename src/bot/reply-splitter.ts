/** WeChat shows a text message of up to 2,048 characters; replies stay under this. */
export const replyLimit = 2000;

/**
 * Splits a reply into messages under `limit` characters, at line breaks where it can (a card is not cut mid-line),
 * else at the limit. A surrogate pair (an emoji) is never cut in two.
 */
export function splitReply(text: string, limit = replyLimit): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    let cut = rest.lastIndexOf('\n', limit);
    if (cut <= 0) {
      cut = limit;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\n+/, '');
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}
