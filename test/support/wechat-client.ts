import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Plays WeChat's side of the webhook in tests: signs and encrypts requests, decrypts replies. Written from
 * ../shared/wechat/PROTOCOL.md, independently of the plugin's code, so a shared mistake can't hide.
 */
export interface WechatAccountKeys {
  token: string;
  encodingAESKey: string;
  appId: string;
}

export const sampleAccount: WechatAccountKeys = {
  token: 'spamtest',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wx2c2769f8efd9abc2',
};

export function sha1Signature(parts: string[]): string {
  const sorted = parts.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(sorted.join(''), 'utf8').digest('hex');
}

function aesKey(keys: WechatAccountKeys): Buffer {
  return Buffer.from(keys.encodingAESKey + '=', 'base64');
}

export function encryptFor(keys: WechatAccountKeys, xml: string, appId = keys.appId): string {
  const message = Buffer.from(xml, 'utf8');
  const header = Buffer.alloc(20);
  randomBytes(16).copy(header);
  header.writeUInt32BE(message.length, 16);
  const plain = Buffer.concat([header, message, Buffer.from(appId)]);
  const padLength = 32 - (plain.length % 32);
  const padded = Buffer.concat([plain, Buffer.alloc(padLength, padLength)]);
  const key = aesKey(keys);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

export function decryptFrom(keys: WechatAccountKeys, encrypted: string): { xml: string; appId: string } {
  const key = aesKey(keys);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  const unpadded = plain.subarray(0, plain.length - plain[plain.length - 1]);
  const length = unpadded.readUInt32BE(16);
  return {
    xml: unpadded.subarray(20, 20 + length).toString('utf8'),
    appId: unpadded.subarray(20 + length).toString('utf8'),
  };
}

export type Mode = 'plain' | 'compatible' | 'safe';

export interface SignedRequest {
  query: string;
  body: string;
}

/** A webhook POST as WeChat would send it: query string and body. */
export function signedPost(
  keys: WechatAccountKeys,
  xml: string,
  options: { mode?: Mode; timestamp?: number; nonce?: string; openid?: string; appId?: string } = {},
): SignedRequest {
  const mode = options.mode ?? 'plain';
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(Math.floor(Math.random() * 1e9));
  const params = new URLSearchParams({
    signature: sha1Signature([keys.token, timestamp, nonce]),
    timestamp,
    nonce,
    openid: options.openid ?? 'oTestOpenid',
  });
  if (mode === 'plain') return { query: params.toString(), body: xml };
  const encrypt = encryptFor(keys, xml, options.appId);
  params.set('encrypt_type', 'aes');
  params.set('msg_signature', sha1Signature([keys.token, timestamp, nonce, encrypt]));
  const envelope =
    mode === 'safe'
      ? `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`
      : xml.replace('</xml>', `<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`);
  return { query: params.toString(), body: envelope };
}

/** Builds a WeChat document from fields: numbers bare, text in CDATA. */
export function wechatXml(fields: Record<string, string | number>): string {
  const inner = Object.entries(fields)
    .map(([name, value]) =>
      typeof value === 'number' ? `<${name}>${value}</${name}>` : `<${name}><![CDATA[${value}]]></${name}>`,
    )
    .join('');
  return `<xml>${inner}</xml>`;
}

export const textMessage = (openid: string, content: string, msgId: string, createTime = 1_795_000_000) =>
  wechatXml({
    ToUserName: 'gh_test',
    FromUserName: openid,
    CreateTime: createTime,
    MsgType: 'text',
    Content: content,
    MsgId: msgId,
  });

export const eventMessage = (
  openid: string,
  event: string,
  extra: Record<string, string | number> = {},
  createTime = 1_795_000_100,
) =>
  wechatXml({
    ToUserName: 'gh_test',
    FromUserName: openid,
    CreateTime: createTime,
    MsgType: 'event',
    Event: event,
    ...extra,
  });
