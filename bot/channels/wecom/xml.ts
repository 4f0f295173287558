import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CALLBACK_ERROR, CallbackCryptoError } from '../../crypto/wecom-crypto.js';

/** Callback bodies are a few hundred bytes; anything near this is not WeCom. */
export const MAX_XML_BYTES = 64 * 1024;

// No number parsing: MsgId (e.g. 4561255354251345929) exceeds 2^53 and must stay exact.
// No trimming: Content is user text and whitespace may matter.
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

function xmlError(message: string): CallbackCryptoError {
  return new CallbackCryptoError(CALLBACK_ERROR.XML, message);
}

// One child of a flat <xml>: a single CDATA section (no `]]>` inside) or text with no markup,
// entity or `]`. Whatever matches this is well-formed and reads the same as the full parser reads it.
const FLAT_CHILD = /\s*<([A-Za-z_][A-Za-z0-9_]*)>(?:<!\[CDATA\[((?:[^\]]|\](?!\]>))*)\]\]>|([^<&\]]*))<\/\1>/y;
// eslint-disable-next-line no-control-regex
const FLAT_REFUSED = /[\u0000-\u0008\u000B\u000C\u000D\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * What WeCom sends (every message and envelope), read without the validator and the full parser,
 * which cost a tenth of a lookup; null for anything else (repeated or nested elements, entities,
 * attributes, a declaration, odd characters), which then takes the full path.
 */
function parseFlat(xml: string): Record<string, string> | null {
  if (!xml.startsWith('<xml>') || FLAT_REFUSED.test(xml)) return null;
  const out: Record<string, string> = {};
  let at = 5;
  for (;;) {
    FLAT_CHILD.lastIndex = at;
    const m = FLAT_CHILD.exec(xml);
    // (An <xml> of nothing but whitespace is refused by the full path: so it goes there.)
    if (!m) return at > 5 ? (/^\s*<\/xml>$/.test(xml.slice(at)) ? out : null) : xml === '<xml></xml>' ? out : null;
    // A repeated element (or one named like an Object member) is left to the full parser.
    if (m[1]! in out) return null;
    out[m[1]!] = m[2] ?? m[3]!;
    at = FLAT_CHILD.lastIndex;
  }
}

/** The children of `<xml>` as strings; nested or repeated elements come back as JSON strings. */
export function parseWecomXml(xml: string): Record<string, string> {
  if (Buffer.byteLength(xml, 'utf8') > MAX_XML_BYTES) throw xmlError('XML body too large');
  // Refused outright rather than configured away: WeCom never sends a DTD, so one means an XXE probe.
  if (/<!(?:DOCTYPE|ENTITY)/i.test(xml)) throw xmlError('XML with DOCTYPE/ENTITY refused');
  return parseFlat(xml) ?? parseFull(xml);
}

/** Anything parseFlat leaves: validated, then read by the full parser. */
function parseFull(xml: string): Record<string, string> {
  if (XMLValidator.validate(xml) !== true) throw xmlError('malformed XML');
  const doc: unknown = parser.parse(xml);
  if (typeof doc !== 'object' || doc === null || Object.keys(doc).length !== 1 || !('xml' in doc)) {
    throw xmlError('missing <xml> root');
  }
  const root = doc.xml;
  if (root === '') return {};
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw xmlError('malformed <xml> root');

  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(root)) {
    if (name === '#text') continue; // whitespace between elements
    out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

// Chars XML 1.0 forbids even inside CDATA; WeCom would reject the whole reply over one of them.
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function cdata(text: string): string {
  const clean = text.replace(INVALID_XML_CHARS, '');
  return `<![CDATA[${clean.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

function escapeText(text: string | number): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The encrypted passive-reply envelope (official template from the WeCom Python sample). */
export function buildPassiveReplyXml(fields: {
  encrypt: string;
  signature: string;
  timestamp: string;
  nonce: string;
}): string {
  return (
    `<xml><Encrypt>${cdata(fields.encrypt)}</Encrypt><MsgSignature>${cdata(fields.signature)}</MsgSignature>` +
    `<TimeStamp>${escapeText(fields.timestamp)}</TimeStamp><Nonce>${cdata(fields.nonce)}</Nonce></xml>`
  );
}

export interface ReplyHeader {
  /** The member's UserID (the request's FromUserName). */
  toUser: string;
  /** The CorpID (the request's ToUserName). */
  fromUser: string;
  /** Unix seconds. */
  createTime: number | string;
}

function header(h: ReplyHeader, msgType: string): string {
  return (
    `<ToUserName>${cdata(h.toUser)}</ToUserName><FromUserName>${cdata(h.fromUser)}</FromUserName>` +
    `<CreateTime>${escapeText(h.createTime)}</CreateTime><MsgType>${cdata(msgType)}</MsgType>`
  );
}

/** Plaintext passive text reply (encrypt it before sending). */
export function buildTextReplyXml(r: ReplyHeader & { content: string }): string {
  return `<xml>${header(r, 'text')}<Content>${cdata(r.content)}</Content></xml>`;
}

/** Plaintext passive reply to a template_card_event that greys the clicked button out with new text. */
export function buildUpdateButtonXml(r: ReplyHeader & { replaceName: string }): string {
  return `<xml>${header(r, 'update_button')}<Button><ReplaceName>${cdata(r.replaceName)}</ReplaceName></Button></xml>`;
}
