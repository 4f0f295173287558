import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { CallbackCryptoError, createCallbackCrypto } from '../../bot/crypto/wecom-crypto.js';
import {
  dingtalkRobotSign,
  dingtalkWebhookSignedUrl,
  verifyDingtalkRobotSign,
} from '../../bot/crypto/dingtalk-sign.js';
import {
  buildPassiveReplyXml,
  buildTextReplyXml,
  buildUpdateButtonXml,
  parseWecomXml,
} from '../../bot/channels/wecom/xml.js';

interface SignedCase {
  timestamp: string;
  nonce: string;
  msg_signature: string;
  plaintext?: string;
}
interface Vectors {
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

const vectors = JSON.parse(readFileSync(new URL('../fixtures/vectors.json', import.meta.url), 'utf8')) as Vectors;

/** The CallbackCryptoError code thrown by fn, or a failure if it does not throw one. */
function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof CallbackCryptoError) return err.code;
    throw err;
  }
  throw new Error('expected a CallbackCryptoError');
}

function flipByte(b64: string, index: number, mask = 0x01): string {
  const buf = Buffer.from(b64, 'base64');
  buf[index < 0 ? buf.length + index : index]! ^= mask;
  return buf.toString('base64');
}

const AI_BOT_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

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

describe('callback crypto refusals', () => {
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

describe('WeCom XML', () => {
  it('keeps a 64-bit MsgId exact and CDATA content untrimmed', () => {
    const xml =
      '<xml><ToUserName><![CDATA[ww1]]></ToUserName>\n<Content><![CDATA[ 停用客户 C001 & <b> ]]></Content>' +
      '\n<MsgId>4561255354251345929</MsgId><AgentID>1000002</AgentID><Empty></Empty></xml>';
    const f = parseWecomXml(xml);
    expect(f.MsgId).toBe('4561255354251345929');
    expect(f.Content).toBe(' 停用客户 C001 & <b> ');
    expect(f.AgentID).toBe('1000002');
    expect(f.Empty).toBe('');
    expect(Object.keys(f)).toEqual(['ToUserName', 'Content', 'MsgId', 'AgentID', 'Empty']);
  });

  it('never turns number-like text into numbers', () => {
    expect(
      parseWecomXml(
        '<xml><EventKey>007</EventKey><TaskId>1e3</TaskId><Content>0x1F</Content><CreateTime> 12 </CreateTime></xml>',
      ),
    ).toEqual({ EventKey: '007', TaskId: '1e3', Content: '0x1F', CreateTime: ' 12 ' });
  });

  it('decodes the standard entities in non-CDATA text and accepts an XML declaration', () => {
    expect(parseWecomXml('<?xml version="1.0" encoding="UTF-8"?><xml><A>x &amp; &lt;y&gt;</A></xml>')).toEqual({
      A: 'x & <y>',
    });
  });

  it('returns nested elements of a template_card_event as JSON strings', () => {
    const xml =
      '<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>' +
      '<EventKey><![CDATA[approve]]></EventKey><TaskId><![CDATA[task_1]]></TaskId>' +
      '<SelectedItems><SelectedItem><QuestionKey><![CDATA[q1]]></QuestionKey>' +
      '<OptionIds><OptionId><![CDATA[o1]]></OptionId><OptionId><![CDATA[o2]]></OptionId></OptionIds>' +
      '</SelectedItem></SelectedItems></xml>';
    const f = parseWecomXml(xml);
    expect(f.EventKey).toBe('approve');
    expect(f.TaskId).toBe('task_1');
    expect(JSON.parse(f.SelectedItems!)).toEqual({
      SelectedItem: { QuestionKey: 'q1', OptionIds: { OptionId: ['o1', 'o2'] } },
    });
  });

  it('refuses DOCTYPE and ENTITY declarations (XXE) with -40002', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><A>&x;</A></xml>';
    expect(codeOf(() => parseWecomXml(xxe))).toBe(-40002);
    expect(codeOf(() => parseWecomXml('<!doctype xml><xml><A>1</A></xml>'))).toBe(-40002);
    expect(codeOf(() => parseWecomXml('<xml><A><!ENTITY a "b"></A></xml>'))).toBe(-40002);
    const lol = `<!DOCTYPE lolz [<!ENTITY lol "lol">${'<!ENTITY lol1 "&lol;&lol;">'}]><xml><A>&lol1;</A></xml>`;
    expect(codeOf(() => parseWecomXml(lol))).toBe(-40002);
  });

  it('refuses non-XML, a foreign root, several roots, broken nesting and oversize bodies with -40002', () => {
    for (const bad of [
      '',
      'hello',
      '{"encrypt":"x"}',
      '<foo><A>1</A></foo>',
      '<xml><A>1</A></xml><xml/>',
      '<xml><A>1</B></xml>',
      '<xml><A>1</A>',
    ]) {
      expect(codeOf(() => parseWecomXml(bad))).toBe(-40002);
    }
    const big = `<xml><Content><![CDATA[${'x'.repeat(64 * 1024)}]]></Content></xml>`;
    expect(codeOf(() => parseWecomXml(big))).toBe(-40002);
    expect(parseWecomXml('<xml></xml>')).toEqual({});
  });

  it('builds the passive reply envelope exactly like the official template', () => {
    expect(
      buildPassiveReplyXml({ encrypt: 'ENC+/=', signature: 'abc123', timestamp: '1409659813', nonce: '1372623149' }),
    ).toBe(
      '<xml><Encrypt><![CDATA[ENC+/=]]></Encrypt><MsgSignature><![CDATA[abc123]]></MsgSignature>' +
        '<TimeStamp>1409659813</TimeStamp><Nonce><![CDATA[1372623149]]></Nonce></xml>',
    );
  });

  it('builds a text reply that survives "]]>" in the content and parses back to the same text', () => {
    const content = '已停用 C001 ]]> <xml> & done';
    const xml = buildTextReplyXml({
      toUser: 'ChenJiaShun',
      fromUser: 'ww1436e0e65a779aee',
      createTime: 1476422780,
      content,
    });
    expect(xml).toBe(
      '<xml><ToUserName><![CDATA[ChenJiaShun]]></ToUserName><FromUserName><![CDATA[ww1436e0e65a779aee]]></FromUserName>' +
        '<CreateTime>1476422780</CreateTime><MsgType><![CDATA[text]]></MsgType>' +
        '<Content><![CDATA[已停用 C001 ]]]]><![CDATA[> <xml> & done]]></Content></xml>',
    );
    expect(parseWecomXml(xml)).toEqual({
      ToUserName: 'ChenJiaShun',
      FromUserName: 'ww1436e0e65a779aee',
      CreateTime: '1476422780',
      MsgType: 'text',
      Content: content,
    });
  });

  it('builds an update_button reply', () => {
    expect(
      buildUpdateButtonXml({ toUser: 'u1', fromUser: 'ww1', createTime: '1700000000', replaceName: '已批准' }),
    ).toBe(
      '<xml><ToUserName><![CDATA[u1]]></ToUserName><FromUserName><![CDATA[ww1]]></FromUserName>' +
        '<CreateTime>1700000000</CreateTime><MsgType><![CDATA[update_button]]></MsgType>' +
        '<Button><ReplaceName><![CDATA[已批准]]></ReplaceName></Button></xml>',
    );
  });

  it('round-trips a reply through encryptReply and the envelope', () => {
    const v = vectors.wecom_python_sample;
    const c = createCallbackCrypto(v);
    const body = buildTextReplyXml({
      toUser: 'ChenJiaShun',
      fromUser: v.receiveId,
      createTime: 1476422780,
      content: '收到',
    });
    const envelope = parseWecomXml(buildPassiveReplyXml(c.encryptReply(body, '1476422779', '1597212914')));
    const q = { msg_signature: envelope.MsgSignature, timestamp: envelope.TimeStamp, nonce: envelope.Nonce };
    expect(parseWecomXml(c.verifyAndDecrypt(q, envelope.Encrypt!)).Content).toBe('收到');
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

  describe('verifyDingtalkRobotSign', () => {
    const { timestamp, secret, sign } = cases[0]!;
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
});
