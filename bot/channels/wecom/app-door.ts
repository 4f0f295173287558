import type Router from '@koa/router';
import type { ChannelRuntime, FileAttachment, IncomingMessage } from '../contract.js';
import { CallbackCryptoError, createCallbackCrypto, type CallbackCrypto } from '../../crypto/wecom-crypto.js';
import { handleWithDeadline, joinReplies, readRawBody, refuse, staleTimestamp } from '../../http-door.js';
import { wecomClient } from './client.js';
import { settingsOf } from './config.js';
import { truncateBytes } from './replies.js';
import { buildPassiveReplyXml, buildTextReplyXml, buildUpdateButtonXml, parseWecomXml } from './xml.js';

/** Koa decodes a raw '+' in the query as a space; base64 never has spaces, so put them back. */
const plus = (v: unknown) => String(v ?? '').replace(/ /g, '+');

/** The WeCom self-built app door: URL verification, encrypted XML messages and card clicks. */
export function mountWecomApp(router: Router, rt: ChannelRuntime): void {
  const s = settingsOf(rt.core);
  if (!s.appCallback) return;
  const corpId = s.corpId!;
  const crypto: CallbackCrypto = createCallbackCrypto({
    token: s.token!,
    encodingAESKey: s.aesKey!,
    receiveId: corpId,
  });
  const log = rt.log.child({ via: 'wecom-app' });
  const client = wecomClient(rt.core);
  const fileFor = (mediaId: string, name: string | undefined): FileAttachment => ({
    name: name?.trim() || null,
    download: async (maxBytes) => {
      const got = await client.getMedia(mediaId, maxBytes);
      return { data: got.data, name: name?.trim() || got.name };
    },
  });

  router.get('/webhooks/wecom', async function wecomVerify(ctx) {
    const q = ctx.query;
    try {
      const echo = crypto.verifyAndDecrypt(
        {
          msg_signature: String(q.msg_signature ?? ''),
          timestamp: String(q.timestamp ?? ''),
          nonce: String(q.nonce ?? ''),
        },
        plus(q.echostr),
      );
      ctx.type = 'text/plain';
      ctx.body = echo;
    } catch (err) {
      refuse(ctx, log, err instanceof CallbackCryptoError && err.code === -40001 ? 401 : 400, (err as Error).message);
    }
  });

  router.post('/webhooks/wecom', async function wecomMessage(ctx) {
    const q = {
      msg_signature: String(ctx.query.msg_signature ?? ''),
      timestamp: String(ctx.query.timestamp ?? ''),
      nonce: String(ctx.query.nonce ?? ''),
    };
    let fields: Record<string, string>;
    try {
      const stale = staleTimestamp(q.timestamp, Date.now());
      if (stale) return refuse(ctx, log, 401, stale);
      const envelope = parseWecomXml(await readRawBody(ctx));
      if (!envelope.Encrypt) return refuse(ctx, log, 400, 'no Encrypt element');
      fields = parseWecomXml(crypto.verifyAndDecrypt(q, envelope.Encrypt));
    } catch (err) {
      if ((err as { status?: number }).status === 413) return refuse(ctx, log, 413, 'body too large');
      return refuse(
        ctx,
        log,
        err instanceof CallbackCryptoError && err.code === -40001 ? 401 : 400,
        (err as Error).message,
      );
    }
    // Every message and event names its sender; without one there is nobody to answer.
    if (!fields.FromUserName || fields.FromUserName.length > 64) return refuse(ctx, log, 400, 'missing FromUserName');
    const msg = toIncoming(fields, fileFor);
    if (!msg) {
      ctx.body = '';
      return;
    }
    const result = await handleWithDeadline({ ...rt, log }, msg);
    if (!result || !result.replies.length) {
      ctx.body = '';
      return;
    }
    const base = { toUser: fields.FromUserName ?? '', fromUser: corpId, createTime: Math.floor(Date.now() / 1000) };
    let plain: string;
    if (msg.buttonId) {
      // A click greys out the button with the outcome; the full text follows as a message.
      const first = result.replies[0]!;
      plain = buildUpdateButtonXml({
        ...base,
        replaceName: (first.title ?? first.text.split('\n')[0] ?? '已处理').slice(0, 20),
      });
      if (!result.duplicate) await rt.replyLater(msg, result.replies);
    } else {
      plain = buildTextReplyXml({ ...base, content: truncateBytes(joinReplies(result.replies), 2040) });
    }
    const sealed = crypto.encryptReply(plain, q.timestamp, q.nonce);
    ctx.type = 'application/xml';
    ctx.body = buildPassiveReplyXml(sealed);
  });
}

/** Decrypted XML → IncomingMessage; null for events that need no answer. */
function toIncoming(
  f: Record<string, string>,
  fileFor: (mediaId: string, name: string | undefined) => FileAttachment,
): IncomingMessage | null {
  const msgKey = `msg:${f.MsgId ?? `${f.FromUserName}:${f.CreateTime}`}`;
  const base = { channel: 'wecom', via: 'wecom-app', userId: f.FromUserName ?? '', chatType: 'direct' as const };
  const keyed = (messageKey: string) => ({ ...base, messageKey, correlationId: `wecom-app:${messageKey}` });
  if (f.MsgType === 'text') return { ...keyed(msgKey), text: f.Content ?? '' };
  // Best effort: the app-callback doc lists only text/image/voice/video/location/link
  // (https://developer.work.weixin.qq.com/document/path/90239); should a "file" arrive with a
  // MediaId, it is fetched like any 临时素材 (media/get), its name from FileName or the download.
  if (f.MsgType === 'file' && f.MediaId) {
    return { ...keyed(msgKey), text: '', file: fileFor(f.MediaId, f.FileName) };
  }
  if (f.MsgType === 'event' && (f.Event === 'template_card_event' || f.Event === 'template_card_menu_event')) {
    return {
      ...keyed(`evt:${f.FromUserName}:${f.CreateTime}:${f.TaskId ?? ''}`),
      text: '',
      buttonId: f.EventKey ?? '',
    };
  }
  if (f.MsgType && f.MsgType !== 'event') return { ...keyed(msgKey), text: '' };
  return null;
}
