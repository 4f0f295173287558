// parseWecomXml reads what WeCom sends through a fast path; anything else takes the validator and
// the full parser. Both must read every document the same way (or both refuse it).
import { describe, expect, it } from '@jest/globals';
import { parseWecomXml } from '../../bot/channels/wecom/xml.js';

/** A declaration in front keeps a document off the fast path: the full parser's reading. */
const full = (xml: string) => attempt(() => parseWecomXml(`<?xml version="1.0" encoding="UTF-8"?>${xml}`));
const fast = (xml: string) => attempt(() => parseWecomXml(xml));

function attempt(fn: () => Record<string, string>): Record<string, string> | 'refused' {
  try {
    return fn();
  } catch {
    return 'refused';
  }
}

const CASES = [
  '<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[demo-sales]]></FromUserName><CreateTime>1476422779</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[客户 C20260001]]></Content><MsgId>4561255354251345929</MsgId><AgentID>1</AgentID></xml>',
  '<xml>\n  <ToUserName><![CDATA[ww1]]></ToUserName>\n  <Content><![CDATA[ a ]]></Content>\n</xml>',
  '<xml><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>',
  '<xml><Content><![CDATA[x]y]]z]]]></Content></xml>',
  '<xml><Content><![CDATA[x]]>y]]></Content></xml>',
  '<xml><Content><![CDATA[a]]><![CDATA[b]]></Content></xml>',
  '<xml><Content><![CDATA[<b>&amp;</b>]]></Content></xml>',
  '<xml><Content>a &amp; b</Content></xml>',
  '<xml><Content>a > b</Content></xml>',
  '<xml><Content>a ] b</Content></xml>',
  '<xml><Content></Content><Empty><![CDATA[]]></Empty></xml>',
  '<xml><Content>  spaced  </Content></xml>',
  '<xml><A>1</A><A>2</A></xml>',
  '<xml><A><B>1</B></A></xml>',
  '<xml><A x="1">1</A></xml>',
  '<xml><__proto__>1</__proto__></xml>',
  '<xml><constructor>1</constructor><toString>2</toString></xml>',
  '<xml><A>1</B></xml>',
  '<xml><A>1</A>',
  '<xml><A>1</A></xml>trailing',
  '<xml><A>1</A></xml>\n',
  '<xml></xml>',
  '<xml>text</xml>',
  '<xml><A>line\r\nbreak</A></xml>',
  '<xml><A>\u0001</A></xml>',
  '<xml><A><![CDATA[\u0007]]></A></xml>',
  '<xml><A>é 中文 😀</A></xml>',
  '<other><A>1</A></other>',
];

const PIECES = [
  '<xml>',
  '</xml>',
  '<A>',
  '</A>',
  '<B>',
  '</B>',
  '<![CDATA[',
  ']]>',
  ']',
  ']]',
  '&amp;',
  '&',
  '<',
  '>',
  'x',
  ' ',
  '\n',
  '中',
  '<A/>',
  '<!-- c -->',
];

describe('WeCom XML fast path', () => {
  it('reads every sample document as the full parser does', () => {
    for (const xml of CASES) expect([xml, fast(xml)]).toEqual([xml, full(xml)]);
  });

  it('agrees with the full parser on random documents built from tricky pieces', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let fastHits = 0;
    for (let i = 0; i < 3000; i++) {
      const inner = Array.from({ length: 1 + rand(8) }, () => PIECES[rand(PIECES.length)]).join('');
      const xml = rand(3) ? `<xml><A>${inner}</A><B><![CDATA[${inner}]]></B></xml>` : `<xml>${inner}</xml>`;
      const got = fast(xml);
      expect([xml, got]).toEqual([xml, full(xml)]);
      if (got !== 'refused' && Object.keys(got).length) fastHits++;
    }
    // The generator must reach documents that parse, or the comparison proves little.
    expect(fastHits).toBeGreaterThan(300);
  });
});
