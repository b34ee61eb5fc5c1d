import { MsgCrypt } from '../../src/wechat-wire/msg-crypt';
import { WrongReceiverError } from '../../src/wechat-wire/msg-crypt.errors';
import { normalizeWechatMessage } from '../../plugins/wechat-official-account/wechat-message-normalizer';
import { SceneChannels } from '../../plugins/wechat-official-account/scene-channel';
import { signaturesMatch, wechatSignature } from '../../src/wechat-wire/msg-signature';
import { extractEncrypt, parseWechatXml } from '../../src/wechat-wire/wechat-xml';
import { decryptFrom, encryptFor, sampleAccount } from '../support/wechat-client';

/** The public vectors of ../shared/wechat/PROTOCOL.md. */
const sampleEncrypt =
  'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=';
const samplePlain = [
  '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>',
  '<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>',
  '<CreateTime>1409735668</CreateTime>',
  '<MsgType><![CDATA[text]]></MsgType>',
  '<Content><![CDATA[abcdteT]]></Content>',
  '<MsgId>6054768590064713728</MsgId>',
  '</xml>',
].join('\n');

describe('WeChat protocol: public vectors', () => {
  it('plain signature (wechatpy): token test, timestamp 1410685589, nonce test', () => {
    const signature = wechatSignature('test', '1410685589', 'test');
    expect(signature).toBe('f21891de399b4e33a1a93c9a7b8a8fffb5a443ff');
    expect(signaturesMatch(signature, 'f21891de399b4e33a1a93c9a7b8a8fffb5a443ff')).toBe(true);
    expect(signaturesMatch(signature, 'f21891de399b4e33a1a93c9a7b8a8fffb5a443fe')).toBe(false);
    expect(signaturesMatch(signature, undefined)).toBe(false);
  });

  it('official compatible-mode sample: signature, msg_signature and decryption', () => {
    expect(wechatSignature('spamtest', '1409735669', '1320562132')).toBe('16120ec1b8dbb870f510d87ce6bc2463eae6ca1a');
    expect(wechatSignature('spamtest', '1409735669', '1320562132', sampleEncrypt)).toBe(
      '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
    );
    const crypto = new MsgCrypt(sampleAccount.encodingAESKey, sampleAccount.appId);
    const plain = crypto.decrypt(sampleEncrypt);
    expect(plain).toBe(samplePlain);
    expect(Buffer.byteLength(plain)).toBe(280);
    expect(() => new MsgCrypt(sampleAccount.encodingAESKey, 'wx0000000000000000').decrypt(sampleEncrypt)).toThrow(
      WrongReceiverError,
    );
  });

  it('round-trips with the independent test client at every padding length, including a full 32-byte block', () => {
    const crypto = new MsgCrypt(sampleAccount.encodingAESKey, sampleAccount.appId);
    for (let length = 0; length <= 64; length += 1) {
      const message = 'x'.repeat(length);
      expect(crypto.decrypt(encryptFor(sampleAccount, message))).toBe(message);
      expect(decryptFrom(sampleAccount, crypto.encrypt(message))).toEqual({ xml: message, appId: sampleAccount.appId });
    }
  });

  it('finds the Encrypt value (trimmed) without parsing', () => {
    expect(
      extractEncrypt(`<xml><ToUserName>x</ToUserName><Encrypt>\n <![CDATA[ ${sampleEncrypt} ]]>\n</Encrypt></xml>`),
    ).toBe(sampleEncrypt);
    expect(extractEncrypt('<xml><Encrypt></Encrypt></xml>')).toBeUndefined();
  });

  it('reads a subscribe from a parametric QR code (wechatpy) as a follow with scene 123123', () => {
    const xml =
      '<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName><CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_123123]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket></xml>';
    const message = normalizeWechatMessage(parseWechatXml(xml), 'default', new SceneChannels([]));
    expect(message.followed).toBe(true);
    expect(message.scene).toBe('123123');
    expect(message.events.map((event) => [event.type, event.properties.scene])).toEqual([
      ['subscribe', '123123'],
      ['qr_scan', '123123'],
    ]);
    const scan = xml.replace('subscribe', 'SCAN').replace('qrscene_123123', '123123');
    const scanned = normalizeWechatMessage(
      parseWechatXml(scan),
      'default',
      new SceneChannels([{ pattern: '123*', channel: 'offline-store' }]),
    );
    expect(scanned.events).toEqual([
      expect.objectContaining({
        type: 'qr_scan',
        channel: 'offline-store',
        properties: expect.objectContaining({ scene: '123123', subscribe: false }),
      }),
    ]);
  });
});

describe('WeChat XML: hostile input', () => {
  it('keeps a message type named like an object member as an unknown WeChat event', () => {
    const xml =
      '<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName><CreateTime>123456789</CreateTime><MsgType><![CDATA[constructor]]></MsgType><MsgId>1</MsgId></xml>';
    const message = normalizeWechatMessage(parseWechatXml(xml), 'default', new SceneChannels([]));
    expect(message.events.map((event) => [event.type, event.properties.msgType])).toEqual([
      ['wechat_event', 'constructor'],
    ]);
  });

  it('refuses DOCTYPE and entity declarations (XXE, billion laughs)', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Content>&x;</Content></xml>';
    const laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><a>&lol2;</a></xml>';
    expect(() => parseWechatXml(xxe)).toThrow('DOCTYPE or entity declarations');
    expect(() => parseWechatXml(laughs)).toThrow('DOCTYPE or entity declarations');
  });

  it('refuses truncated and malformed documents', () => {
    expect(() => parseWechatXml('<xml><ToUserName><![CDATA[gh]]></ToUserName><Content>hi')).toThrow('malformed XML');
    expect(() => parseWechatXml('not xml at all')).toThrow();
    expect(() => parseWechatXml('<other><a>1</a></other>')).toThrow('expected an <xml> document');
  });

  it('keeps text exactly, decodes the five built-in entities, and keeps 64-bit ids as text', () => {
    const fields = parseWechatXml(
      '<xml><Content><![CDATA[  a ]]]]><![CDATA[> b  ]]></Content><Label>A &amp; B</Label><MsgId>6054768590064713728</MsgId></xml>',
    );
    expect(fields).toEqual({ Content: '  a ]]> b  ', Label: 'A & B', MsgId: '6054768590064713728' });
  });
});
