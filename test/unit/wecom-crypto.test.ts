import { MsgCrypt } from '../../src/wechat-wire/msg-crypt';
import { WrongReceiverError } from '../../src/wechat-wire/msg-crypt.errors';
import { signaturesMatch, wechatSignature } from '../../src/wechat-wire/msg-signature';
import { extractEncrypt, parseWechatXml } from '../../src/wechat-wire/wechat-xml';
import { wecomSampleVectors } from '../support/wecom-client';

/** WeCom's published WXBizMsgCrypt vectors, through the scheme Persona shares between WeChat and WeCom. */
describe.each(Object.entries(wecomSampleVectors))('WeCom sample vectors, set %s', (_name, vector) => {
  const { keys } = vector;
  const crypto = new MsgCrypt(keys.encodingAESKey, keys.corpId);

  it('verifies a URL: msg_signature over the encrypted echostr, which decrypts to the plain echo', () => {
    const { msgSignature, timestamp, nonce, echostr, plaintext } = vector.urlVerification;
    expect(signaturesMatch(wechatSignature(keys.token, timestamp, nonce, echostr), msgSignature)).toBe(true);
    expect(signaturesMatch(wechatSignature(keys.token, timestamp, `${nonce}1`, echostr), msgSignature)).toBe(false);
    expect(crypto.decrypt(echostr)).toBe(plaintext);
  });

  it('decrypts a message: the Encrypt of the body, signed, for this corpId', () => {
    const { msgSignature, timestamp, nonce, body, plaintext } = vector.message;
    const encrypt = extractEncrypt(body) as string;
    expect(signaturesMatch(wechatSignature(keys.token, timestamp, nonce, encrypt), msgSignature)).toBe(true);
    const xml = crypto.decrypt(encrypt);
    expect(xml).toBe(plaintext);
    expect(parseWechatXml(xml)).toMatchObject({ MsgType: 'text', ToUserName: keys.corpId });
  });

  it('refuses the same ciphertext for another corpId', () => {
    const other = new MsgCrypt(keys.encodingAESKey, 'ww0000000000000000');
    expect(() => other.decrypt(vector.message.encrypt)).toThrow(WrongReceiverError);
  });
});

describe('WeCom encryption', () => {
  it('matches the one published encryption with fixed random bytes (wechatpy)', () => {
    const { keys, encryptVector } = wecomSampleVectors.C;
    const vector = encryptVector as NonNullable<typeof encryptVector>;
    const crypto = new MsgCrypt(keys.encodingAESKey, keys.corpId);
    const encrypt = crypto.encrypt(vector.plaintext, Buffer.from(vector.random, 'ascii'));
    expect(encrypt).toBe(vector.encrypt);
    expect(wechatSignature(keys.token, vector.timestamp, vector.nonce, encrypt)).toBe(vector.msgSignature);
  });
});
