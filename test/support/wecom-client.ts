import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt } from 'node:crypto';

/**
 * Plays WeCom's (企业微信) side of a self-built app's callback in tests: signs and encrypts the URL-verification GET
 * and message POSTs as WeCom sends them, and decrypts what the app answers. Written from WeCom's documentation of
 * WXBizMsgCrypt (the facts gathered for this helper) and checked against WeCom's published sample vectors,
 * independently of the plugin's code, so a shared mistake can't hide.
 *
 * The scheme: `msg_signature = sha1(sort([token, timestamp, nonce, encrypt]).join(''))`; AES-256-CBC with
 * `key = base64(encodingAESKey + '=')`, `iv = key[0:16]`, PKCS#7 padding to a multiple of 32, over
 * `random(16) + length(4, big-endian) + message + receiverId` (the corpid for a self-built app).
 */

/** What the app's callback settings in WeCom's admin console hold. */
export interface WecomAppKeys {
  token: string;
  /** 43 characters of base64, without the trailing `=`. */
  encodingAESKey: string;
  corpId: string;
}

function aesKey(keys: WecomAppKeys): Buffer {
  const key = Buffer.from(keys.encodingAESKey + '=', 'base64');
  if (key.length !== 32) throw new Error('EncodingAESKey must decode to 32 bytes');
  return key;
}

/**
 * `plaintext` encrypted for the app, base64, as WeCom puts it in `<Encrypt>` or `echostr`. `random` (16 bytes, random
 * when absent) is only for reproducing a published vector.
 */
export function encryptFor(
  keys: WecomAppKeys,
  plaintext: string,
  receiverId = keys.corpId,
  random: Buffer = randomBytes(16),
): string {
  if (random.length !== 16) throw new Error('the random prefix is 16 bytes');
  const message = Buffer.from(plaintext, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(message.length, 0);
  const plain = Buffer.concat([random, length, message, Buffer.from(receiverId, 'utf8')]);
  const padLength = 32 - (plain.length % 32);
  const padded = Buffer.concat([plain, Buffer.alloc(padLength, padLength)]);
  const key = aesKey(keys);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

/**
 * Decrypts what the app (or a sample) encrypted: the message and the receiver id it was bound to. Strict where WeCom's
 * reference code is: a padding byte outside 1..32, or a length past the end, throws.
 */
export function decryptFrom(keys: WecomAppKeys, encrypted: string): { message: string; receiverId: string } {
  const key = aesKey(keys);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  const pad = plain[plain.length - 1];
  if (plain.length < 20 + pad || pad < 1 || pad > 32) throw new Error('bad PKCS#7 padding');
  const unpadded = plain.subarray(0, plain.length - pad);
  const length = unpadded.readUInt32BE(16);
  if (20 + length > unpadded.length) throw new Error('message length past the end');
  return {
    message: unpadded.subarray(20, 20 + length).toString('utf8'),
    receiverId: unpadded.subarray(20 + length).toString('utf8'),
  };
}

/** WeCom's msg_signature: sha1 over the four strings sorted bytewise and joined, lowercase hex. */
export function msgSignature(
  token: string,
  timestamp: string | number,
  nonce: string | number,
  encrypt: string,
): string {
  const parts = [token, String(timestamp), String(nonce), encrypt];
  parts.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  return createHash('sha1').update(parts.join(''), 'utf8').digest('hex');
}

const defaultTimestamp = () => String(Math.floor(Date.now() / 1000));
const defaultNonce = () => String(randomInt(100_000_000, 2_000_000_000));

/**
 * The query of the GET WeCom sends when the callback URL is saved: `msg_signature`, `timestamp`, `nonce` and the
 * encrypted `echostr`, URL-encoded. The app must answer `echo` (a random numeric string unless given) as the bare body
 * within a second.
 */
export function verifyUrlQuery(
  keys: WecomAppKeys,
  options: { timestamp?: string | number; nonce?: string | number; echo?: string } = {},
): { query: string; echo: string } {
  const timestamp = String(options.timestamp ?? defaultTimestamp());
  const nonce = String(options.nonce ?? defaultNonce());
  const echo = options.echo ?? String(randomInt(1, 2 ** 47)) + String(randomInt(1000, 9999));
  const echostr = encryptFor(keys, echo);
  const query = new URLSearchParams({
    msg_signature: msgSignature(keys.token, timestamp, nonce, echostr),
    timestamp,
    nonce,
    echostr,
  });
  return { query: query.toString(), echo };
}

/**
 * A callback POST as WeCom sends it: `xml` (a message or event, see the builders below) encrypted into WeCom's
 * envelope, and the signed query. `receiverId` is the corpid unless a test wants a mismatched one.
 */
export function callback(
  keys: WecomAppKeys,
  xml: string,
  options: {
    timestamp?: string | number;
    nonce?: string | number;
    agentId?: number | string;
    receiverId?: string;
  } = {},
): { query: string; body: string } {
  const timestamp = String(options.timestamp ?? defaultTimestamp());
  const nonce = String(options.nonce ?? defaultNonce());
  const encrypt = encryptFor(keys, xml, options.receiverId ?? keys.corpId);
  const query = new URLSearchParams({
    msg_signature: msgSignature(keys.token, timestamp, nonce, encrypt),
    timestamp,
    nonce,
  });
  const body =
    `<xml><ToUserName>${cdata(keys.corpId)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt>` +
    `<AgentID>${cdata(String(options.agentId ?? 1000002))}</AgentID></xml>`;
  return { query: query.toString(), body };
}

/** Text in CDATA; a `]]>` inside is split across two sections, as XML requires. */
function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/**
 * A member's text message as WeCom's callback carries it once decrypted: elements one per line, strings in CDATA, no
 * indentation (the exact bytes of sample A2). `msgId` is a string: WeCom's exceed 2^53.
 */
export function textMessageXml(fields: {
  corpId: string;
  from: string;
  content: string;
  msgId: string;
  createTime: number;
  agentId: number | string;
}): string {
  return [
    '<xml>' + `<ToUserName>${cdata(fields.corpId)}</ToUserName>`,
    `<FromUserName>${cdata(fields.from)}</FromUserName>`,
    `<CreateTime>${fields.createTime}</CreateTime>`,
    `<MsgType>${cdata('text')}</MsgType>`,
    `<Content>${cdata(fields.content)}</Content>`,
    `<MsgId>${fields.msgId}</MsgId>`,
    `<AgentID>${fields.agentId}</AgentID>`,
    '</xml>',
  ].join('\n');
}

/**
 * A `template_card_event` (a member clicked a card's button; `template_card_menu_event` for the top-right menu) as
 * WeCom's callback carries it once decrypted, in the order of WeCom's sample. `eventKey` is the clicked button's key,
 * `taskId` the card's task_id, `responseCode` the code `update_template_card` takes once.
 */
export function cardEventXml(fields: {
  corpId: string;
  from: string;
  eventKey: string;
  taskId: string;
  responseCode: string;
  createTime: number;
  agentId: number | string;
  cardType?: string;
  event?: 'template_card_event' | 'template_card_menu_event';
  selectedItems?: { questionKey: string; optionIds: string[] }[];
}): string {
  const lines = [
    '<xml>',
    `<ToUserName>${cdata(fields.corpId)}</ToUserName>`,
    `<FromUserName>${cdata(fields.from)}</FromUserName>`,
    `<CreateTime>${fields.createTime}</CreateTime>`,
    `<MsgType>${cdata('event')}</MsgType>`,
    `<Event>${cdata(fields.event ?? 'template_card_event')}</Event>`,
    `<EventKey>${cdata(fields.eventKey)}</EventKey>`,
    `<TaskId>${cdata(fields.taskId)}</TaskId>`,
    `<CardType>${cdata(fields.cardType ?? 'button_interaction')}</CardType>`,
    `<ResponseCode>${cdata(fields.responseCode)}</ResponseCode>`,
    `<AgentID>${fields.agentId}</AgentID>`,
  ];
  if (fields.selectedItems && fields.selectedItems.length > 0) {
    lines.push('<SelectedItems>');
    for (const item of fields.selectedItems) {
      lines.push(
        '<SelectedItem>',
        `<QuestionKey>${cdata(item.questionKey)}</QuestionKey>`,
        '<OptionIds>',
        ...item.optionIds.map((id) => `<OptionId>${cdata(id)}</OptionId>`),
        '</OptionIds>',
        '</SelectedItem>',
      );
    }
    lines.push('</SelectedItems>');
  }
  lines.push('</xml>');
  return lines.join('\n');
}

/** One of WeCom's published sample sets: keys, a URL verification and a message decryption. */
export interface WecomSampleVector {
  /** Where the sample comes from. */
  source: string;
  keys: WecomAppKeys;
  urlVerification: {
    msgSignature: string;
    timestamp: string;
    nonce: string;
    /** URL-decoded. */
    echostr: string;
    /** Computed from the sample (the samples don't print it); what the app must answer. */
    plaintext: string;
  };
  message: {
    msgSignature: string;
    timestamp: string;
    nonce: string;
    /** The POST body, byte for byte. */
    body: string;
    /** The body's `<Encrypt>`. */
    encrypt: string;
    /** The decrypted message, byte for byte. */
    plaintext: string;
  };
  /** An encryption with its 16 random bytes fixed, so the ciphertext can be compared exactly. */
  encryptVector?: {
    /** The 16 random bytes, as ASCII. */
    random: string;
    timestamp: string;
    nonce: string;
    plaintext: string;
    encrypt: string;
    msgSignature: string;
  };
}

const encryptOf = (body: string) => /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(body)?.[1] ?? '';

const sampleA2Body =
  '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>';
const sampleB2Body =
  '<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>';
const sampleC2Body =
  '<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA[RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>';

/**
 * WeCom's published WXBizMsgCrypt vectors, copied exactly. A: the official docs' example (and the sbzhu SDK samples);
 * B: the sbzhu Python SDK's `callback/Sample.py`, whose decrypted XML has no CDATA and carries Chinese; C: wechatpy's
 * WeCom crypto tests, with `encryptVector`, the one deterministic encryption (its 16 random bytes fixed).
 */
export const wecomSampleVectors = {
  A: {
    source: 'WeCom docs 加解密方案 举例说明; sbzhu/weworkapi_golang sample.go',
    keys: {
      token: 'QDG6eK',
      encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
      corpId: 'wx5823bf96d3bd56c7',
    },
    urlVerification: {
      msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
      plaintext: '1616140317555161061',
    },
    message: {
      msgSignature: '477715d11cdb4164915debcba66cb864d751f3e6',
      timestamp: '1409659813',
      nonce: '1372623149',
      body: sampleA2Body,
      encrypt: encryptOf(sampleA2Body),
      plaintext:
        '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>',
    },
  },
  B: {
    source: 'sbzhu/weworkapi_python callback/Sample.py',
    keys: {
      token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
      encodingAESKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
      corpId: 'ww1436e0e65a779aee',
    },
    urlVerification: {
      msgSignature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
      timestamp: '1476416373',
      nonce: '47744683',
      echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
      plaintext: '1288432023552776189',
    },
    message: {
      msgSignature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
      timestamp: '1476422779',
      nonce: '1597212914',
      body: sampleB2Body,
      encrypt: encryptOf(sampleB2Body),
      plaintext:
        '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>',
    },
  },
  C: {
    source: 'wechatpy tests/test_crypto.py (WeCom)',
    keys: {
      token: '123456',
      encodingAESKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
      corpId: 'wx49f0ab532d5d035a',
    },
    urlVerification: {
      msgSignature: 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96',
      timestamp: '1411443780',
      nonce: '437374425',
      echostr: '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==',
      plaintext: '5927782489442352469',
    },
    message: {
      msgSignature: '74d92dfeb87ba7c714f89d98870ae5eb62dff26d',
      timestamp: '1411525903',
      nonce: '461056294',
      body: sampleC2Body,
      encrypt: encryptOf(sampleC2Body),
      plaintext:
        '<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<FromUserName><![CDATA[messense]]></FromUserName>\n<CreateTime>1411525903</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<MsgId>4363689963896700987</MsgId>\n<AgentID>1</AgentID>\n</xml>',
    },
    /** A passive reply encrypted with the random prefix fixed to ASCII `1234567890123456`. */
    encryptVector: {
      random: '1234567890123456',
      timestamp: '1411525903',
      nonce: '461056294',
      plaintext:
        '<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>',
      encrypt:
        '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3',
      msgSignature: '407518b7649e86ef23978113f92d27afa9296533',
    },
  },
} satisfies Record<'A' | 'B' | 'C', WecomSampleVector>;
