// The published test vectors (test/fixtures/vectors.json) and what the crypto tests share.
import { readFileSync } from 'node:fs';
import { CallbackCryptoError } from '../../bot/crypto/wecom-crypto.js';

interface SignedCase {
  timestamp: string;
  nonce: string;
  msg_signature: string;
  plaintext?: string;
}
export interface Vectors {
  wecom_python_sample: CryptoSet & {
    verifyUrl: SignedCase & { echostr: string; plaintext: string };
    decryptMsg: SignedCase & { encrypt: string; plaintext: string; random_hex: string };
  };
  wecom_cpp_go_sample: CryptoSet & {
    verifyUrl: SignedCase & { echostr: string; plaintext: string };
    decryptXml: SignedCase & { encrypt: string };
    decryptJson: SignedCase & { encrypt: string };
  };
  dingtalk_event_callback: CryptoSet & SignedCase & { encrypt: string; plaintext: string };
  dingtalk_robot_sign: { cases: { timestamp: string; secret: string; sign: string }[] };
}
interface CryptoSet {
  token: string;
  encodingAESKey: string;
  receiveId: string;
}

export const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/vectors.json', import.meta.url), 'utf8'),
) as Vectors;

/** An EncodingAESKey of the right shape (the WeChat official-account samples use it). */
export const AI_BOT_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** The CallbackCryptoError code thrown by fn, or a failure if it does not throw one. */
export function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof CallbackCryptoError) return err.code;
    throw err;
  }
  throw new Error('expected a CallbackCryptoError');
}
