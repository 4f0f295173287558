// WeCom callback XML: what is read, what is refused, and the replies built.
import { describe, it, expect } from '@jest/globals';
import { createCallbackCrypto } from '../../bot/crypto/wecom-crypto.js';
import {
  buildPassiveReplyXml,
  buildTextReplyXml,
  buildUpdateButtonXml,
  parseWecomXml,
} from '../../bot/channels/wecom/xml.js';
import { codeOf, vectors } from './crypto-vectors.js';

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
});

describe('WeCom XML: what it refuses', () => {
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
});

describe('WeCom XML: replies', () => {
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
