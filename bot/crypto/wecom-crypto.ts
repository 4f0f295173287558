import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Error codes of the official WeCom SDK (`ierror`), kept so logs match WeCom's documentation. */
export const CALLBACK_ERROR = {
  SIGNATURE: -40001,
  XML: -40002,
  AES_KEY: -40004,
  RECEIVE_ID: -40005,
  DECRYPT: -40007,
  BUFFER: -40008,
} as const;

export type CallbackErrorCode = (typeof CALLBACK_ERROR)[keyof typeof CALLBACK_ERROR];

/** A refused callback: an official WeCom error code and an English message for logs. */
export class CallbackCryptoError extends Error {
  readonly code: CallbackErrorCode;

  constructor(code: CallbackErrorCode, message: string) {
    super(message);
    this.name = 'CallbackCryptoError';
    this.code = code;
  }
}

export interface CallbackCryptoOptions {
  token: string;
  encodingAESKey: string;
  /** CorpID, suite_id, DingTalk appKey/corpId, or "" for the WeCom AI bot. */
  receiveId: string;
}

export interface SignedQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
}

export interface EncryptedReply {
  encrypt: string;
  signature: string;
  timestamp: string;
  nonce: string;
}

export type CallbackCrypto = ReturnType<typeof createCallbackCrypto>;

// The platforms pad to 32 bytes, not AES's 16, so Node's auto-padding (which rejects pad > 16) is off.
const BLOCK = 32;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Constant-time string equality; a length mismatch returns false without comparing. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// Random prefixes for replies, drawn from the CSPRNG 4 KB at a time: a call per reply showed in
// the webhook bench's profile (every passive reply needs one).
let randomPool = Buffer.alloc(0);
let randomAt = 0;
function randomPrefix(): Buffer {
  if (randomAt + 16 > randomPool.length) {
    randomPool = randomBytes(4096);
    randomAt = 0;
  }
  randomAt += 16;
  return randomPool.subarray(randomAt - 16, randomAt);
}

/** One configuration's secrets, derived once. */
interface Keys {
  token: string;
  key: Buffer;
  iv: Buffer;
  receiveId: string;
  receiveIdBytes: Buffer;
}

/** Hex sha1 over the sorted (token, timestamp, nonce, encrypt): WeCom's msg_signature. */
function signatureOf(k: Keys, timestamp: string, nonce: string, encrypt: string): string {
  const joined = [k.token, timestamp, nonce, encrypt].sort().join('');
  return createHash('sha1').update(joined).digest('hex');
}

/** AES-256-CBC with the key's first 16 bytes as IV, then a strict PKCS#7 (block 32) unpad. */
function aesDecrypt(k: Keys, cipherText: Buffer, badPadding: string): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', k.key, k.iv).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || pad > padded.length || !padded.subarray(-pad).every((b) => b === pad)) {
    throw new CallbackCryptoError(CALLBACK_ERROR.DECRYPT, badPadding);
  }
  return padded.subarray(0, padded.length - pad);
}

/** Decrypts an Encrypt/echostr value and checks its receiveid; throws CallbackCryptoError. */
function decryptMessage(k: Keys, encrypt: string): string {
  if (!STRICT_BASE64.test(encrypt) || encrypt.length === 0) {
    throw new CallbackCryptoError(CALLBACK_ERROR.DECRYPT, 'ciphertext is not base64');
  }
  const cipherText = Buffer.from(encrypt, 'base64');
  if (cipherText.length % 16 !== 0) {
    throw new CallbackCryptoError(CALLBACK_ERROR.DECRYPT, 'ciphertext length is not a multiple of 16');
  }
  const plain = aesDecrypt(k, cipherText, 'bad PKCS#7 padding');
  if (plain.length < 20) throw new CallbackCryptoError(CALLBACK_ERROR.BUFFER, 'plaintext shorter than its header');
  const msgLen = plain.readUInt32BE(16);
  if (msgLen > plain.length - 20) throw new CallbackCryptoError(CALLBACK_ERROR.BUFFER, 'message length out of range');
  const receiveId = plain.subarray(20 + msgLen).toString('utf8');
  // Without this check a message encrypted for another corp/app with the same key would be accepted.
  if (receiveId !== k.receiveId) {
    throw new CallbackCryptoError(CALLBACK_ERROR.RECEIVE_ID, 'receiveid does not match');
  }
  return plain.subarray(20, 20 + msgLen).toString('utf8');
}

/** Encrypts a reply body: random prefix, length, message, receiveid, padded to 32. */
function encryptMessage(k: Keys, plain: string, random16: Buffer): string {
  if (random16.length !== 16) throw new RangeError('random prefix must be 16 bytes');
  const msg = Buffer.from(plain, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  const body = Buffer.concat([random16, len, msg, k.receiveIdBytes]);
  const pad = BLOCK - (body.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', k.key, k.iv).setAutoPadding(false);
  const padded = Buffer.concat([body, Buffer.alloc(pad, pad)]);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

/** The secrets of `opts`, or CallbackCryptoError -40004 when the EncodingAESKey is malformed. */
function keysOf(opts: CallbackCryptoOptions): Keys {
  const key = Buffer.from(`${opts.encodingAESKey}=`, 'base64');
  if (opts.encodingAESKey.length !== 43 || key.length !== 32) {
    throw new CallbackCryptoError(CALLBACK_ERROR.AES_KEY, 'EncodingAESKey must be 43 base64 chars (32 bytes)');
  }
  return {
    token: opts.token,
    key,
    iv: key.subarray(0, 16),
    receiveId: opts.receiveId,
    receiveIdBytes: Buffer.from(opts.receiveId, 'utf8'),
  };
}

/** The WeCom / WeChat / DingTalk-event callback crypto (msg_signature + AES-256-CBC envelope). */
export function createCallbackCrypto(opts: CallbackCryptoOptions) {
  const k = keysOf(opts);

  /** Hex sha1 over the sorted (token, timestamp, nonce, encrypt): WeCom's msg_signature. */
  const signature = (timestamp: string, nonce: string, encrypt: string): string =>
    signatureOf(k, timestamp, nonce, encrypt);

  /** Constant-time check of a msg_signature. */
  const verify = (sig: string, timestamp: string, nonce: string, encrypt: string): boolean =>
    safeEqual(sig, signature(timestamp, nonce, encrypt));

  /** Decrypts an Encrypt/echostr value and checks its receiveid; throws CallbackCryptoError. */
  const decrypt = (encrypt: string): string => decryptMessage(k, encrypt);

  /** Encrypts a reply body; pass `random16` only to reproduce published vectors. */
  const encrypt = (plain: string, random16: Buffer = randomPrefix()): string => encryptMessage(k, plain, random16);

  /**
   * Decrypts a file the WeCom AI bot links to (msgtype "file" / "image", `url`): the downloaded
   * bytes are raw AES-256-CBC ciphertext under the same key and IV, PKCS#7-padded to 32, with no
   * random/length/receiveid framing. https://developer.work.weixin.qq.com/document/path/100719
   */
  function decryptFile(cipherText: Buffer): Buffer {
    if (cipherText.length === 0 || cipherText.length % 16 !== 0) {
      throw new CallbackCryptoError(CALLBACK_ERROR.DECRYPT, 'file ciphertext length is not a positive multiple of 16');
    }
    return aesDecrypt(k, cipherText, 'bad PKCS#7 padding in file');
  }

  /** Checks the query's msg_signature (-40001) then decrypts. */
  function verifyAndDecrypt(q: SignedQuery, encrypted: string): string {
    const { msg_signature: sig, timestamp, nonce } = q;
    if (
      sig === undefined ||
      timestamp === undefined ||
      nonce === undefined ||
      !verify(sig, timestamp, nonce, encrypted)
    ) {
      throw new CallbackCryptoError(CALLBACK_ERROR.SIGNATURE, 'msg_signature mismatch');
    }
    return decrypt(encrypted);
  }

  /** Encrypts and signs a passive reply, reusing the request's timestamp and nonce. */
  function encryptReply(plain: string, timestamp: string, nonce: string): EncryptedReply {
    const enc = encrypt(plain);
    return { encrypt: enc, signature: signature(timestamp, nonce, enc), timestamp, nonce };
  }

  return { signature, verify, decrypt, decryptFile, encrypt, verifyAndDecrypt, encryptReply };
}
