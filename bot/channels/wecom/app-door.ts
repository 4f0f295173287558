import type Router from '@koa/router';
import type Koa from 'koa';
import type { Logger } from '../../../core/logger.js';
import type { ChannelRuntime, FileAttachment, IncomingMessage, Reply } from '../contract.js';
import { createCallbackCrypto, type CallbackCrypto } from '../../crypto/wecom-crypto.js';
import { handleWithDeadline, joinReplies, refuse } from '../../http-door.js';
import { answerEcho, callbackQuery, openCallback, type Envelope } from './callback-door.js';
import { wecomClient, type WecomClient } from './client.js';
import { settingsOf } from './config.js';
import { truncateBytes } from './replies.js';
import { buildPassiveReplyXml, buildTextReplyXml, buildUpdateButtonXml, parseWecomXml } from './xml.js';

type Fields = Record<string, string>;

/** The app's envelope: XML with an Encrypt element, whose plaintext is XML again. */
const XML_ENVELOPE: Envelope<Fields> = {
  sealed: (raw) => parseWecomXml(raw).Encrypt || undefined,
  missing: 'no Encrypt element',
  read: parseWecomXml,
};

/** What the message route needs, built once when the door is mounted. */
interface AppDoor {
  rt: ChannelRuntime;
  log: Logger;
  crypto: CallbackCrypto;
  corpId: string;
  client: WecomClient;
}

/** The WeCom self-built app door: URL verification, encrypted XML messages and card clicks. */
export function mountWecomApp(router: Router, rt: ChannelRuntime): void {
  const s = settingsOf(rt.core);
  if (!s.appCallback) return;
  const corpId = s.corpId!;
  const crypto = createCallbackCrypto({ token: s.token!, encodingAESKey: s.aesKey!, receiveId: corpId });
  const door: AppDoor = { rt, log: rt.log.child({ via: 'wecom-app' }), crypto, corpId, client: wecomClient(rt.core) };
  router.get('/webhooks/wecom', async function wecomVerify(ctx) {
    answerEcho(ctx, door.log, crypto);
  });
  router.post('/webhooks/wecom', function wecomMessage(ctx) {
    return answerMessage(ctx, door);
  });
}

/** Opens an encrypted message, runs it through the pipeline and answers with the sealed passive reply. */
async function answerMessage(ctx: Koa.Context, door: AppDoor): Promise<void> {
  const { rt, log } = door;
  const q = callbackQuery(ctx.query);
  const fields = await openCallback(ctx, log, door.crypto, q, XML_ENVELOPE);
  if (!fields) return;
  // Every message and event names its sender; without one there is nobody to answer.
  if (!fields.FromUserName || fields.FromUserName.length > 64) return refuse(ctx, log, 400, 'missing FromUserName');
  const msg = toIncoming(fields, (mediaId, name) => mediaFile(door.client, mediaId, name));
  const result = msg && (await handleWithDeadline({ ...rt, log }, msg));
  if (!msg || !result || !result.replies.length) {
    ctx.body = '';
    return;
  }
  const base = { toUser: fields.FromUserName, fromUser: door.corpId, createTime: Math.floor(Date.now() / 1000) };
  const plain = msg.buttonId
    ? await clickReplyXml(rt, msg, result, base)
    : buildTextReplyXml({ ...base, content: truncateBytes(joinReplies(result.replies), 2040) });
  ctx.type = 'application/xml';
  ctx.body = buildPassiveReplyXml(door.crypto.encryptReply(plain, q.timestamp, q.nonce));
}

/**
 * The passive reply's plaintext for a card click: it greys out the button with the outcome, and the
 * full text follows as a message (anything else gets the replies as one text).
 */
async function clickReplyXml(
  rt: ChannelRuntime,
  msg: IncomingMessage,
  result: { replies: Reply[]; duplicate: boolean },
  base: { toUser: string; fromUser: string; createTime: number },
): Promise<string> {
  const first = result.replies[0]!;
  if (!result.duplicate) await rt.replyLater(msg, result.replies);
  return buildUpdateButtonXml({
    ...base,
    replaceName: (first.title ?? first.text.split('\n')[0] ?? '已处理').slice(0, 20),
  });
}

/** A 临时素材 (media/get) as an attachment, named by the message or else by the download. */
function mediaFile(client: WecomClient, mediaId: string, name: string | undefined): FileAttachment {
  return {
    name: name?.trim() || null,
    download: async (maxBytes) => {
      const got = await client.getMedia(mediaId, maxBytes);
      return { data: got.data, name: name?.trim() || got.name };
    },
  };
}

/** Decrypted XML → IncomingMessage; null for events that need no answer. */
function toIncoming(
  f: Fields,
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
