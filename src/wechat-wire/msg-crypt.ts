import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { MsgCryptError, WrongReceiverError } from './msg-crypt.errors';

/** WeChat pads to 32-byte blocks (PKCS#7 with pad bytes 1..32), not AES's 16. */
const blockSize = 32;

/**
 * WXBizMsgCrypt, the AES scheme of the official account's safe mode and of every WeCom callback:
 * key = base64(EncodingAESKey + "="), AES-256-CBC with IV = key[0..16),
 * plaintext = random(16) ‖ uint32 BE length ‖ message ‖ receiver id, padded to 32-byte blocks. The receiver id is the
 * official account's appId, or the WeCom corpId.
 */
export class MsgCrypt {
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(
    encodingAESKey: string,
    private readonly receiverId: string,
  ) {
    this.key = Buffer.from(`${encodingAESKey}=`, 'base64');
    if (encodingAESKey.length !== 43 || this.key.length !== 32) {
      throw new MsgCryptError('EncodingAESKey must be 43 characters of base64 (32 bytes)');
    }
    this.iv = this.key.subarray(0, 16);
  }

  /** Decrypts an Encrypt value (or a WeCom echostr) and checks it was meant for this receiver. */
  decrypt(encrypted: string): string {
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv);
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(Buffer.from(encrypted.trim(), 'base64')), decipher.final()]);
    } catch {
      throw new MsgCryptError('the ciphertext does not decrypt');
    }
    const pad = plain[plain.length - 1];
    if (
      plain.length < 20 + pad ||
      pad < 1 ||
      pad > blockSize ||
      plain.subarray(plain.length - pad).some((b) => b !== pad)
    ) {
      throw new MsgCryptError('the decrypted message has invalid padding');
    }
    const content = plain.subarray(16, plain.length - pad);
    const length = content.readUInt32BE(0);
    if (length > content.length - 4) throw new MsgCryptError('the decrypted message is shorter than it says');
    const message = content.subarray(4, 4 + length);
    const receiver = content.subarray(4 + length);
    const expected = Buffer.from(this.receiverId, 'utf8');
    if (receiver.length !== expected.length || !timingSafeEqual(receiver, expected))
      throw new WrongReceiverError('the message was encrypted for another receiver (appId or corpId)');
    return message.toString('utf8');
  }

  encrypt(message: string, random: Buffer = randomBytes(16)): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const unpadded = Buffer.concat([random, length, body, Buffer.from(this.receiverId, 'utf8')]);
    const pad = blockSize - (unpadded.length % blockSize);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([unpadded, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
      'base64',
    );
  }
}
