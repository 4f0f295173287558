import type { WSClient } from '@larksuiteoapi/node-sdk';
import type { Logger } from '../../../core/logger.js';
import type { ChannelRuntime, SocketReceiver } from '../contract.js';
import { httpInstance, sdkLogger } from './client.js';
import type { FeishuSettings } from './config.js';
import { feishuHandlers, type FeishuHandlers } from './dispatch.js';
import { lark } from './sdk.js';

/** start() gives up (and closes the client) when the first connection is not up by then. */
const START_TIMEOUT_MS = 30_000;

/** The SDK client's settings; `settle` hears whether the connection came up or failed for good. */
function clientOptions(
  s: FeishuSettings,
  log: Logger,
  settle: (err?: Error) => void,
): ConstructorParameters<typeof WSClient>[0] {
  return {
    appId: s.appId,
    appSecret: s.appSecret,
    domain: s.domain,
    httpInstance: httpInstance(),
    logger: sdkLogger(log),
    loggerLevel: lark().LoggerLevel.warn,
    handshakeTimeoutMs: 10_000,
    wsConfig: { pingTimeout: 30 },
    onReady: () => {
      log.info('feishu long connection up');
      settle();
    },
    onError: (err) => {
      // Before the first connect: bad credentials and the like. After it: retries exhausted.
      log.error({ err: err.message }, 'feishu long connection failed');
      settle(new Error(`feishu long connection failed: ${err.message}`));
    },
    onReconnecting: () => log.warn('feishu long connection lost, reconnecting'),
    onReconnected: () => log.info('feishu long connection back'),
  };
}

/**
 * The long connection: the SDK's WSClient (POST {domain}/callback/ws/endpoint with AppID/AppSecret
 * for a ws URL, then pbbp2 protobuf frames, acks carrying our answer). It reconnects by itself
 * after a disconnect; a ping unanswered for 30 s counts as a dead connection (NAT timeouts).
 */
export function feishuSocket(rt: ChannelRuntime, s: FeishuSettings): SocketReceiver {
  let ws: WSClient | null = null;
  let handlers: FeishuHandlers | null = null;
  const log = rt.log.child({ receiver: 'feishu-ws' });
  return {
    name: `feishu-ws:${s.appId}`,
    async start() {
      if (ws) return;
      const { WSClient } = lark();
      const h = feishuHandlers(rt, s);
      handlers = h;
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const settle = (err?: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (!err) return resolve();
          h.stop();
          client.close({ force: true });
          if (ws === client) ws = null;
          reject(err);
        };
        const timer = setTimeout(
          () => settle(new Error(`feishu long connection not up within ${START_TIMEOUT_MS / 1000} s`)),
          START_TIMEOUT_MS,
        );
        const client = new WSClient(clientOptions(s, log, settle));
        ws = client;
        void client.start({ eventDispatcher: h.dispatcher });
      });
    },
    async stop() {
      handlers?.stop();
      ws?.close({ force: true });
      ws = null;
      await handlers?.drain();
      handlers = null;
    },
  };
}
