import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Reply, Target } from '../../../bot/channels/contract.js';
import {
  cardOutTrackId,
  sendInteractiveCard,
  updateInteractiveCard,
} from '../../../bot/channels/dingtalk/interactive-card.js';
import { configureDingtalk, isDingtalkUrl } from '../../../bot/channels/dingtalk/config.js';
import { sessionHandle, type DingtalkChat } from '../../../bot/channels/dingtalk/handles.js';
import { dingtalk } from '../../../bot/channels/dingtalk/index.js';
import { FakeDingtalkStream } from '../../helpers/fakes/dingtalk-stream-server.js';
import { APP_KEY, APP_SECRET, streamCore } from '../../helpers/dingtalk-stream.js';

let fake: FakeDingtalkStream;
beforeAll(async () => {
  fake = await new FakeDingtalkStream(APP_KEY, APP_SECRET).start();
});
afterAll(async () => fake.stop());

const TEMPLATE = 'a1b2c3d4-0000-4000-8000-123456789abc.schema';
const approval: Reply = {
  title: '删除申请 #12',
  text: '申请删除客户 C001, 请审批。',
  buttons: [
    { id: 'approve:12', text: '同意' },
    { id: 'reject:12', text: '拒绝' },
  ],
  mentions: ['approver1', 'approver2'],
};
const session = (fields: { expiresAt?: number; chat?: DingtalkChat } = {}) =>
  sessionHandle(
    `${fake.url}/robot/sendBySession?session=s-unit`,
    fields.expiresAt ?? Date.now() + 60_000,
    fields.chat ?? { kind: 'group', id: 'cidGroupSales01' },
  );
const creates = () => fake.to('/v1.0/card/instances/createAndDeliver');
const sessions = () => fake.to('/robot/sendBySession');

describe('DingTalk config: the card template', () => {
  it('validates the card template id in Chinese, naming the variable', () => {
    const creds = { DINGTALK_APP_KEY: APP_KEY, DINGTALK_APP_SECRET: APP_SECRET };
    expect(configureDingtalk({ ...creds, DINGTALK_CARD_TEMPLATE_ID: TEMPLATE })).toEqual({
      enabled: true,
      problems: [],
    });
    expect(configureDingtalk({ ...creds, DINGTALK_CARD_TEMPLATE_ID: 'bad id!' }).problems).toEqual([
      'DINGTALK_CARD_TEMPLATE_ID 应为 钉钉卡片平台的模板 ID (例如 xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.schema), 实际为 "bad id!"',
    ]);
    expect(configureDingtalk({ DINGTALK_CARD_TEMPLATE_ID: TEMPLATE })).toEqual({
      enabled: false,
      problems: ['DINGTALK_CARD_TEMPLATE_ID 需要同时配置应用机器人的 DINGTALK_APP_KEY 和 DINGTALK_APP_SECRET'],
    });
    expect(configureDingtalk({})).toEqual({ enabled: false, problems: [] });
  });
});

describe('interactive cards: createAndDeliver', () => {
  it('createAndDeliver into a group: template, STREAM callback, button ids, @-mentions, token header; the token is cached', async () => {
    const core = streamCore(fake.url);
    const tokens = fake.to('/v1.0/oauth2/accessToken').length;
    const sent = await sendInteractiveCard(core, { kind: 'group', id: 'cidGroupSales01' }, approval, 'steward-out-1');
    expect(sent).toEqual({ cardRef: 'steward-out-1' });
    const call = creates().at(-1)!;
    expect(call.body).toEqual({
      cardTemplateId: TEMPLATE,
      outTrackId: 'steward-out-1',
      callbackType: 'STREAM',
      userIdType: 1,
      cardData: {
        cardParamMap: {
          title: '删除申请 #12',
          text: '申请删除客户 C001, 请审批。\n\n@approver1 @approver2',
          outcome: '',
          btn1Id: 'approve:12',
          btn1Text: '同意',
          btn2Id: 'reject:12',
          btn2Text: '拒绝',
          btn3Id: '',
          btn3Text: '',
          btn4Id: '',
          btn4Text: '',
          btn5Id: '',
          btn5Text: '',
          btn6Id: '',
          btn6Text: '',
        },
      },
      imGroupOpenSpaceModel: { supportForward: false },
      imRobotOpenSpaceModel: { supportForward: false },
      openSpaceId: 'dtv1.card//IM_GROUP.cidGroupSales01',
      imGroupOpenDeliverModel: { robotCode: APP_KEY, atUserIds: { approver1: 'approver1', approver2: 'approver2' } },
    });
    expect(call.headers['x-acs-dingtalk-access-token']).toMatch(/^token-\d+$/);
    await sendInteractiveCard(core, { kind: 'user', id: 'approver1' }, approval, 'steward-out-2');
    expect(creates().at(-1)!.body).toMatchObject({
      openSpaceId: 'dtv1.card//IM_ROBOT.approver1',
      imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' },
    });
    expect(fake.to('/v1.0/oauth2/accessToken').length).toBe(tokens + 1);
  });
});

describe('interactive cards: updates and refusals', () => {
  it('an access token DingTalk stopped accepting is renewed once and the call goes through', async () => {
    const core = streamCore(fake.url);
    await updateInteractiveCard(core, 'steward-out-1', 'warm up');
    const tokens = fake.to('/v1.0/oauth2/accessToken').length;
    fake.expireToken();
    await updateInteractiveCard(core, 'steward-out-1', '已同意删除申请 #12');
    expect(fake.to('/v1.0/oauth2/accessToken').length).toBe(tokens + 1);
    const put = fake
      .to('/v1.0/card/instances')
      .filter((c) => c.method === 'PUT')
      .at(-1)!;
    expect(put.body).toEqual({
      outTrackId: 'steward-out-1',
      userIdType: 1,
      cardUpdateOptions: { updateCardDataByKey: true },
      cardData: {
        cardParamMap: {
          outcome: '已同意删除申请 #12',
          btn1Text: '',
          btn2Text: '',
          btn3Text: '',
          btn4Text: '',
          btn5Text: '',
          btn6Text: '',
        },
      },
    });
  });

  it('a refused card is a ChannelSendError that retrying cannot help; a missing template says so', async () => {
    fake.fail('/v1.0/card/instances/createAndDeliver', 400);
    await expect(
      sendInteractiveCard(streamCore(fake.url), { kind: 'user', id: 'approver1' }, approval, 'steward-out-3'),
    ).rejects.toMatchObject({ name: 'ChannelSendError', retryable: false });
    await expect(
      sendInteractiveCard(
        streamCore(fake.url, { DINGTALK_CARD_TEMPLATE_ID: '' }),
        { kind: 'user', id: 'approver1' },
        approval,
        'x',
      ),
    ).rejects.toThrow(/DINGTALK_CARD_TEMPLATE_ID/);
    await expect(
      sendInteractiveCard(streamCore(fake.url), { kind: 'group', id: 'default' }, approval, 'x'),
    ).rejects.toMatchObject({ retryable: false });
  });
});

describe("the channel's send in Stream mode", () => {
  it('buttons to a session handle become a card in that conversation, with an outTrackId stable per outbox key', async () => {
    const core = streamCore(fake.url);
    const target: Target = { kind: 'reply', handle: session() };
    const first = await dingtalk.send(core, target, approval, 'outbox-77');
    expect(first).toEqual({ cardRef: cardOutTrackId('outbox-77') });
    expect(cardOutTrackId('outbox-77')).toMatch(/^steward-[0-9a-f]{40}$/);
    expect(creates().at(-1)!.body).toMatchObject({
      outTrackId: cardOutTrackId('outbox-77'),
      openSpaceId: 'dtv1.card//IM_GROUP.cidGroupSales01',
    });
    const direct = await dingtalk.send(
      core,
      { kind: 'reply', handle: session({ chat: { kind: 'user', id: 'staff01' } }) },
      approval,
      'outbox-78',
    );
    expect(direct?.cardRef).toBe(cardOutTrackId('outbox-78'));
    expect(creates().at(-1)!.body).toMatchObject({ openSpaceId: 'dtv1.card//IM_ROBOT.staff01' });
  });

  it('plain text to a session handle goes to the sessionWebhook; other targets are left to the channel', async () => {
    const core = streamCore(fake.url);
    const before = sessions().length;
    expect(
      await dingtalk.send(
        core,
        { kind: 'reply', handle: session() },
        { text: '已停用客户 C001', mentions: ['staff01'] },
        'k1',
      ),
    ).toEqual({});
    expect(sessions().at(-1)!.body).toEqual({
      msgtype: 'text',
      text: { content: '已停用客户 C001\n@staff01' },
      at: { atUserIds: ['staff01'], isAtAll: false },
    });
    expect(sessions().length).toBe(before + 1);
    // Other targets go through the OpenAPI robot messages.
    const before1to1 = fake.to('/v1.0/robot/oToMessages/batchSend').length;
    expect(await dingtalk.send(core, { kind: 'user', id: 'staff01' }, { text: 'x' }, 'k2')).toEqual({});
    expect(fake.to('/v1.0/robot/oToMessages/batchSend')).toHaveLength(before1to1 + 1);
    // Without a card template, buttons fall back to a list in a text message.
    const noTemplate = streamCore(fake.url, { DINGTALK_CARD_TEMPLATE_ID: '' });
    await dingtalk.send(noTemplate, { kind: 'reply', handle: session() }, approval, 'k3');
    expect(sessions().at(-1)!.body).toEqual({
      msgtype: 'text',
      text: { content: '删除申请 #12\n申请删除客户 C001, 请审批。\n• 同意\n• 拒绝\n@approver1 @approver2' },
      at: { atUserIds: ['approver1', 'approver2'], isAtAll: false },
    });
  });
});

describe("the channel's send in Stream mode: link buttons", () => {
  it('link buttons render as an actionCard', async () => {
    await dingtalk.send(
      streamCore(fake.url),
      { kind: 'reply', handle: session() },
      {
        title: '审批',
        text: '请审批',
        links: [{ text: '打开审批页', url: 'https://steward.example.com/approvals/1?t=x' }],
      },
      'k-link',
    );
    expect(sessions().at(-1)!.body).toEqual({
      msgtype: 'actionCard',
      actionCard: {
        title: '审批',
        text: '### 审批\n\n请审批',
        btnOrientation: '1',
        btns: [{ title: '打开审批页', actionURL: 'https://steward.example.com/approvals/1?t=x' }],
      },
      at: { atUserIds: [], isAtAll: false },
    });
  });
});

describe('sessionWebhook failures', () => {
  it('an expired session is not posted to: the answer goes to the chat through the OpenAPI; "sent too fast" is retryable; a 4xx is not', async () => {
    const core = streamCore(fake.url);
    const before = sessions().length;
    const groupSends = fake.to('/v1.0/robot/groupMessages/send').length;
    const expired = { kind: 'reply', handle: session({ expiresAt: Date.now() - 1 }) } as const;
    expect(dingtalk.reachable!(core, expired)).toBe(true);
    expect(dingtalk.reachable!(streamCore(fake.url, { DINGTALK_APP_SECRET: '' }), expired)).toBe(false);
    expect(
      dingtalk.reachable!(streamCore(fake.url, { DINGTALK_APP_SECRET: '' }), { kind: 'reply', handle: session() }),
    ).toBe(true);
    await dingtalk.send(core, expired, { text: 'x' }, 'k4');
    expect(sessions().length).toBe(before);
    expect(fake.to('/v1.0/robot/groupMessages/send')).toHaveLength(groupSends + 1);
    expect(fake.to('/v1.0/robot/groupMessages/send').at(-1)!.body).toMatchObject({
      robotCode: APP_KEY,
      openConversationId: 'cidGroupSales01',
      msgKey: 'sampleText',
    });
    fake.failSession(130101);
    await expect(dingtalk.send(core, { kind: 'reply', handle: session() }, { text: 'x' }, 'k5')).rejects.toMatchObject({
      retryable: true,
    });
    fake.fail('/robot/sendBySession', 400);
    await expect(dingtalk.send(core, { kind: 'reply', handle: session() }, { text: 'x' }, 'k6')).rejects.toMatchObject({
      retryable: false,
    });
    await expect(
      dingtalk.send(
        core,
        { kind: 'reply', handle: { channel: 'wecom', kind: 'response_url', url: `${fake.url}/robot/sendBySession` } },
        { text: 'x' },
        'k7',
      ),
    ).rejects.toMatchObject({ name: 'ChannelSendError', retryable: false });
  });

  it('the real DingTalk hosts are accepted only over https', () => {
    const core = streamCore('https://api.dingtalk.com', { DINGTALK_OAPI_BASE: 'https://oapi.dingtalk.com' });
    expect(isDingtalkUrl(core, 'https://oapi.dingtalk.com/robot/sendBySession?session=a')).toBe(true);
    expect(isDingtalkUrl(core, 'https://api.dingtalk.com/robot/sendBySession?session=a')).toBe(true);
    for (const bad of [
      'http://oapi.dingtalk.com/robot/sendBySession',
      'https://oapi.dingtalk.com.evil.example/x',
      'https://user:pw@oapi.dingtalk.com/x',
      'https://evil.example/?u=https://oapi.dingtalk.com',
      42,
      null,
      'not a url',
    ]) {
      expect(isDingtalkUrl(core, bad)).toBe(false);
    }
  });
});
