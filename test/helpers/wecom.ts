import { createCipheriv } from 'node:crypto';
import { createCallbackCrypto } from '../../bot/crypto/wecom-crypto.js';
import { parseWecomXml } from '../../bot/channels/wecom/xml.js';

export const WECOM = {
  WECOM_CORP_ID: 'wwsteward0000test',
  WECOM_TOKEN: 'stewardToken123',
  WECOM_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 'wecom-secret',
  WECOM_BOT_TOKEN: 'botToken456',
  WECOM_BOT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  WECOM_GROUP_WEBHOOK_KEY: 'group-key',
};

const app = createCallbackCrypto({
  token: WECOM.WECOM_TOKEN,
  encodingAESKey: WECOM.WECOM_AES_KEY,
  receiveId: WECOM.WECOM_CORP_ID,
});
export const aiBotCrypto = createCallbackCrypto({
  token: WECOM.WECOM_BOT_TOKEN,
  encodingAESKey: WECOM.WECOM_BOT_AES_KEY,
  receiveId: '',
});

let created = 1_700_000_000;

/** The decrypted XML WeCom would send for a text message. */
export function textXml(from: string, content: string, msgId: string): string {
  return `<xml><ToUserName><![CDATA[${WECOM.WECOM_CORP_ID}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${++created}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`;
}

/** The decrypted XML of a template_card_event (a button click). */
export function clickXml(from: string, eventKey: string, taskId: string): string {
  return `<xml><ToUserName><![CDATA[${WECOM.WECOM_CORP_ID}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${++created}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[${eventKey}]]></EventKey><TaskId><![CDATA[${taskId}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[click-rc]]></ResponseCode><AgentID>1000002</AgentID></xml>`;
}

/** Query and body of an encrypted callback POST, signed as WeCom signs it. */
export function sealed(plainXml: string, opts: { timestamp?: string; nonce?: string; crypto?: typeof app } = {}) {
  const c = opts.crypto ?? app;
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? String(Math.floor(Math.random() * 1e9));
  const encrypt = c.encrypt(plainXml);
  const signature = c.signature(timestamp, nonce, encrypt);
  return {
    query: `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`,
    body: `<xml><ToUserName><![CDATA[${WECOM.WECOM_CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
    encrypt,
    timestamp,
    nonce,
    signature,
  };
}

/** Verifies and decrypts a passive reply, returning its fields. */
export function openReply(xml: string): Record<string, string> {
  const outer = parseWecomXml(xml);
  if (app.signature(outer.TimeStamp!, outer.Nonce!, outer.Encrypt!) !== outer.MsgSignature)
    throw new Error('passive reply signature does not verify');
  return parseWecomXml(app.decrypt(outer.Encrypt!));
}

/** A file as the AI bot's `file.url` serves it: AES-256-CBC under the bot's key, IV its first 16 bytes, PKCS#7 to 32. */
export function encryptBotFile(plain: Buffer, encodingAESKey = WECOM.WECOM_BOT_AES_KEY): Buffer {
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]);
}
