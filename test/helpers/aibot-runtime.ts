import pino from 'pino';
import { loadConfig } from '../../core/config.js';
import type { Core } from '../../core/context.js';
import type { ChannelRuntime, IncomingMessage, Reply, SocketReceiver } from '../../bot/channels/contract.js';
import { sendViaSocket, wecomAibotReceivers, type AibotSocketOptions } from '../../bot/channels/wecom/aibot-socket.js';
import type { ClientFrame, FakeAibotServer } from './fakes/wecom-aibot-server.js';

export const BOT = 'aibAAA111';
export const SECRET = 'secret-of-the-bot';
export const FAST_MS = 300;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TestRuntime extends ChannelRuntime {
  handled: IncomingMessage[];
  later: { msg: IncomingMessage; replies: Reply[] }[];
  kicks: number;
  /** Every log line, parsed. */
  lines: Record<string, unknown>[];
  /** Lets the slow answers finish; until then they hold, whatever the machine's load. */
  openGate(): void;
}

/** A pino logger that keeps every line it writes, parsed. */
function recordingLogger(): { lines: Record<string, unknown>[]; log: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'debug' },
    { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  return { lines, log };
}

/**
 * A runtime whose pipeline answers from a script, and whose replyLater plays the outbox: it sends
 * each reply the way the channel's send() would, through sendViaSocket.
 */
export function testRuntime(env: Record<string, string>): TestRuntime {
  const { lines, log } = recordingLogger();
  const core = {
    config: loadConfig({ NODE_ENV: 'test', ...env }),
    logger: log,
    now: () => new Date(),
  } as unknown as Core;
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const rt: TestRuntime = {
    core,
    log: log.child({ channel: 'wecom' }),
    handled: [],
    later: [],
    kicks: 0,
    lines,
    openGate,
    async handle(msg) {
      rt.handled.push(msg);
      const ok = (replies: Reply[]) => ({ replies, duplicate: false });
      if (msg.buttonId === 'approve:7') return ok([{ title: '已批准', text: '删除申请 #7 已批准' }]);
      if (msg.buttonId === 'slow:7') {
        await gate;
        return ok([{ title: '已驳回', text: '删除申请 #7 已驳回' }]);
      }
      if (msg.text === '审批')
        return ok([
          {
            title: '删除申请 #7',
            text: '张三 申请删除客户 C0007',
            buttons: [
              { id: 'approve:7', text: '批准' },
              { id: 'reject:7', text: '驳回' },
            ],
          },
        ]);
      if (msg.text === '慢') {
        await gate;
        return ok([{ text: '慢查询: 共 3 个客户' }]);
      }
      if (msg.text === '坏') throw new Error('database is down');
      if (msg.text === '重复') return { replies: [], duplicate: true };
      return ok([{ text: `收到: ${msg.text}` }]);
    },
    async replyLater(msg, replies) {
      rt.later.push({ msg, replies });
      for (const [i, r] of replies.entries())
        await sendViaSocket({ kind: 'reply', handle: msg.reply! }, r, `${msg.messageKey}-${i}`);
    },
    kick() {
      rt.kicks++;
    },
    // A short reply window and reconnect delay, so tests of late answers and reconnects need not wait.
    fastReplyMs: FAST_MS,
    reconnectMs: 100,
  };
  return rt;
}

/** The env block pointing the SDK at the fake. */
export const aibotEnv = (fake: FakeAibotServer, extra: Record<string, string> = {}) => ({
  WECOM_BOT_ID: BOT,
  WECOM_BOT_SECRET: SECRET,
  WECOM_BOT_WS_URL: fake.url,
  ...extra,
});
export const aibotOpts: AibotSocketOptions = { connectTimeoutMs: 3_000 };

/** Starts the runtime's receiver (remembered in `started`, for afterEach to stop). */
export async function connectAibot(
  rt: TestRuntime,
  started: SocketReceiver[],
  extra: AibotSocketOptions = {},
): Promise<SocketReceiver> {
  const [r] = wecomAibotReceivers(rt, { ...aibotOpts, ...extra });
  started.push(r!);
  await r!.start();
  return r!;
}

/** Matches the client's answer to the callback pushed with `reqId`. */
export const answerTo = (reqId: string, cmd: string) => (f: ClientFrame) =>
  f.frame.headers.req_id === reqId && f.frame.cmd === cmd;
