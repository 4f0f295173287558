import { Writable } from 'node:stream';
import pino from 'pino';
import type { Core } from '../../../core/context.js';
import type { Channel, ChannelRuntime, IncomingMessage, Reply, SendResult } from '../../../bot/channels/contract.js';

/** What the scripted pipeline answers a message with; `delayMs` makes it slow, `fail` makes the "database" fail. */
export interface Scripted {
  replies: Reply[];
  delayMs?: number;
  fail?: boolean;
  duplicate?: boolean;
}

export interface Sent {
  target: string;
  reply: Reply;
  key: string;
  result?: SendResult;
  error?: Error;
}

/** A ChannelRuntime whose handle() records each IncomingMessage and answers from a script; replyLater sends at once (the outbox's job). */
export interface TestRuntime extends ChannelRuntime {
  seen: IncomingMessage[];
  sent: Sent[];
  logs: Record<string, unknown>[];
  kicks: number;
}

/** A Core with just what a channel reads: config.env and a logger. The channel never touches the database. */
export function channelCore(env: Record<string, string | undefined>): Core {
  return { config: { env }, logger: pino({ level: 'silent' }), now: () => new Date() } as unknown as Core;
}

export function testRuntime(channel: Channel, core: Core, script: (msg: IncomingMessage) => Scripted): TestRuntime {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const rt: TestRuntime = {
    core,
    log: pino({ level: 'debug' }, sink).child({ channel: channel.id }),
    seen: [],
    sent: [],
    logs,
    kicks: 0,
    async handle(msg) {
      rt.seen.push(msg);
      const s = script(msg);
      if (s.delayMs) await new Promise((r) => setTimeout(r, s.delayMs));
      if (s.fail) throw new Error('database unavailable');
      return { replies: s.duplicate ? [] : s.replies, duplicate: Boolean(s.duplicate) };
    },
    async replyLater(msg, replies) {
      for (const [i, reply] of replies.entries()) {
        const target = msg.reply
          ? { kind: 'reply' as const, handle: msg.reply }
          : { kind: 'user' as const, id: msg.userId };
        const entry: Sent = { target: target.kind, reply, key: `${msg.messageKey}#${i}` };
        try {
          entry.result = await channel.send(core, target, reply, entry.key);
        } catch (err) {
          entry.error = err as Error;
        }
        rt.sent.push(entry);
      }
    },
    kick() {
      rt.kicks++;
    },
  };
  return rt;
}
