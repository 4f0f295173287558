// The callback crypto beyond the samples: padding, round trips, and every way a callback is refused.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { createCallbackCrypto } from '../../bot/crypto/wecom-crypto.js';
import { AI_BOT_KEY, codeOf, vectors } from './crypto-vectors.js';

/** The ciphertext with one byte flipped (by `mask`); a negative index counts from the end. */
function flipByte(b64: string, index: number, mask = 0x01): string {
  const buf = Buffer.from(b64, 'base64');
  buf[index < 0 ? buf.length + index : index]! ^= mask;
  return buf.toString('base64');
}

/** Raw AES-256-CBC with the platform key/IV and no padding, to forge malformed plaintexts. */
function rawEncrypt(plain: Buffer, key = AI_BOT_KEY): string {
  const k = Buffer.from(`${key}=`, 'base64');
  const e = createCipheriv('aes-256-cbc', k, k.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([e.update(plain), e.final()]).toString('base64');
}

/** random(16) | uint32BE declaredLen | msg | receiveId, unpadded. */
function layout(msg: string, receiveId: string, declaredLen = Buffer.byteLength(msg)): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(declaredLen);
  return Buffer.concat([Buffer.alloc(16, 0x72), len, Buffer.from(msg), Buffer.from(receiveId)]);
}

describe('callback crypto round trip and padding', () => {
  const c = createCallbackCrypto({ token: 't0k3n', encodingAESKey: AI_BOT_KEY, receiveId: '' });
  const random = Buffer.alloc(16, 7);

  function padOf(cipher: string, key = AI_BOT_KEY): number {
    // The last byte after decryption, read without the module under test.
    const k = Buffer.from(`${key}=`, 'base64');
    const d = createDecipheriv('aes-256-cbc', k, k.subarray(0, 16)).setAutoPadding(false);
    const out = Buffer.concat([d.update(Buffer.from(cipher, 'base64')), d.final()]);
    return out[out.length - 1]!;
  }

  it('pads a full block of 32 when the body is already a multiple of 32 (AI bot, receiveid "")', () => {
    const msg = 'twelve bytes'; // 16 + 4 + 12 + 0 = 32
    const cipher = c.encrypt(msg, random);
    expect(Buffer.from(cipher, 'base64')).toHaveLength(64);
    expect(padOf(cipher)).toBe(32);
    expect(c.decrypt(cipher)).toBe(msg);
  });

  it('pads a single byte when the body is one short of a block', () => {
    const msg = 'eleven byte'; // 16 + 4 + 11 = 31
    const cipher = c.encrypt(msg, random);
    expect(Buffer.from(cipher, 'base64')).toHaveLength(32);
    expect(padOf(cipher)).toBe(1);
    expect(c.decrypt(cipher)).toBe(msg);
  });

  it('round-trips UTF-8 and an empty message with a fresh random prefix', () => {
    for (const msg of ['停用客户 C001 ✅', '', 'x'.repeat(5000)]) {
      const a = c.encrypt(msg);
      expect(c.decrypt(a)).toBe(msg);
      expect(c.encrypt(msg)).not.toBe(a);
    }
  });

  it('encryptReply signs what it encrypts', () => {
    const r = c.encryptReply('<xml/>', '1700000000', 'abc');
    expect(r.timestamp).toBe('1700000000');
    expect(r.nonce).toBe('abc');
    expect(r.signature).toBe(c.signature('1700000000', 'abc', r.encrypt));
    expect(c.verifyAndDecrypt({ msg_signature: r.signature, timestamp: r.timestamp, nonce: r.nonce }, r.encrypt)).toBe(
      '<xml/>',
    );
  });

  it('refuses a random prefix that is not 16 bytes', () => {
    expect(() => c.encrypt('x', Buffer.alloc(8))).toThrow(RangeError);
  });
});

describe('callback crypto refusals: signatures, keys and receiveids', () => {
  const v = vectors.wecom_python_sample;
  const c = createCallbackCrypto(v);
  const m = v.decryptMsg;

  it('-40001 on a bad, missing or wrong-length signature', () => {
    const badSig = `${m.msg_signature.slice(0, -1)}f`;
    expect(c.verify(badSig, m.timestamp, m.nonce, m.encrypt)).toBe(false);
    expect(c.verify(m.msg_signature.toUpperCase(), m.timestamp, m.nonce, m.encrypt)).toBe(false);
    expect(c.verify(m.msg_signature.slice(0, 20), m.timestamp, m.nonce, m.encrypt)).toBe(false);
    expect(codeOf(() => c.verifyAndDecrypt({ ...m, msg_signature: badSig }, m.encrypt))).toBe(-40001);
    expect(codeOf(() => c.verifyAndDecrypt({ timestamp: m.timestamp, nonce: m.nonce }, m.encrypt))).toBe(-40001);
    // Signed over another nonce: the signature covers every field.
    expect(codeOf(() => c.verifyAndDecrypt({ ...m, nonce: '1597212915' }, m.encrypt))).toBe(-40001);
    // A different token gives a different signature for the same request.
    const other = createCallbackCrypto({ ...v, token: 'not-the-token' });
    expect(codeOf(() => other.verifyAndDecrypt(m, m.encrypt))).toBe(-40001);
  });

  it('-40004 on an EncodingAESKey that is not 32 bytes', () => {
    for (const encodingAESKey of [
      '',
      'short',
      `${v.encodingAESKey}A`,
      v.encodingAESKey.slice(0, 42),
      `${v.encodingAESKey.slice(0, 42)}!`,
      // Node's base64 decoder skips whitespace, so these would still give 32 bytes: a pasted key is refused, not guessed at.
      `${v.encodingAESKey}\n`,
      ` ${v.encodingAESKey}`,
    ]) {
      expect(codeOf(() => createCallbackCrypto({ ...v, encodingAESKey }))).toBe(-40004);
    }
  });

  it('-40005 when the receiveid is not ours, including the AI bot\'s ""', () => {
    expect(codeOf(() => createCallbackCrypto({ ...v, receiveId: 'ww0000000000000000' }).decrypt(m.encrypt))).toBe(
      -40005,
    );
    expect(codeOf(() => createCallbackCrypto({ ...v, receiveId: '' }).decrypt(m.encrypt))).toBe(-40005);
    expect(codeOf(() => createCallbackCrypto({ ...v, receiveId: 'WW1436E0E65A779AEE' }).decrypt(m.encrypt))).toBe(
      -40005,
    );
    const forOtherCorp = createCallbackCrypto({ ...v, receiveId: 'ww1436e0e65a779aeX' }).encrypt('hi');
    expect(codeOf(() => c.decrypt(forOtherCorp))).toBe(-40005);
  });
});

describe('callback crypto refusals: tampered ciphertexts', () => {
  const v = vectors.wecom_python_sample;
  const c = createCallbackCrypto(v);
  const m = v.decryptMsg;

  it('-40007 when tampering breaks the padding', () => {
    // Flipping the last byte of the second-to-last block flips the pad byte (22 -> 23).
    expect(codeOf(() => c.decrypt(flipByte(m.encrypt, -17)))).toBe(-40007);
    // Flipping the last block garbles all of it.
    expect(codeOf(() => c.decrypt(flipByte(m.encrypt, -1)))).toBe(-40007);
  });

  it('-40008 when tampering corrupts the length field', () => {
    // Block 0 flips carry into block 1, whose first bytes hold the big-endian length.
    expect(codeOf(() => c.decrypt(flipByte(m.encrypt, 0, 0x80)))).toBe(-40008);
  });

  it('-40005 when tampering only shifts the length into the receiveid', () => {
    // Length 224 -> 225: the message keeps its bytes but the receiveid loses its first char.
    expect(codeOf(() => c.decrypt(flipByte(m.encrypt, 3, 0x01)))).toBe(-40005);
  });

  it('-40007 on bad base64 or a ciphertext length that is not a whole block', () => {
    expect(codeOf(() => c.decrypt(''))).toBe(-40007);
    expect(codeOf(() => c.decrypt('not base64!'))).toBe(-40007);
    // What Koa's query parser makes of a raw "+": a space.
    expect(codeOf(() => c.decrypt(v.verifyUrl.echostr.replace(/\+/g, ' ')))).toBe(-40007);
    expect(codeOf(() => c.decrypt(Buffer.alloc(20).toString('base64')))).toBe(-40007);
    expect(codeOf(() => c.decrypt(m.encrypt.slice(0, -4)))).toBe(-40007);
    // Node's decoder would quietly accept these (skips whitespace, reads base64url); the platforms never send them.
    expect(codeOf(() => c.decrypt(`${m.encrypt.slice(0, 40)}\n${m.encrypt.slice(40)}`))).toBe(-40007);
    expect(codeOf(() => c.decrypt(m.encrypt.replace(/\+/g, '-').replace(/\//g, '_')))).toBe(-40007);
  });
});

describe('callback crypto refusals: malformed plaintexts', () => {
  it('-40008 when the plaintext is shorter than its 20-byte header', () => {
    const tiny = createCallbackCrypto({ token: 't', encodingAESKey: AI_BOT_KEY, receiveId: '' });
    // One block with a valid pad of 8 leaves 8 bytes: no room for random + length.
    expect(codeOf(() => tiny.decrypt(rawEncrypt(Buffer.concat([Buffer.alloc(8, 0x61), Buffer.alloc(8, 8)]))))).toBe(
      -40008,
    );
  });

  it('-40008 when the declared length runs into the receiveid (the only guard when receiveid is "")', () => {
    const bot = createCallbackCrypto({ token: 't', encodingAESKey: AI_BOT_KEY, receiveId: '' });
    const body = layout('hello', '', 5 + 7); // 25 bytes; 7 pad bytes of 7 follow
    const cipher = rawEncrypt(Buffer.concat([body, Buffer.alloc(7, 7)]));
    expect(codeOf(() => bot.decrypt(cipher))).toBe(-40008);
    const honest = rawEncrypt(Buffer.concat([layout('hello', ''), Buffer.alloc(7, 7)]));
    expect(bot.decrypt(honest)).toBe('hello');
  });

  it('-40007 on a pad byte above 32 even when the pad bytes agree', () => {
    const bot = createCallbackCrypto({ token: 't', encodingAESKey: AI_BOT_KEY, receiveId: '' });
    const body = layout('', ''); // 20 bytes
    expect(codeOf(() => bot.decrypt(rawEncrypt(Buffer.concat([body, Buffer.alloc(44, 44)]))))).toBe(-40007);
    expect(codeOf(() => bot.decrypt(rawEncrypt(Buffer.concat([body, Buffer.alloc(11, 0), Buffer.alloc(1, 0)]))))).toBe(
      -40007,
    );
    expect(codeOf(() => bot.decrypt(rawEncrypt(Buffer.alloc(32))))).toBe(-40007);
    expect(bot.decrypt(rawEncrypt(Buffer.concat([body, Buffer.alloc(12, 12)])))).toBe('');
  });
});
