import type Router from '@koa/router';
import type { ChannelRuntime } from '../contract.js';
import { verifyDingtalkRobotSign } from '../../crypto/dingtalk-sign.js';
import { readRawBody, refuse } from '../../http-door.js';
import { parseRobotCallback, robotMessage } from './callback.js';
import { settingsOf } from './config.js';

/**
 * The DingTalk app robot door (HTTP mode). The headers' HMAC sign is checked in constant time
 * within ±1 h; the answer goes back through the sessionWebhook via the outbox, so the HTTP
 * response is an immediate empty 200.
 */
export function mountDingtalk(router: Router, rt: ChannelRuntime): void {
  const settings = settingsOf(rt.core);
  if (settings.mode !== 'http' || !settings.appSecret) return;
  const appSecret = settings.appSecret;
  const log = rt.log.child({ via: 'dingtalk' });

  router.post('/webhooks/dingtalk', async function dingtalkMessage(ctx) {
    const check = verifyDingtalkRobotSign(
      { timestamp: ctx.get('timestamp'), sign: ctx.get('sign') },
      appSecret,
      Date.now(),
    );
    if (!check.ok) return refuse(ctx, log, 401, check.reason);
    let raw: string;
    try {
      raw = await readRawBody(ctx);
    } catch (err) {
      return refuse(ctx, log, (err as { status?: number }).status === 413 ? 413 : 400, 'unreadable body');
    }
    const parsed = parseRobotCallback(raw);
    if (!parsed.ok) return refuse(ctx, log, 400, parsed.reason);
    // The sign covers only the timestamp: a captured request can be replayed for an hour.
    const { msg, sessionIgnored } = robotMessage(rt.core, parsed.body, {
      via: 'dingtalk',
      correlationId: `dingtalk:${parsed.body.msgId}`,
      replayable: true,
    });
    if (sessionIgnored) log.warn({ correlationId: msg.correlationId }, 'sessionWebhook outside DingTalk ignored');
    ctx.status = 200;
    ctx.body = { msgtype: 'empty' };
    // Answer at once; the reply is queued and sent through the sessionWebhook.
    void rt
      .handle(msg)
      .then(async (r) => {
        if (!r.duplicate) await rt.replyLater(msg, r.replies);
      })
      .catch((err: unknown) => log.error({ err, correlationId: msg.correlationId }, 'dingtalk message failed'));
  });
}
