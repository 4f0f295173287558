import type { Channel } from '../contract.js';
import { wecomAibotReceivers } from './aibot-socket.js';
import { mountWecomApp } from './app-door.js';
import { mountWecomBot } from './bot-door.js';
import { configureWecom } from './config.js';
import { sendWecom, updateWecomCard, wecomReachable } from './send.js';

/**
 * WeCom 企业微信: the self-built app (1:1, button cards, card updates), the AI bot 智能机器人 (group
 * @-mentions and 1:1, by HTTP callback answered through response_url, or over its long connection)
 * and the group push webhook. One identity namespace (the WeCom userid); `via` tells 'wecom-app',
 * 'wecom-bot' and 'wecom-socket' apart.
 */
export const wecom: Channel = {
  id: 'wecom',
  label: '企业微信',
  capabilities: { modes: ['http', 'socket'], buttons: true, updateCard: true, groupPush: true, files: true },
  configure: configureWecom,
  routes(router, rt) {
    mountWecomApp(router, rt);
    mountWecomBot(router, rt);
  },
  // The AI bot long connection (WECOM_BOT_ID / WECOM_BOT_SECRET); none when it is not configured.
  sockets: (rt) => wecomAibotReceivers(rt),
  send: sendWecom,
  updateCard: updateWecomCard,
  reachable: wecomReachable,
};
