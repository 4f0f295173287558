import pino from 'pino';
import type { Core } from '../../core/context.js';
import type { ChannelRuntime, IncomingMessage, Reply, SocketReceiver } from '../../bot/channels/contract.js';
import { createStreamReceiver, type StreamReceiverOptions } from '../../bot/channels/dingtalk/stream.js';
import type { FakeDingtalkStream } from './fakes/dingtalk-stream-server.js';

export const APP_KEY = 'dingstreamappkey01';
export const APP_SECRET = 'stream-secret-0123456789';

/** A Core with only what a channel reads: `config.env` (no database is needed here). */
export function streamCore(fakeUrl: string, extra: Record<string, string> = {}): Core {
  const env: Record<string, string | undefined> = {
    DINGTALK_APP_KEY: APP_KEY,
    DINGTALK_APP_SECRET: APP_SECRET,
    DINGTALK_API_BASE: fakeUrl,
    DINGTALK_OAPI_BASE: fakeUrl,
    DINGTALK_CARD_TEMPLATE_ID: 'a1b2c3d4-0000-4000-8000-123456789abc.schema',
    ...extra,
  };
  return { config: { env }, now: () => new Date() } as unknown as Core;
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/**
 * The script: a delete request gets an approval card, a button press its outcome, anything else an
 * echo. The slow answers (reject:13, 慢一点) wait until the test lets them go (`slow`), not for a
 * timer, so "not answered yet" holds however loaded the machine is.
 */
async function scriptedReplies(msg: IncomingMessage, slow: Promise<void>): Promise<Reply[]> {
  if (msg.buttonId === 'approve:12') return [{ text: '已同意删除申请 #12\n客户 C001 已停用, 申请人已收到通知。' }];
  if (msg.buttonId === 'reject:13') {
    await slow;
    return [{ title: '已拒绝删除申请 #13', text: '已拒绝删除申请 #13。' }];
  }
  if (msg.buttonId) return [];
  if (msg.text === '慢一点') {
    await slow;
    return [{ text: '好的' }];
  }
  if (msg.text.startsWith('删除客户')) {
    return [
      {
        title: '删除申请 #12',
        text: '申请删除客户 C001, 请审批。',
        buttons: [
          { id: 'approve:12', text: '同意' },
          { id: 'reject:12', text: '拒绝' },
        ],
        mentions: ['approver1'],
      },
    ];
  }
  return [{ text: `收到: ${msg.text}`, ...(msg.chatType === 'group' ? { mentions: [msg.userId] } : {}) }];
}

/** The runtime's reconnect delay (the SDK waits 1 s): a test that no reconnect follows waits 3 of these. */
export const RECONNECT_MS = 300;

/**
 * A ChannelRuntime whose handle() records each message and answers from a script, as the pipeline
 * would: a delete request gets an approval card, a button press its outcome, anything else an echo.
 */
export function testRuntime(core: Core) {
  const handled: IncomingMessage[] = [];
  const finished: string[] = [];
  const later: { msg: IncomingMessage; replies: Reply[] }[] = [];
  const lines: LogLine[] = [];
  const counters = { kicks: 0 };
  let failNext = 0;
  let letGo = (): void => undefined;
  const slow = new Promise<void>((resolve) => (letGo = resolve));
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  const rt: ChannelRuntime = {
    core,
    log,
    async handle(msg) {
      handled.push(msg);
      if (failNext > 0) {
        failNext--;
        throw new Error('database is down');
      }
      const replies = await scriptedReplies(msg, slow);
      finished.push(msg.messageKey);
      return { replies, duplicate: false };
    },
    async replyLater(msg, replies) {
      later.push({ msg, replies });
    },
    kick() {
      counters.kicks++;
    },
    reconnectMs: RECONNECT_MS,
  };
  return {
    rt,
    handled,
    finished,
    later,
    lines,
    counters,
    /** Lets the slow answers (reject:13, 慢一点) finish. */
    releaseSlow: () => letGo(),
    /** The next `n` handle() calls throw, as on a database failure. */
    failHandle(n = 1) {
      failNext = n;
    },
  };
}

export { until } from './until.js';

/** A robot message's data as DingTalk sends it (chatbot.py / the 接收消息 doc), with a session on `sessionBase`. */
export function robotData(n: number, fields: Record<string, unknown>, sessionBase: string): Record<string, unknown> {
  const now = Date.now();
  return {
    conversationId: 'cidGroupSales01',
    chatbotCorpId: 'dingcorp',
    chatbotUserId: '$:LWCP_v1:$robot',
    msgId: `msgSTREAM${n}`,
    senderNick: '张三',
    isAdmin: false,
    senderStaffId: 'staff01',
    sessionWebhookExpiredTime: now + 5_400_000,
    createAt: now,
    senderCorpId: 'dingcorp',
    conversationType: '1',
    senderId: '$:LWCP_v1:$sender',
    robotCode: APP_KEY,
    msgtype: 'text',
    sessionWebhook: `${sessionBase}/robot/sendBySession?session=sess${n}`,
    text: { content: ' 客户 C001' },
    ...fields,
  };
}

/** Starts a Stream receiver against the fake (stopped by the test file's afterEach through `running`). */
export async function startReceiver(
  fake: FakeDingtalkStream,
  running: SocketReceiver[],
  opts: StreamReceiverOptions,
  core: Core,
) {
  const t = testRuntime(core);
  const receiver = createStreamReceiver(t.rt, opts);
  running.push(receiver);
  const before = fake.connections.length;
  await receiver.start();
  await fake.waitFor(() => fake.connections.length === before + 1);
  return { ...t, receiver, core };
}
