import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WechatCryptoError, WrongAppIdError } from './wechat.errors';

/** WeChat pads to 32-byte blocks (PKCS#7 with pad bytes 1..32), not AES's 16. */
const blockSize = 32;

/**
 * The AES scheme of safe and compatible mode: key = base64(EncodingAESKey + "="), AES-256-CBC with IV = key[0..16),
 * plaintext = random(16) ‖ uint32 BE length ‖ message ‖ appId, padded to 32-byte blocks.
 */
export class WechatCrypto {
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(
    encodingAESKey: string,
    private readonly appId: string,
  ) {
    this.key = Buffer.from(`${encodingAESKey}=`, 'base64');
    if (encodingAESKey.length !== 43 || this.key.length !== 32) {
      throw new WechatCryptoError('EncodingAESKey must be 43 characters of base64 (32 bytes)');
    }
    this.iv = this.key.subarray(0, 16);
  }

  /** Decrypts an Encrypt value and checks it was meant for this account's appId. */
  decrypt(encrypted: string): string {
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv);
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(Buffer.from(encrypted.trim(), 'base64')), decipher.final()]);
    } catch {
      throw new WechatCryptoError('the ciphertext does not decrypt');
    }
    const pad = plain[plain.length - 1];
    if (
      plain.length < 20 + pad ||
      pad < 1 ||
      pad > blockSize ||
      plain.subarray(plain.length - pad).some((b) => b !== pad)
    ) {
      throw new WechatCryptoError('the decrypted message has invalid padding');
    }
    const content = plain.subarray(16, plain.length - pad);
    const length = content.readUInt32BE(0);
    if (length > content.length - 4) throw new WechatCryptoError('the decrypted message is shorter than it says');
    const message = content.subarray(4, 4 + length);
    const appId = content.subarray(4 + length).toString('utf8');
    if (appId !== this.appId) throw new WrongAppIdError('the message was encrypted for another appId');
    return message.toString('utf8');
  }

  encrypt(message: string, random: Buffer = randomBytes(16)): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const unpadded = Buffer.concat([random, length, body, Buffer.from(this.appId, 'utf8')]);
    const pad = blockSize - (unpadded.length % blockSize);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([unpadded, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
      'base64',
    );
  }
}
