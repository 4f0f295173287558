import type Router from '@koa/router';
import type { ChannelRuntime, FileAttachment, IncomingMessage } from '../contract.js';
import { CallbackCryptoError, createCallbackCrypto, type CallbackCrypto } from '../../crypto/wecom-crypto.js';
import { FileFetchError, fetchFile } from '../../files/fetch.js';
import { handleWithDeadline, readRawBody, refuse, staleTimestamp } from '../../http-door.js';
import { parseBotCallback } from './bot-callback.js';
import { isWecomUrl, settingsOf } from './config.js';
import { responseUrlHandle } from './handles.js';
import { cardUpdateBody, respondBody } from './replies.js';

/** The WeCom AI bot door (智能机器人): group @-mentions and 1:1, JSON envelopes, receiveid "". */
export function mountWecomBot(router: Router, rt: ChannelRuntime): void {
  const s = settingsOf(rt.core);
  if (!s.aiBot) return;
  const crypto = createCallbackCrypto({ token: s.botToken!, encodingAESKey: s.botAesKey!, receiveId: '' });
  const log = rt.log.child({ via: 'wecom-bot' });
  const query = (q: Record<string, unknown>) => ({
    msg_signature: String(q.msg_signature ?? ''),
    timestamp: String(q.timestamp ?? ''),
    nonce: String(q.nonce ?? ''),
  });

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
      return refuse(
        ctx,
        log,
        err instanceof CallbackCryptoError && err.code === -40001 ? 401 : 400,
        (err as Error).message,
      );
    }
    // Authentic but not the shape we read: a 400, which WeCom retries a few times, harmlessly (nothing was written).
    const parsed = parseBotCallback(plain);
    if (!parsed.ok) return refuse(ctx, log, 400, parsed.reason);
    const body = parsed.body;
    const cardEvent =
      body.msgtype === 'event' && body.event?.eventtype === 'template_card_event'
        ? body.event.template_card_event
        : undefined;
    const click = typeof cardEvent?.event_key === 'string' && cardEvent.event_key ? cardEvent.event_key : undefined;
    if (body.msgtype === 'event' && !click) {
      ctx.body = '';
      return;
    }
    const correlationId = `wecom-bot:${body.msgid}`;
    const responseUrl = isWecomUrl(rt.core, body.response_url) ? body.response_url : undefined;
    if (body.response_url && !responseUrl) log.warn({ correlationId }, 'response_url outside WeCom ignored');
    const msg: IncomingMessage = {
      channel: 'wecom',
      via: 'wecom-bot',
      messageKey: body.msgid,
      correlationId,
      userId: body.from.userid,
      chatType: body.chattype === 'group' ? 'group' : 'direct',
      conversationId: body.chatid,
      text: body.msgtype === 'text' ? (body.text?.content ?? '') : '',
      ...(click ? { buttonId: click } : {}),
      ...(body.msgtype === 'file' && body.file?.url ? { file: botFile(crypto, body.file.url) } : {}),
      ...(responseUrl ? { reply: responseUrlHandle(responseUrl) } : {}),
    };
    const result = await handleWithDeadline({ ...rt, log }, msg);
    if (!result || !result.replies.length) {
      ctx.body = '';
      return;
    }
    const reply = click
      ? cardUpdateBody(body.from.userid, body.msgid, cardEvent?.task_id, result.replies)
      : respondBody(body.msgid, result.replies);
    const sealed = crypto.encryptReply(JSON.stringify(reply), q.timestamp, q.nonce);
    ctx.body = {
      encrypt: sealed.encrypt,
      msgsignature: sealed.signature,
      timestamp: Number(sealed.timestamp),
      nonce: sealed.nonce,
    };
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
