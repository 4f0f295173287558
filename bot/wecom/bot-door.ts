import type Router from '@koa/router';
import type { BotDeps } from '../commands/context.js';
import { CallbackCryptoError, createCallbackCrypto, type CallbackCrypto } from '../crypto/wecom-crypto.js';
import { FileFetchError, fetchFile } from '../files/fetch.js';
import { handleWithDeadline, joinReplies, readRawBody, refuse, staleTimestamp } from '../http-door.js';
import type { FileAttachment, IncomingMessage, Reply } from '../types.js';
import { isWecomUrl } from '../messenger-hosts.js';
import { parseBotCallback, type BotCallback } from './bot-callback.js';
import { truncateBytes } from './client.js';

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

/**
 * The passive answer to a card click (path/101031, 回复消息更新模板卡片): the clicker's card is
 * replaced by one showing the outcome, its button greyed out with `replace_text`, so it cannot be
 * pressed again. The full answer is in the card's text.
 */
function cardUpdateJson(body: BotCallback, replies: Reply[]): Record<string, unknown> {
  const first = replies[0]!;
  const outcome = (first.title ?? first.text.split('\n')[0] ?? '已处理').slice(0, 10) || '已处理';
  const click = body.event?.template_card_event;
  return {
    response_type: 'update_template_card',
    userids: [body.from.userid],
    template_card: {
      card_type: 'button_interaction',
      task_id: (click?.task_id || `steward-${body.msgid}`).replace(/[^0-9a-zA-Z_@-]/g, '_').slice(0, 128),
      main_title: { title: (first.title ?? '客户管家').slice(0, 26) },
      sub_title_text: truncateBytes(joinReplies(replies), 1000),
      button_list: [{ text: outcome, style: 2, key: 'steward-done' }],
      replace_text: outcome,
    },
  };
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
    let plain: string;
    try {
      const stale = staleTimestamp(q.timestamp, Date.now());
      if (stale) return refuse(ctx, log, 401, stale);
      const envelope = JSON.parse(await readRawBody(ctx)) as { encrypt?: unknown } | null;
      if (typeof envelope?.encrypt !== 'string') return refuse(ctx, log, 400, 'no encrypt field');
      plain = crypto.verifyAndDecrypt(q, envelope.encrypt);
    } catch (err) {
      if ((err as { status?: number }).status === 413) return refuse(ctx, log, 413, 'body too large');
      return refuse(ctx, log, err instanceof CallbackCryptoError && err.code === -40001 ? 401 : 400, (err as Error).message);
    }
    // Authentic but not the shape we read: a 400, which WeCom retries a few times, harmlessly (nothing was written).
    const parsed = parseBotCallback(plain);
    if (!parsed.ok) return refuse(ctx, log, 400, parsed.reason);
    const body = parsed.body;
    const cardEvent = body.msgtype === 'event' && body.event?.eventtype === 'template_card_event' ? body.event.template_card_event : undefined;
    const click = typeof cardEvent?.event_key === 'string' && cardEvent.event_key ? cardEvent.event_key : undefined;
    if (body.msgtype === 'event' && !click) {
      ctx.body = '';
      return;
    }
    const responseUrl = isWecomUrl(deps.core, body.response_url) ? body.response_url : undefined;
    if (body.response_url && !responseUrl) log.warn({ msgId: body.msgid }, 'response_url outside WeCom ignored');
    const msg: IncomingMessage = {
      door: 'wecom', via: 'wecom-bot', messageKey: body.msgid, userId: body.from.userid, chatType: body.chattype === 'group' ? 'group' : 'direct',
      conversationId: body.chatid, text: body.msgtype === 'text' ? body.text?.content ?? '' : '', ...(click ? { buttonId: click } : {}),
      ...(body.msgtype === 'file' && body.file?.url ? { file: botFile(crypto, body.file.url) } : {}),
      replyVia: responseUrl ? { responseUrl } : {},
    };
    const result = await handleWithDeadline(deps, msg);
    if (!result || !result.replies.length) {
      ctx.body = '';
      return;
    }
    const reply = click ? cardUpdateJson(body, result.replies) : replyJson(body.msgid, result.replies);
    const sealed = crypto.encryptReply(JSON.stringify(reply), q.timestamp, q.nonce);
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
