import crypto from 'node:crypto';
import type { Core } from '../../../core/context.js';
import type { Logger } from '../../../core/logger.js';
import { ChannelSendError, type Reply, type SendResult, type Target } from '../contract.js';
import { apiClient, checkBody, dropClient, sendError, TOKEN_CODES } from './client.js';
import { settings, type FeishuSettings } from './config.js';
import { outcomeCard, renderReply, type Card } from './render.js';

const MESSAGE_ID = /^om_[0-9A-Za-z_-]{1,120}$/;
/** Users are addressed by open_id (see events.ts for why). */
const OPEN_ID = /^ou_[0-9A-Za-z_-]{1,120}$/;
const CHAT_ID = /^oc_[0-9A-Za-z_-]{1,120}$/;

/** Feishu dedupes `uuid` for an hour, up to 50 characters; longer outbox keys are hashed. */
function vendorUuid(key: string): string {
  return key.length <= 50 ? key : crypto.createHash('sha256').update(key).digest('hex').slice(0, 40);
}

function required(core: Core): FeishuSettings {
  const s = settings(core);
  if (!s) throw new ChannelSendError('feishu is not configured (FEISHU_APP_ID / FEISHU_APP_SECRET)', false);
  return s;
}

/** Runs one API call, turning every failure into a ChannelSendError and a stale token into a fresh client. */
async function call<T>(s: FeishuSettings, what: string, run: () => Promise<unknown>): Promise<T> {
  try {
    return checkBody<T>(what, await run());
  } catch (err) {
    const e = sendError(what, err);
    const code = /code (\d+)/.exec(e.message);
    if (code && TOKEN_CODES.has(Number(code[1]))) dropClient(s);
    throw e;
  }
}

type Where =
  | { kind: 'create'; receiveIdType: 'open_id' | 'chat_id'; receiveId: string }
  | { kind: 'reply'; messageId: string };

function resolve(s: FeishuSettings, target: Target): Where {
  if (target.kind === 'user') {
    if (!OPEN_ID.test(target.id))
      throw new ChannelSendError(`feishu: not a user open_id: ${target.id.slice(0, 40)}`, false);
    return { kind: 'create', receiveIdType: 'open_id', receiveId: target.id };
  }
  if (target.kind === 'group') {
    const id = target.id === 'default' ? s.groupChatId : target.id;
    if (!id)
      throw new ChannelSendError(
        'feishu: no group chat known (set FEISHU_GROUP_CHAT_ID or @ the bot in the team group once)',
        false,
      );
    if (!CHAT_ID.test(id)) throw new ChannelSendError(`feishu: not a chat_id: ${id.slice(0, 40)}`, false);
    return { kind: 'create', receiveIdType: 'chat_id', receiveId: id };
  }
  const h = target.handle;
  if (
    h.channel !== 'feishu' ||
    h.kind !== 'message' ||
    typeof h.messageId !== 'string' ||
    !MESSAGE_ID.test(h.messageId)
  ) {
    throw new ChannelSendError('feishu: reply handle is not a Feishu message', false);
  }
  return { kind: 'reply', messageId: h.messageId };
}

/** Sends one reply (text, or a card when it has buttons, links or a title); cards return their message_id as cardRef. */
export async function sendReply(core: Core, target: Target, reply: Reply, key: string): Promise<SendResult> {
  const s = required(core);
  const client = apiClient(s, core.logger);
  const where = resolve(s, target);
  const { msgType, content } = renderReply(reply);
  const uuid = vendorUuid(key);
  const data = await call<{ message_id?: string }>(
    s,
    where.kind === 'reply' ? 'im.message.reply' : 'im.message.create',
    () =>
      where.kind === 'reply'
        ? client.im.message.reply({ path: { message_id: where.messageId }, data: { msg_type: msgType, content, uuid } })
        : client.im.message.create({
            params: { receive_id_type: where.receiveIdType },
            data: { receive_id: where.receiveId, msg_type: msgType, content, uuid },
          }),
  );
  return { cardRef: msgType === 'interactive' ? (data.message_id ?? null) : null };
}

/** Replaces a sent card (PATCH /open-apis/im/v1/messages/:message_id); the card must have been sent with update_multi. */
export async function patchCard(core: Core, messageId: string, card: Card): Promise<void> {
  const s = required(core);
  if (!MESSAGE_ID.test(messageId)) throw new ChannelSendError('feishu: card ref is not a message_id', false);
  const client = apiClient(s, core.logger);
  await call(s, 'im.message.patch', () =>
    client.im.message.patch({ path: { message_id: messageId }, data: { content: JSON.stringify(card) } }),
  );
}

/** The contract's updateCard: the outcome text, buttons gone (a shared card, so everyone sees it). */
export async function updateCard(core: Core, cardRef: string, _userId: string, text: string): Promise<void> {
  await patchCard(core, cardRef, outcomeCard(text));
}

/** Logs a failed send without its content. */
export function logSendFailure(log: Logger, err: unknown, what: string): void {
  const e = err instanceof ChannelSendError ? err : sendError(what, err);
  log.warn({ err: e.message, retryable: e.retryable }, `feishu ${what} failed`);
}
