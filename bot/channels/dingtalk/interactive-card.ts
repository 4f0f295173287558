import { createHash } from 'node:crypto';
import type { Core } from '../../../core/context.js';
import { ChannelSendError, type Reply, type SendResult, type Target } from '../contract.js';
import { toSendError } from '../../http-client.js';
import { dingtalkClient } from './client.js';
import { settingsOf, type DingtalkSettings } from './config.js';
import { sessionOf, type DingtalkChat } from './handles.js';

/*
 * Interactive cards (互动卡片) with callback buttons: approve/reject in the chat itself.
 *
 * The template named by DINGTALK_CARD_TEMPLATE_ID (built and published on
 * card.dingtalk.com/card-builder) must declare these string variables and components:
 *   - `title`: the header;
 *   - `text`: a Markdown component, the body (@-mentions and link buttons are at its end);
 *   - `outcome`: a Markdown component shown once somebody pressed a button (empty until then);
 *   - six buttons, N = 1..6: label `${btnNText}`; visible when `btnNText` is not empty and
 *     `outcome` is empty; action 回传请求 (callback request) with params `{"buttonId": "${btnNId}"}`.
 * Unused buttons get empty strings. A press arrives on the Stream topic
 * /v1.0/card/instances/callback with content {"cardPrivateData":{"params":{"buttonId":"…"}}}
 * (`params.action` is read too, the convention of DingTalk's own examples).
 */

/** Buttons one card can carry (the most the pipeline offers: 6 picks). */
export const CARD_BUTTONS = 6;

/** The template parameters for a reply; every value a string, as the card API requires. */
export function cardParamMap(reply: Reply): Record<string, string> {
  const links = (reply.links ?? []).map((l) => `[${l.text}](${l.url})`).join('  ');
  const mentions = (reply.mentions ?? []).map((u) => `@${u}`).join(' ');
  const params: Record<string, string> = {
    title: reply.title ?? '客户管家',
    text: [reply.text, links, mentions].filter(Boolean).join('\n\n'),
    outcome: '',
  };
  for (let n = 1; n <= CARD_BUTTONS; n++) {
    const b = reply.buttons?.[n - 1];
    params[`btn${n}Id`] = b?.id ?? '';
    params[`btn${n}Text`] = b?.text ?? '';
  }
  return params;
}

/** The parameters that replace a card's buttons with the outcome of a press. */
export function outcomeParamMap(text: string): Record<string, string> {
  const params: Record<string, string> = { outcome: text };
  for (let n = 1; n <= CARD_BUTTONS; n++) params[`btn${n}Text`] = '';
  return params;
}

/** The answer to a card callback frame (through socketCallBackResponse) that updates the card at once. */
export function cardUpdateResponse(text: string): Record<string, unknown> {
  return {
    cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
    cardData: { cardParamMap: outcomeParamMap(text) },
    userPrivateData: { cardParamMap: {} },
  };
}

/** A card's outTrackId from an outbox key: stable across retries, so DingTalk refuses a second copy. */
export function cardOutTrackId(key: string): string {
  return `steward-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/** The chat a card goes to: the robot's 1:1 chat with a user, or a group by openConversationId. */
function spaceOf(target: Target): DingtalkChat | null {
  const space = target.kind === 'reply' ? (sessionOf(target.handle)?.chat ?? null) : target;
  // 'default' is the channel's team group (the custom robot): a card cannot be delivered there.
  if (!space || !space.id || (space.kind === 'group' && (space.id === 'default' || space.id === 'webhook')))
    return null;
  return space;
}

/** Whether `target` names a chat a card can be delivered to (a group's real id, a user, a session handle). */
export function canDeliverCard(target: Target): boolean {
  return spaceOf(target) !== null;
}

/** The createAndDeliver fields that say where the card goes, and whom it @-mentions in a group. */
function delivery(space: DingtalkChat, s: DingtalkSettings, reply: Reply): Record<string, unknown> {
  if (space.kind === 'user')
    return { openSpaceId: `dtv1.card//IM_ROBOT.${space.id}`, imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' } };
  const mentions = reply.mentions ?? [];
  return {
    openSpaceId: `dtv1.card//IM_GROUP.${space.id}`,
    imGroupOpenDeliverModel: {
      robotCode: s.robotCode,
      ...(mentions.length ? { atUserIds: Object.fromEntries(mentions.map((u) => [u, u])) } : {}),
    },
  };
}

/**
 * Creates and delivers an interactive card (`POST /v1.0/card/instances/createAndDeliver`,
 * callbackType STREAM) whose buttons call back over the Stream connection. The cardRef is the outTrackId.
 */
export async function sendInteractiveCard(
  core: Core,
  target: Target,
  reply: Reply,
  outTrackId: string,
): Promise<SendResult> {
  const s = settingsOf(core);
  if (!s.cardTemplateId) throw new ChannelSendError('DINGTALK_CARD_TEMPLATE_ID is not set', false);
  const space = spaceOf(target);
  if (!space) throw new ChannelSendError(`no chat to deliver a card to (target ${target.kind})`, false);
  const body = {
    cardTemplateId: s.cardTemplateId,
    outTrackId,
    callbackType: 'STREAM',
    userIdType: 1,
    cardData: { cardParamMap: cardParamMap(reply) },
    // Approval cards are not to be forwarded out of the chat they were meant for.
    imGroupOpenSpaceModel: { supportForward: false },
    imRobotOpenSpaceModel: { supportForward: false },
    ...delivery(space, s, reply),
  };
  let res: { success?: boolean; result?: { deliverResults?: { success?: boolean; errorMsg?: string }[] } };
  try {
    res = await dingtalkClient(core).openApi('/v1.0/card/instances/createAndDeliver', body);
  } catch (err) {
    throw toSendError(err);
  }
  const failed = res.result?.deliverResults?.find((d) => d.success === false);
  if (res.success === false || failed)
    throw new ChannelSendError(`DingTalk createAndDeliver failed: ${failed?.errorMsg ?? 'success=false'}`, false);
  return { cardRef: outTrackId };
}

/** Replaces a card's buttons with the outcome text (`PUT /v1.0/card/instances`), for presses answered late. */
export async function updateInteractiveCard(core: Core, outTrackId: string, text: string): Promise<void> {
  let res: { success?: boolean };
  try {
    res = await dingtalkClient(core).openApi(
      '/v1.0/card/instances',
      {
        outTrackId,
        userIdType: 1,
        cardData: { cardParamMap: outcomeParamMap(text) },
        cardUpdateOptions: { updateCardDataByKey: true },
      },
      'PUT',
    );
  } catch (err) {
    throw toSendError(err);
  }
  if (res.success === false) throw new ChannelSendError('DingTalk card update failed: success=false', false);
}
