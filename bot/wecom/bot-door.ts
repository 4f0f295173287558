import type Router from '@koa/router';
import type { BotDeps } from '../commands/context.js';
import { CallbackCryptoError, createCallbackCrypto, type CallbackCrypto } from '../crypto/wecom-crypto.js';
import { FileFetchError, fetchFile } from '../files/fetch.js';
import { handleWithDeadline, joinReplies, readRawBody, refuse } from '../http-door.js';
import type { FileAttachment, IncomingMessage, Reply } from '../types.js';
import { truncateBytes } from './client.js';

interface BotCallback {
  msgid?: string;
  chatid?: string;
  chattype?: 'single' | 'group';
  from?: { userid?: string };
  msgtype?: string;
  text?: { content?: string };
  /** 1:1 only: a short-lived URL to the file, AES-encrypted with the bot's EncodingAESKey. */
  file?: { url?: string };
  event?: { eventtype?: string; template_card_event?: { event_key?: string; task_id?: string } };
}

/** The reply JSON: a finished stream message, or a button card. */
function replyJson(msgid: string, replies: Reply[]): Record<string, unknown> {
  const withButtons = replies.find((r) => r.buttons?.length);
  const text = truncateBytes(joinReplies(replies), 20_000);
  if (withButtons) {
    return {
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction', task_id: `steward-${msgid}`.replace(/[^0-9a-zA-Z_@-]/g, '_').slice(0, 128),
        main_title: { title: (withButtons.title ?? '客户管家').slice(0, 26) }, sub_title_text: text.slice(0, 500),
        button_list: withButtons.buttons!.slice(0, 6).map((b, i) => ({ text: b.text.slice(0, 10), style: i === 0 ? 1 : 2, key: b.id })),
      },
    };
  }
  return { msgtype: 'stream', stream: { id: `steward-${msgid}`.slice(0, 128), finish: true, content: text } };
}

/** The WeCom AI bot door (智能机器人): group @-mentions and 1:1, JSON envelopes, receiveid "". */
export function mountWecomBot(router: Router, deps: BotDeps): void {
  const { config } = deps.core;
  if (!config.WECOM_BOT_TOKEN || !config.WECOM_BOT_AES_KEY) return;
  const crypto = createCallbackCrypto({ token: config.WECOM_BOT_TOKEN, encodingAESKey: config.WECOM_BOT_AES_KEY, receiveId: '' });
  const log = deps.core.logger.child({ door: 'wecom-bot' });
  const query = (q: Record<string, unknown>) => ({ msg_signature: String(q.msg_signature ?? ''), timestamp: String(q.timestamp ?? ''), nonce: String(q.nonce ?? '') });

  router.get('/webhooks/wecom-bot', async function wecomBotVerify(ctx) {
    try {
      ctx.type = 'text/plain';
      ctx.body = crypto.verifyAndDecrypt(query(ctx.query), String(ctx.query.echostr ?? '').replace(/ /g, '+'));
    } catch (err) {
      refuse(ctx, log, err instanceof CallbackCryptoError && err.code === -40001 ? 401 : 400, (err as Error).message);
    }
  });

  router.post('/webhooks/wecom-bot', async function wecomBotMessage(ctx) {
    const q = query(ctx.query);
    let body: BotCallback;
    try {
      if (Math.abs(Date.now() - Number(q.timestamp) * 1000) > 3600_000) return refuse(ctx, log, 401, 'stale timestamp');
      const envelope = JSON.parse(await readRawBody(ctx)) as { encrypt?: unknown };
      if (typeof envelope?.encrypt !== 'string') return refuse(ctx, log, 400, 'no encrypt field');
      // msgid is kept as text: it is parsed from a JSON string, never a number.
      body = JSON.parse(crypto.verifyAndDecrypt(q, envelope.encrypt)) as BotCallback;
    } catch (err) {
      if ((err as { status?: number }).status === 413) return refuse(ctx, log, 413, 'body too large');
      return refuse(ctx, log, err instanceof CallbackCryptoError && err.code === -40001 ? 401 : 400, (err as Error).message);
    }
    const userId = body.from?.userid;
    if (!userId || !body.msgid) return refuse(ctx, log, 400, 'missing from.userid or msgid');
    const click = body.event?.eventtype === 'template_card_event' ? body.event.template_card_event?.event_key : undefined;
    if (body.msgtype === 'event' && !click) {
      ctx.body = '';
      return;
    }
    const msg: IncomingMessage = {
      door: 'wecom', via: 'wecom-bot', messageKey: String(body.msgid), userId, chatType: body.chattype === 'group' ? 'group' : 'direct',
      conversationId: body.chatid, text: body.msgtype === 'text' ? body.text?.content ?? '' : '', ...(click ? { buttonId: click } : {}),
      ...(body.msgtype === 'file' && body.file?.url ? { file: botFile(crypto, body.file.url) } : {}),
    };
    const result = await handleWithDeadline(deps, msg);
    if (!result || !result.replies.length) {
      ctx.body = '';
      return;
    }
    const sealed = crypto.encryptReply(JSON.stringify(replyJson(String(body.msgid), result.replies)), q.timestamp, q.nonce);
    ctx.body = { encrypt: sealed.encrypt, msgsignature: sealed.signature, timestamp: Number(sealed.timestamp), nonce: sealed.nonce };
  });
}

/**
 * A file sent to the AI bot in a 1:1 chat (msgtype "file", 接收消息 → 结构体说明 → 文件): `file.url`
 * is short-lived and serves the file AES-256-CBC encrypted with the bot's EncodingAESKey (IV = the
 * key's first 16 bytes, PKCS#7 padded to 32). The callback carries no name; it comes from the
 * download's Content-Disposition. https://developer.work.weixin.qq.com/document/path/100719
 */
function botFile(crypto: CallbackCrypto, url: string): FileAttachment {
  return {
    name: null,
    async download(maxBytes) {
      // Padding adds at most 32 bytes to the ciphertext.
      const got = await fetchFile(url, { maxBytes: maxBytes + 32 });
      let data: Buffer;
      try {
        data = crypto.decryptFile(got.data);
      } catch (err) {
        throw new FileFetchError('decrypt', (err as Error).message);
      }
      if (data.length > maxBytes) throw new FileFetchError('too-large', `decrypted file is ${data.length} bytes`);
      return { data, name: got.name };
    },
  };
}
