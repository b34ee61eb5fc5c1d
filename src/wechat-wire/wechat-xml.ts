import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ValidationError } from '../errors/app.errors';

/** A WeChat document's top-level fields; nested elements (ScanCodeInfo, ResultList…) stay nested. */
export type WechatFields = Record<string, unknown>;

const declarations = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;

/** Refuses documents that declare a DTD or entities (XXE, billion laughs) before anything parses them. */
export function assertNoDeclarations(xml: string): void {
  if (declarations.test(xml)) throw new ValidationError('XML with DOCTYPE or entity declarations is refused');
}

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false, // MsgId is a 64-bit number: keep every value as text
  trimValues: false, // a follower's message keeps its spaces
  processEntities: true, // only XML's five built-in entities remain once declarations are refused
  htmlEntities: false,
});

/** Parses `<xml>…</xml>` into its fields; 400 for anything that isn't a well-formed WeChat document. */
export function parseWechatXml(xml: string): WechatFields {
  assertNoDeclarations(xml);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ValidationError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let document: { xml?: unknown };
  try {
    document = parser.parse(xml) as { xml?: unknown };
  } catch (error) {
    // The parser refuses what it won't build (elements nested past its limit, names such as __proto__ that would
    // reach Object.prototype): that is the document's fault, not ours.
    throw new ValidationError(`XML the parser refuses: ${(error as Error).message}`);
  }
  const root = document.xml;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new ValidationError('expected an <xml> document with fields');
  }
  const { '#text': _whitespace, ...fields } = root as Record<string, unknown>;
  return fields;
}

const encryptElement = /<Encrypt>\s*(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))\s*<\/Encrypt>/;

/**
 * The Encrypt value of a safe- or compatible-mode envelope, read without parsing the document: it must be checked
 * against msg_signature before any parser sees what the message says.
 */
export function extractEncrypt(xml: string): string | undefined {
  const match = encryptElement.exec(xml);
  const value = (match?.[1] ?? match?.[2])?.trim();
  return value || undefined;
}

/** CDATA that can hold any text (a `]]>` inside is split across two sections). */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(/\]\]>/g, ']]]]><![CDATA[>')}]]>`;
}
