import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { feishu } from '../../../bot/channels/feishu/index.js';
import { ENV_KEYS } from '../../../bot/channels/feishu/config.js';
import { messageText } from '../../../bot/channels/feishu/events.js';
import { ChannelSendError, type Reply } from '../../../bot/channels/contract.js';
import { FakeFeishu } from '../../helpers/fakes/feishu-server.js';
import { channelCore, testRuntime } from '../../helpers/fakes/feishu-runtime.js';

const content = (call: { body: Record<string, unknown> }) =>
  JSON.parse(String(call.body.content)) as Record<string, unknown>;

/** What a failed send threw. */
async function failure(p: Promise<unknown>): Promise<ChannelSendError> {
  try {
    await p;
  } catch (err) {
    return err as ChannelSendError;
  }
  throw new Error('expected a failure');
}

/** The fake open-apis, and a core for the channel with FEISHU_GROUP_CHAT_ID set. */
async function startFakeFeishu(): Promise<{ fake: FakeFeishu; core: ReturnType<typeof channelCore> }> {
  const fake = await new FakeFeishu().start();
  return { fake, core: channelCore(fake.env({ FEISHU_GROUP_CHAT_ID: 'oc_team01' })) };
}

describe('feishu send() and updateCard() against the fake open-apis', () => {
  let fake: FakeFeishu, core: ReturnType<typeof channelCore>;
  beforeAll(async () => {
    ({ fake, core } = await startFakeFeishu());
  });
  afterAll(() => fake.stop());
  let n = 0;
  const key = () => `outbox-${++n}`;
  const send = (target: Parameters<typeof feishu.send>[1], reply: Reply, k = key()) =>
    feishu.send(core, target, reply, k);

  it('a text to a user goes to im.message.create with receive_id_type=open_id, the outbox key as uuid, and no cardRef', async () => {
    const result = await send({ kind: 'user', id: 'ou_alice' }, { text: '客户 C0001 已恢复' }, 'row-17');
    expect(result).toEqual({ cardRef: null });
    // This test's send is the last one; the fake keeps every earlier test's calls too.
    const call = fake.to('POST /open-apis/im/v1/messages').at(-1)!;
    expect(call.query).toEqual({ receive_id_type: 'open_id' });
    expect(call.body).toMatchObject({ receive_id: 'ou_alice', msg_type: 'text', uuid: 'row-17' });
    expect(content(call)).toEqual({ text: '客户 C0001 已恢复' });
    expect(fake.to('POST /open-apis/auth/v3/tenant_access_token/internal')[0]!.body).toEqual({
      app_id: fake.appId,
      app_secret: fake.appSecret,
    });
  });

  it('a retried send with the same key is deduped by Feishu (same message, one stored)', async () => {
    const before = fake.messages.size;
    const a = await send(
      { kind: 'user', id: 'ou_alice' },
      { text: '审批', buttons: [{ id: 'approve:3', text: '同意' }] },
      'row-18',
    );
    const b = await send(
      { kind: 'user', id: 'ou_alice' },
      { text: '审批', buttons: [{ id: 'approve:3', text: '同意' }] },
      'row-18',
    );
    expect(a.cardRef).toMatch(/^om_/);
    expect(b.cardRef).toBe(a.cardRef);
    expect(fake.messages.size).toBe(before + 1);
  });

  it('a group push to the default group (FEISHU_GROUP_CHAT_ID) with an @-mention renders <at user_id="ou_x"></at>', async () => {
    await send({ kind: 'group', id: 'default' }, { text: '本周有 3 个客户待复核', mentions: ['ou_x'] });
    const call = fake.to('POST /open-apis/im/v1/messages').at(-1)!;
    expect(call.query).toEqual({ receive_id_type: 'chat_id' });
    expect(call.body.receive_id).toBe('oc_team01');
    expect(content(call)).toEqual({ text: '<at user_id="ou_x"></at> 本周有 3 个客户待复核' });
  });

  it('data cannot smuggle in an @-everyone: <at in the text is broken', async () => {
    await send({ kind: 'user', id: 'ou_alice' }, { text: '客户 <at user_id="all"></at> 已建档' });
    expect(String(content(fake.to('POST /open-apis/im/v1/messages').at(-1)!).text)).not.toContain('<at');
  });
});

describe('feishu send() and updateCard() against the fake open-apis: an approval card', () => {
  let fake: FakeFeishu, core: ReturnType<typeof channelCore>;
  beforeAll(async () => {
    ({ fake, core } = await startFakeFeishu());
  });
  afterAll(() => fake.stop());
  let n = 0;
  const key = () => `outbox-${++n}`;
  const send = (target: Parameters<typeof feishu.send>[1], reply: Reply, k = key()) =>
    feishu.send(core, target, reply, k);

  it('an approval with approver @-mentions, approve/reject buttons and a link renders as a shared card', async () => {
    const { cardRef } = await send(
      { kind: 'group', id: 'oc_team01' },
      {
        title: '删除申请 #5',
        text: '**张三** 申请删除客户 C0005\n原因: 重复',
        mentions: ['ou_boss1', 'ou_boss2'],
        buttons: [
          { id: 'approve:5', text: '同意' },
          { id: 'reject:5', text: '拒绝' },
        ],
        links: [{ text: '打开审批页', url: 'https://steward.example.com/approvals/5?t=x' }],
      },
    );
    const card = JSON.parse(fake.messages.get(cardRef!)!.content);
    expect(card).toEqual({
      config: { wide_screen_mode: true, update_multi: true },
      header: { template: 'blue', title: { tag: 'plain_text', content: '删除申请 #5' } },
      elements: [
        {
          tag: 'markdown',
          content: '<at id=ou_boss1></at> <at id=ou_boss2></at>\n**张三** 申请删除客户 C0005\n原因: 重复',
        },
        {
          tag: 'action',
          actions: [
            {
              tag: 'button',
              text: { tag: 'plain_text', content: '同意' },
              type: 'primary',
              value: { id: 'approve:5' },
            },
            { tag: 'button', text: { tag: 'plain_text', content: '拒绝' }, type: 'default', value: { id: 'reject:5' } },
            {
              tag: 'button',
              text: { tag: 'plain_text', content: '打开审批页' },
              type: 'default',
              url: 'https://steward.example.com/approvals/5?t=x',
            },
          ],
        },
      ],
    });
  });
});

describe('feishu send() and updateCard() against the fake open-apis: updates and refusals', () => {
  let fake: FakeFeishu, core: ReturnType<typeof channelCore>;
  beforeAll(async () => {
    ({ fake, core } = await startFakeFeishu());
  });
  afterAll(() => fake.stop());
  let n = 0;
  const key = () => `outbox-${++n}`;
  const send = (target: Parameters<typeof feishu.send>[1], reply: Reply, k = key()) =>
    feishu.send(core, target, reply, k);

  it('updateCard PATCHes the card to the outcome, buttons gone', async () => {
    const { cardRef } = await send(
      { kind: 'user', id: 'ou_boss1' },
      { text: '申请删除 C0006', buttons: [{ id: 'approve:6', text: '同意' }] },
    );
    await feishu.updateCard!(core, cardRef!, 'ou_boss1', '已由其他审批人同意');
    const patch = fake.to(`PATCH /open-apis/im/v1/messages/${cardRef}`)[0]!;
    expect(content(patch)).toEqual({
      config: { wide_screen_mode: true, update_multi: true },
      elements: [{ tag: 'markdown', content: '已由其他审批人同意' }],
    });
  });

  it('refuses what it cannot send, not retryably: no default group, a foreign reply handle, a non-open_id, an unknown card', async () => {
    const noGroup = channelCore(fake.env());
    expect(await failure(feishu.send(noGroup, { kind: 'group', id: 'default' }, { text: 'x' }, key()))).toMatchObject({
      retryable: false,
    });
    expect(
      await failure(
        send({ kind: 'reply', handle: { channel: 'dingtalk', kind: 'message', messageId: 'om_1' } }, { text: 'x' }),
      ),
    ).toMatchObject({ retryable: false });
    expect(
      await failure(
        send(
          { kind: 'reply', handle: { channel: 'feishu', kind: 'message', messageId: 'https://evil.example/x' } },
          { text: 'x' },
        ),
      ),
    ).toMatchObject({ retryable: false });
    expect(await failure(send({ kind: 'user', id: 'zhangsan' }, { text: 'x' }))).toMatchObject({ retryable: false });
    expect(await failure(feishu.updateCard!(core, 'om_doesnotexist', 'ou_a', 'x'))).toMatchObject({
      name: 'ChannelSendError',
      retryable: false,
    });
  });
});

describe('feishu send() and updateCard() against the fake open-apis: failures mapped', () => {
  let fake: FakeFeishu, core: ReturnType<typeof channelCore>;
  beforeAll(async () => {
    ({ fake, core } = await startFakeFeishu());
  });
  afterAll(() => fake.stop());
  let n = 0;
  const key = () => `outbox-${++n}`;
  const send = (target: Parameters<typeof feishu.send>[1], reply: Reply, k = key()) =>
    feishu.send(core, target, reply, k);

  it('maps Feishu failures: 5xx, rate limit (99991400) and network errors are retryable; 4xx and permission codes are not', async () => {
    const route = 'POST /open-apis/im/v1/messages';
    const target = { kind: 'user' as const, id: 'ou_alice' };
    fake.fail(route, { status: 500 });
    expect(await failure(send(target, { text: 'x' }))).toMatchObject({ retryable: true });
    fake.fail(route, { status: 429, code: 99991400, msg: 'request trigger frequency limit' });
    expect(await failure(send(target, { text: 'x' }))).toMatchObject({ retryable: true });
    fake.fail(route, { status: 200, code: 99991400 });
    expect(await failure(send(target, { text: 'x' }))).toMatchObject({ retryable: true });
    fake.fail(route, 'drop');
    expect(await failure(send(target, { text: 'x' }))).toMatchObject({ retryable: true });
    fake.fail(route, { status: 400, code: 230002, msg: 'Bot/User can NOT be out of the chat.' });
    const e = await failure(send(target, { text: 'x' }));
    expect(e).toBeInstanceOf(ChannelSendError);
    expect(e).toMatchObject({ retryable: false });
    expect(e.message).toContain('230002');
    fake.fail(route, { status: 400, code: 99991672, msg: 'Access denied. One of the following scopes is required' });
    expect(await failure(send(target, { text: 'x' }))).toMatchObject({ retryable: false });
    const tokens = fake.to('POST /open-apis/auth/v3/tenant_access_token/internal').length;
    fake.fail(route, { status: 400, code: 99991663, msg: 'Invalid access token for authorization' });
    expect(await failure(send(target, { text: 'x' }))).toMatchObject({ retryable: true });
    await send(target, { text: '换了新 token' });
    expect(fake.to('POST /open-apis/auth/v3/tenant_access_token/internal').length).toBe(tokens + 1);
    const wrongSecret = channelCore(fake.env({ FEISHU_APP_SECRET: 'not-the-secret' }));
    expect(await failure(feishu.send(wrongSecret, target, { text: 'x' }, key()))).toMatchObject({ retryable: false });
    // After all that, a plain send works again.
    await expect(send(target, { text: '恢复' })).resolves.toEqual({ cardRef: null });
  });
});

describe('feishu config block', () => {
  const ok = { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718', FEISHU_APP_SECRET: 'fake-secret-0123456789' };

  it('is off without FEISHU_APP_ID and FEISHU_APP_SECRET, on with both (ws mode by default, no sockets in http mode)', () => {
    expect(feishu.configure({})).toEqual({ enabled: false, problems: [] });
    expect(feishu.configure(ok)).toEqual({ enabled: true, problems: [] });
    expect(ENV_KEYS).toContain('FEISHU_GROUP_CHAT_ID');
    const httpEnv = { ...ok, FEISHU_MODE: 'http', FEISHU_VERIFICATION_TOKEN: 'vt', FEISHU_ENCRYPT_KEY: 'ek' };
    expect(feishu.configure(httpEnv)).toEqual({ enabled: true, problems: [] });
    const rt = testRuntime(feishu, channelCore(httpEnv), () => ({ replies: [] }));
    expect(feishu.sockets!(rt)).toEqual([]);
    expect(feishu.capabilities).toEqual({
      modes: ['ws', 'http'],
      buttons: true,
      updateCard: true,
      groupPush: true,
      files: true,
    });
  });

  it('names each bad variable in Chinese', () => {
    const problems = (env: Record<string, string>) => feishu.configure(env).problems.join('\n');
    expect(problems({ FEISHU_APP_ID: 'abc', FEISHU_APP_SECRET: 's3cret-ok' })).toContain(
      'FEISHU_APP_ID 应为 cli_ 开头加 16 位十六进制的应用 ID (开发者后台 → 凭证与基础信息), 实际为 "abc"',
    );
    expect(problems({ FEISHU_APP_ID: ok.FEISHU_APP_ID })).toContain('FEISHU_APP_SECRET 未设置');
    expect(problems({ FEISHU_APP_SECRET: ok.FEISHU_APP_SECRET })).toContain('FEISHU_APP_ID 未设置');
    expect(problems({ ...ok, FEISHU_MODE: 'stream' })).toContain(
      'FEISHU_MODE 应为 ws (长连接, 默认, 无需公网地址) 或 http (事件回调), 实际为 "stream"',
    );
    const http = problems({ ...ok, FEISHU_MODE: 'http' });
    expect(http).toContain('FEISHU_VERIFICATION_TOKEN 未设置');
    expect(http).toContain('FEISHU_ENCRYPT_KEY 未设置');
    expect(problems({ ...ok, FEISHU_DOMAIN: 'http://open.feishu.cn' })).toContain('FEISHU_DOMAIN 应为飞书开放平台地址');
    expect(problems({ ...ok, FEISHU_DOMAIN: 'https://open.feishu.cn/open-apis' })).toContain('FEISHU_DOMAIN');
    expect(problems({ ...ok, FEISHU_DOMAIN: 'https://open.larksuite.com' })).toBe('');
    expect(problems({ ...ok, FEISHU_GROUP_CHAT_ID: '群1' })).toContain(
      'FEISHU_GROUP_CHAT_ID 应为 oc_ 开头的群 chat_id, 实际为 "群1"',
    );
  });
});

describe('feishu message text', () => {
  it('takes out every @_user_N key, @_user_10 as well as @_user_1', () => {
    expect(messageText('text', { text: '@_user_1 查  C0002 @_user_10' }, ['@_user_1', '@_user_10'])).toBe('查 C0002');
    expect(messageText('text', { text: 42 }, [])).toBe('');
    expect(messageText('image', { image_key: 'img_1' }, [])).toBe('');
  });
});
