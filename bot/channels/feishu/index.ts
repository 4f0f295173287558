import type { Channel } from '../contract.js';
import { configure, settings } from './config.js';
import { mountFeishuHttp } from './http.js';
import { sendReply, updateCard } from './send.js';
import { feishuSocket } from './socket.js';

/**
 * Feishu / Lark (飞书): a self-built app's bot. Long connection by default (FEISHU_MODE=ws, no public
 * URL needed), or the HTTP event callback (FEISHU_MODE=http). Users are open_ids (see events.ts).
 */
export const feishu: Channel = {
  id: 'feishu',
  label: '飞书',
  capabilities: { modes: ['ws', 'http'], buttons: true, updateCard: true, groupPush: true, files: true },
  configure,
  routes(router, rt) {
    mountFeishuHttp(router, rt);
  },
  sockets(rt) {
    const s = settings(rt.core);
    return s && s.mode === 'ws' ? [feishuSocket(rt, s)] : [];
  },
  send: sendReply,
  updateCard,
};
