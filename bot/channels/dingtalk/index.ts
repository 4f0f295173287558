import type { Channel } from '../contract.js';
import { configureDingtalk, settingsOf } from './config.js';
import { mountDingtalk } from './door.js';
import { canDeliverCard, cardOutTrackId, sendInteractiveCard } from './interactive-card.js';
import { dingtalkReachable, sendDingtalk } from './send.js';
import { dingtalkStreamReceivers } from './stream.js';

/**
 * DingTalk 钉钉: the app robot (1:1 and group @-mentions, answered through the message's
 * sessionWebhook, else the OpenAPI) in Stream (long connection) or HTTP mode, and the custom group
 * robot for notices. Its plain cards cannot call back, so approvals carry signed page links; in
 * Stream mode with DINGTALK_CARD_TEMPLATE_ID a reply with buttons (a confirmation) becomes an
 * interactive card whose presses come back over the long connection.
 */
export const dingtalk: Channel = {
  id: 'dingtalk',
  label: '钉钉',
  capabilities: { modes: ['stream', 'http'], buttons: false, updateCard: false, groupPush: true, files: true },
  configure: configureDingtalk,
  routes(router, rt) {
    mountDingtalk(router, rt);
  },
  sockets: (rt) => (settingsOf(rt.core).mode === 'stream' ? dingtalkStreamReceivers(rt) : []),
  async send(core, target, reply, key) {
    const s = settingsOf(core);
    // Card presses call back only over the Stream connection: in HTTP mode buttons stay a text list.
    if (reply.buttons?.length && s.cardTemplateId && s.mode === 'stream' && s.api && canDeliverCard(target)) {
      return sendInteractiveCard(core, target, reply, cardOutTrackId(key));
    }
    return sendDingtalk(core, target, reply);
  },
  reachable: dingtalkReachable,
};
