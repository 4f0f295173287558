import type Router from '@koa/router';
import type { BotDeps } from '../commands/context.js';
import { verifyDingtalkRobotSign } from '../crypto/dingtalk-sign.js';
import { readRawBody, refuse } from '../http-door.js';
import { handleMessage } from '../pipeline.js';
import type { FileAttachment, IncomingMessage } from '../types.js';
import { isDingtalkUrl } from '../messenger-hosts.js';
import { parseRobotCallback, type RobotCallback } from './callback.js';
import { DingtalkClient } from './client.js';

/**
 * The DingTalk app robot door (HTTP mode). The headers' HMAC sign is checked in constant time
 * within ±1 h; the answer goes back through the sessionWebhook via the outbox, so the HTTP
 * response is an immediate empty 200.
 */
export function mountDingtalk(router: Router, deps: BotDeps, kick: () => void): void {
  const { config } = deps.core;
  if (!config.DINGTALK_APP_SECRET) return;
  const log = deps.core.logger.child({ door: 'dingtalk' });
  const client = new DingtalkClient(deps.core);
  const fileFor = (body: RobotCallback): FileAttachment | undefined => {
    const code = body.msgtype === 'file' ? body.content?.downloadCode : undefined;
    if (!code) return undefined;
    const name = body.content?.fileName?.trim() || null;
    const robotCode = config.DINGTALK_ROBOT_CODE ?? body.robotCode ?? '';
    return {
      name,
      download: async (maxBytes) => {
        const got = await client.downloadMessageFile(code, robotCode, maxBytes);
        return { data: got.data, name: name ?? got.name };
      },
    };
  };

  router.post('/webhooks/dingtalk', async function dingtalkMessage(ctx) {
    const check = verifyDingtalkRobotSign({ timestamp: ctx.get('timestamp'), sign: ctx.get('sign') }, config.DINGTALK_APP_SECRET!, Date.now());
    if (!check.ok) return refuse(ctx, log, 401, check.reason);
    let raw: string;
    try {
      raw = await readRawBody(ctx);
    } catch (err) {
      return refuse(ctx, log, (err as { status?: number }).status === 413 ? 413 : 400, 'unreadable body');
    }
    const parsed = parseRobotCallback(raw);
    if (!parsed.ok) return refuse(ctx, log, 400, parsed.reason);
    const body = parsed.body;
    // The sign covers only the timestamp, so the body's URL is not authentic: DingTalk's own hosts
    // only; otherwise the answer goes through the OpenAPI and nothing is posted to that URL.
    const session = isDingtalkUrl(deps.core, body.sessionWebhook) ? body.sessionWebhook : undefined;
    if (body.sessionWebhook && !session) log.warn({ msgId: body.msgId }, 'sessionWebhook outside DingTalk ignored');
    const msg: IncomingMessage = {
      door: 'dingtalk', via: 'dingtalk', messageKey: String(body.msgId), userId: body.senderStaffId, userName: body.senderNick,
      chatType: body.conversationType === '2' ? 'group' : 'direct', conversationId: body.conversationId,
      text: body.msgtype === 'text' ? body.text?.content ?? '' : '',
      replyVia: session ? { sessionWebhook: session, sessionWebhookExpiresAt: body.sessionWebhookExpiredTime } : {},
    };
    const file = fileFor(body);
    if (file) msg.file = file;
    ctx.status = 200;
    ctx.body = { msgtype: 'empty' };
    // Answer at once; the reply is queued and sent through the sessionWebhook.
    void handleMessage(deps, msg)
      .then(async (r) => {
        if (!r.duplicate) await deps.notifier.replyLater(msg, r.replies, r.operator?.id ?? null);
        kick();
      })
      .catch((err: unknown) => log.error({ err, msgId: msg.messageKey }, 'dingtalk message failed'));
  });
}
