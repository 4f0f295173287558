import type Router from '@koa/router';
import type Koa from 'koa';
import type { Logger } from '../../../core/logger.js';
import type { ChannelRuntime, FileAttachment, IncomingMessage } from '../contract.js';
import { createCallbackCrypto, type CallbackCrypto, type EncryptedReply } from '../../crypto/wecom-crypto.js';
import { FileFetchError, fetchFile } from '../../files/fetch.js';
import { handleWithDeadline, refuse } from '../../http-door.js';
import { parseBotCallback, type BotCallback } from './bot-callback.js';
import { answerEcho, callbackQuery, openCallback, type Envelope } from './callback-door.js';
import { isWecomUrl, settingsOf } from './config.js';
import { responseUrlHandle } from './handles.js';
import { cardUpdateBody, respondBody } from './replies.js';

/** The AI bot's envelope: JSON with an `encrypt` field, whose plaintext is read by parseBotCallback. */
const JSON_ENVELOPE: Envelope<string> = {
  sealed: (raw) => {
    const envelope = JSON.parse(raw) as { encrypt?: unknown } | null;
    return typeof envelope?.encrypt === 'string' ? envelope.encrypt : undefined;
  },
  missing: 'no encrypt field',
  read: (plain) => plain,
};

/** What the message route needs, built once when the door is mounted. */
interface BotDoor {
  rt: ChannelRuntime;
  log: Logger;
  crypto: CallbackCrypto;
}

/** A click on a template card: the button's key and the card's task id. */
interface Click {
  key: string;
  taskId: string | undefined;
}

/** The WeCom AI bot door (智能机器人): group @-mentions and 1:1, JSON envelopes, receiveid "". */
export function mountWecomBot(router: Router, rt: ChannelRuntime): void {
  const s = settingsOf(rt.core);
  if (!s.aiBot) return;
  const crypto = createCallbackCrypto({ token: s.botToken!, encodingAESKey: s.botAesKey!, receiveId: '' });
  const door: BotDoor = { rt, log: rt.log.child({ via: 'wecom-bot' }), crypto };
  router.get('/webhooks/wecom-bot', async function wecomBotVerify(ctx) {
    answerEcho(ctx, door.log, crypto);
  });
  router.post('/webhooks/wecom-bot', async function wecomBotMessage(ctx) {
    await answerBotMessage(ctx, door);
  });
}

/** Opens an encrypted callback, runs it through the pipeline and answers with the sealed JSON reply. */
async function answerBotMessage(ctx: Koa.Context, door: BotDoor): Promise<void> {
  const { rt, log } = door;
  const q = callbackQuery(ctx.query);
  const plain = await openCallback(ctx, log, door.crypto, q, JSON_ENVELOPE);
  if (plain === null) return;
  // Authentic but not the shape we read: a 400, which WeCom retries a few times, harmlessly (nothing was written).
  const parsed = parseBotCallback(plain);
  if (!parsed.ok) return refuse(ctx, log, 400, parsed.reason);
  const body = parsed.body;
  const click = clickOf(body);
  // An event other than a card click needs no answer.
  if (body.msgtype === 'event' && !click) {
    ctx.body = '';
    return;
  }
  const result = await handleWithDeadline({ ...rt, log }, botMessage(door, body, click));
  if (!result || !result.replies.length) {
    ctx.body = '';
    return;
  }
  const reply = click
    ? cardUpdateBody(body.from.userid, body.msgid, click.taskId, result.replies)
    : respondBody(body.msgid, result.replies);
  ctx.body = sealedJson(door.crypto.encryptReply(JSON.stringify(reply), q.timestamp, q.nonce));
}

/** The button a card event clicked; undefined for any other callback (and for other events). */
function clickOf(body: BotCallback): Click | undefined {
  if (body.msgtype !== 'event' || body.event?.eventtype !== 'template_card_event') return undefined;
  const cardEvent = body.event.template_card_event;
  const key = cardEvent?.event_key;
  return typeof key === 'string' && key ? { key, taskId: cardEvent?.task_id } : undefined;
}

/** A callback as the pipeline's message; a response_url outside WeCom is not trusted. */
function botMessage(door: BotDoor, body: BotCallback, click: Click | undefined): IncomingMessage {
  const correlationId = `wecom-bot:${body.msgid}`;
  const responseUrl = isWecomUrl(door.rt.core, body.response_url) ? body.response_url : undefined;
  if (body.response_url && !responseUrl) door.log.warn({ correlationId }, 'response_url outside WeCom ignored');
  return {
    channel: 'wecom',
    via: 'wecom-bot',
    messageKey: body.msgid,
    correlationId,
    userId: body.from.userid,
    chatType: body.chattype === 'group' ? 'group' : 'direct',
    conversationId: body.chatid,
    text: body.msgtype === 'text' ? (body.text?.content ?? '') : '',
    ...(click ? { buttonId: click.key } : {}),
    ...(body.msgtype === 'file' && body.file?.url ? { file: botFile(door.crypto, body.file.url) } : {}),
    ...(responseUrl ? { reply: responseUrlHandle(responseUrl) } : {}),
  };
}

/** The reply envelope WeCom expects: the sealed text, its signature, and the request's timestamp and nonce. */
function sealedJson(sealed: EncryptedReply): Record<string, unknown> {
  return {
    encrypt: sealed.encrypt,
    msgsignature: sealed.signature,
    timestamp: Number(sealed.timestamp),
    nonce: sealed.nonce,
  };
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
