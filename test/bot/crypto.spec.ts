// The callback crypto and the DingTalk robot signature against the published samples (V1-V6 of
// chat-protocols.md); crypto-refusals.spec.ts covers padding and what is refused.
import { describe, it, expect } from '@jest/globals';
import { createCallbackCrypto } from '../../bot/crypto/wecom-crypto.js';
import {
  dingtalkRobotSign,
  dingtalkWebhookSignedUrl,
  verifyDingtalkRobotSign,
} from '../../bot/crypto/dingtalk-sign.js';
import { parseWecomXml } from '../../bot/channels/wecom/xml.js';
import { AI_BOT_KEY, codeOf, vectors } from './crypto-vectors.js';

describe('V1 WeCom official Python sample', () => {
  const v = vectors.wecom_python_sample;
  const c = createCallbackCrypto(v);

  it('verifies the URL: signature over echostr, then the plaintext', () => {
    const u = v.verifyUrl;
    expect(c.signature(u.timestamp, u.nonce, u.echostr)).toBe(u.msg_signature);
    expect(c.verifyAndDecrypt(u, u.echostr)).toBe('1288432023552776189');
    expect(c.decrypt(u.echostr)).toBe(u.plaintext);
  });

  it('decrypts the message (pad byte 22, beyond what Node auto-padding allows)', () => {
    const m = v.decryptMsg;
    expect(c.signature(m.timestamp, m.nonce, m.encrypt)).toBe('0c3914025cb4b4d68103f6bfc8db550f79dcf48e');
    expect(c.verify(m.msg_signature, m.timestamp, m.nonce, m.encrypt)).toBe(true);
    expect(c.verifyAndDecrypt(m, m.encrypt)).toBe(m.plaintext);
  });

  it('re-encrypts byte-identically with the recovered random prefix', () => {
    const m = v.decryptMsg;
    // "random_hex" is the 16 ASCII characters themselves (the Python sample draws 16 chars), not 8 hex bytes.
    expect(Buffer.from(m.random_hex, 'utf8')).toHaveLength(16);
    expect(c.encrypt(m.plaintext, Buffer.from(m.random_hex, 'utf8'))).toBe(m.encrypt);
  });

  it('parses the decrypted XML into strings', () => {
    expect(parseWecomXml(v.decryptMsg.plaintext)).toEqual({
      ToUserName: 'ww1436e0e65a779aee',
      FromUserName: 'ChenJiaShun',
      CreateTime: '1476422779',
      MsgType: 'text',
      Content: '你好',
      MsgId: '1456453720',
      AgentID: '1000002',
    });
  });
});

describe('V2 WeCom official C++ / Go sample', () => {
  const v = vectors.wecom_cpp_go_sample;
  const c = createCallbackCrypto(v);

  it('verifies the URL', () => {
    const u = v.verifyUrl;
    expect(c.signature(u.timestamp, u.nonce, u.echostr)).toBe('5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3');
    expect(c.verifyAndDecrypt(u, u.echostr)).toBe(u.plaintext);
    expect(u.plaintext).toBe('1616140317555161061');
  });

  it('decrypts the XML message with newlines and keeps the 64-bit MsgId exact', () => {
    const x = v.decryptXml;
    expect(c.signature(x.timestamp, x.nonce, x.encrypt)).toBe('477715d11cdb4164915debcba66cb864d751f3e6');
    const plain = c.verifyAndDecrypt(x, x.encrypt);
    expect(plain.split('\n')).toHaveLength(8);
    expect(parseWecomXml(plain)).toEqual({
      ToUserName: 'wx5823bf96d3bd56c7',
      FromUserName: 'mycreate',
      CreateTime: '1409659813',
      MsgType: 'text',
      Content: 'hello',
      MsgId: '4561255354251345929',
      AgentID: '218',
    });
  });

  it('decrypts the JSON message', () => {
    const j = v.decryptJson;
    expect(c.signature(j.timestamp, j.nonce, j.encrypt)).toBe('0623cbc5a8cbee5bcc137c70de99575366fc2af3');
    const plain = c.verifyAndDecrypt(j, j.encrypt);
    expect(plain).toBe(
      '{"ToUserName":"wx5823bf96d3bd56c7","FromUserName":"mycreate","CreateTime": 1409659813,' +
        '"MsgType":"text","Content":"hello","MsgId":4561255354251345929,"AgentID": 218}',
    );
    // Why MsgId must be read as text: JSON.parse silently rounds it.
    expect(String((JSON.parse(plain) as { MsgId: number }).MsgId)).not.toBe('4561255354251345929');
  });
});

describe('V5 DingTalk event-subscription callback (same algorithm)', () => {
  const v = vectors.dingtalk_event_callback;
  const c = createCallbackCrypto(v);

  it('checks the signature over a millisecond timestamp and decrypts', () => {
    expect(c.signature(v.timestamp, v.nonce, v.encrypt)).toBe('03044561471240d4a14bb09372dfcfd4fd0e40cb');
    expect(c.verifyAndDecrypt(v, v.encrypt)).toBe('{"EventType":"check_url"}');
  });

  it('refuses the same ciphertext for another appKey', () => {
    const other = createCallbackCrypto({ ...v, receiveId: 'dingotherappkey00000' });
    expect(codeOf(() => other.decrypt(v.encrypt))).toBe(-40005);
  });
});

describe('V3 / V4 WeChat official-account samples (chat-protocols.md B, not in vectors.json)', () => {
  it('V3 pamtest: encrypt with the fixed random gives the published ciphertext', () => {
    const c = createCallbackCrypto({ token: 'pamtest', encodingAESKey: AI_BOT_KEY, receiveId: 'wxb11529c136998cb6' });
    const cipher = c.encrypt('我是中文abcd123', Buffer.from('aaaabbbbccccdddd'));
    expect(cipher).toBe('jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==');
    expect(c.decrypt(cipher)).toBe('我是中文abcd123');
  });

  it('V4 spamtest: signature and plaintext', () => {
    const c = createCallbackCrypto({ token: 'spamtest', encodingAESKey: AI_BOT_KEY, receiveId: 'wx2c2769f8efd9abc2' });
    const encrypt =
      'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9' +
      'FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3y' +
      't+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h' +
      '0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=';
    const q = {
      msg_signature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
      timestamp: '1409735669',
      nonce: '1320562132',
    };
    const fields = parseWecomXml(c.verifyAndDecrypt(q, encrypt));
    expect(fields).toMatchObject({ MsgType: 'text', Content: 'abcdteT', MsgId: '6054768590064713728' });
  });
});

describe('V6 DingTalk robot HmacSHA256 signature', () => {
  const { cases } = vectors.dingtalk_robot_sign;

  it('reproduces both third-party values', () => {
    expect(cases).toHaveLength(2);
    expect(dingtalkRobotSign(cases[0]!.timestamp, cases[0]!.secret)).toBe(
      'hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=',
    );
    for (const k of cases) expect(dingtalkRobotSign(k.timestamp, k.secret)).toBe(k.sign);
  });

  it('builds the 加签 webhook URL with the URL-encoded sign', () => {
    const base = 'https://oapi.dingtalk.com/robot/send?access_token=abc123';
    expect(dingtalkWebhookSignedUrl(base, 'this is secret', 1577262236757)).toBe(
      `${base}&timestamp=1577262236757&sign=hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D`,
    );
  });
});

describe('V6 verifyDingtalkRobotSign: the time window', () => {
  const { timestamp, secret, sign } = vectors.dingtalk_robot_sign.cases[0]!;
  const ts = Number(timestamp);
  const hour = 3600_000;

  it('accepts the vector at, and up to one hour either side of, its timestamp', () => {
    expect(verifyDingtalkRobotSign({ timestamp, sign }, secret, ts)).toEqual({ ok: true });
    expect(verifyDingtalkRobotSign({ timestamp, sign }, secret, ts + hour)).toEqual({ ok: true });
    expect(verifyDingtalkRobotSign({ timestamp, sign }, secret, ts - hour)).toEqual({ ok: true });
  });

  it('refuses a timestamp more than an hour off', () => {
    expect(verifyDingtalkRobotSign({ timestamp, sign }, secret, ts + hour + 1)).toEqual({
      ok: false,
      reason: 'timestamp outside the allowed window',
    });
    expect(verifyDingtalkRobotSign({ timestamp, sign }, secret, ts - hour - 1)).toEqual({
      ok: false,
      reason: 'timestamp outside the allowed window',
    });
    expect(verifyDingtalkRobotSign({ timestamp, sign }, secret, ts + 61_000, 60_000).ok).toBe(false);
  });
});

describe('V6 verifyDingtalkRobotSign: forged signs and garbage headers', () => {
  const { cases } = vectors.dingtalk_robot_sign;
  const { timestamp, secret, sign } = cases[0]!;
  const ts = Number(timestamp);

  it('refuses a forged sign, another secret, or a sign moved to another timestamp', () => {
    expect(verifyDingtalkRobotSign({ timestamp, sign: cases[1]!.sign }, secret, ts)).toEqual({
      ok: false,
      reason: 'sign mismatch',
    });
    expect(verifyDingtalkRobotSign({ timestamp, sign }, cases[1]!.secret, ts)).toEqual({
      ok: false,
      reason: 'sign mismatch',
    });
    expect(verifyDingtalkRobotSign({ timestamp: String(ts + 1), sign }, secret, ts)).toEqual({
      ok: false,
      reason: 'sign mismatch',
    });
    expect(verifyDingtalkRobotSign({ timestamp, sign: sign.slice(0, -1) }, secret, ts)).toEqual({
      ok: false,
      reason: 'sign mismatch',
    });
    expect(verifyDingtalkRobotSign({ timestamp, sign: encodeURIComponent(sign) }, secret, ts)).toEqual({
      ok: false,
      reason: 'sign mismatch',
    });
  });

  it('refuses missing or garbage headers with a reason', () => {
    expect(verifyDingtalkRobotSign({}, secret, ts)).toEqual({
      ok: false,
      reason: 'missing timestamp or sign header',
    });
    expect(verifyDingtalkRobotSign({ timestamp }, secret, ts)).toEqual({
      ok: false,
      reason: 'missing timestamp or sign header',
    });
    expect(verifyDingtalkRobotSign({ sign }, secret, ts)).toEqual({
      ok: false,
      reason: 'missing timestamp or sign header',
    });
    for (const bad of [
      '1.577262236757e12',
      ' 1577262236757',
      '0x16f3a1b1c55',
      'abc',
      '-1577262236757',
      '12345678901234567890',
    ]) {
      expect(verifyDingtalkRobotSign({ timestamp: bad, sign }, secret, ts)).toEqual({
        ok: false,
        reason: 'timestamp header is not epoch milliseconds',
      });
    }
  });
});
