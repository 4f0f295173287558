import { withCorrelation } from '../core/correlation.js';
import type { Actor } from '../core/context.js';
import { isDomainError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { operatorByIdentity } from '../core/operators.js';
import { can, ACTION_LABELS } from '../core/permissions.js';
import type { Operator } from '../models/index.js';
import { DATABASE_UNAVAILABLE_TEXT, isDatabaseUnavailable, isLostRace } from '../models/tx.js';
import { buttonText } from './buttons.js';
import type { BotDeps, CommandContext } from './commands/context.js';
import { normalizeInput } from './commands/parse.js';
import type { Matched } from './commands/registry.js';
import { rememberGroup } from './notify/notifier.js';
import { auditDoor, type IncomingMessage, type Reply } from './types.js';

/** Longest message we act on; longer ones are refused with a reason, not truncated. */
export const MAX_TEXT = 2000;

export interface HandleResult {
  replies: Reply[];
  /** A retried delivery: nothing was done again. */
  duplicate: boolean;
  operator: Operator | null;
}

/**
 * How long a `processing` claim holds without a heartbeat. A claim whose holder died (kill -9, a
 * lost connection) is taken over by the messenger's retry after this; a live holder renews it
 * every third of it, so a slow import is never run twice. WeCom retries for ~15 s after the first
 * try (doc 96466), so the lease is shorter than that.
 */
export const CLAIM_LEASE_MS = 10_000;

type Claim = { fresh: true; id: number } | { fresh: false; replies: Reply[] };

/** Records the message id; returns the earlier answer when it was seen before. */
async function claim(deps: BotDeps, msg: IncomingMessage): Promise<Claim> {
  const { BotInbound } = deps.core.models;
  const where = { door: msg.via, messageKey: msg.messageKey.slice(0, 191) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const row = await BotInbound.create({ ...where, receivedAt: deps.core.now(), reply: null });
      return { fresh: true, id: row.id };
    } catch (err) {
      if (!isLostRace(err)) throw err;
    }
    const row = await BotInbound.findOne({ where });
    // A deadlock (multi-master) may leave no winner: try the insert once more.
    if (!row) continue;
    if (row.status === 'done') return { fresh: false, replies: row.reply ? (JSON.parse(row.reply) as Reply[]) : [] };
    // Still processing: a live holder keeps renewing; a stale claim belonged to a dead one.
    if (deps.core.now().getTime() - row.receivedAt.getTime() < CLAIM_LEASE_MS) return { fresh: false, replies: [] };
    const [took] = await BotInbound.update(
      { receivedAt: deps.core.now() },
      { where: { id: row.id, status: 'processing', receivedAt: row.receivedAt } },
    );
    return took === 1 ? { fresh: true, id: row.id } : { fresh: false, replies: [] };
  }
  return { fresh: false, replies: [] };
}

/** Keeps a claim alive while it is handled; returns the function that stops the heartbeat. */
function heartbeat(deps: BotDeps, id: number): () => void {
  const timer = setInterval(() => {
    void deps.core.models.BotInbound.update(
      { receivedAt: deps.core.now() },
      { where: { id, status: 'processing' } },
    ).catch(() => undefined);
  }, CLAIM_LEASE_MS / 3);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The one path every chat message takes, whatever the door: dedupe, who is speaking,
 * pending questions, the command registry, permission, then core.
 */
export function handleMessage(deps: BotDeps, msg: IncomingMessage): Promise<HandleResult> {
  // Everything logged about this message, in core too, carries its correlation id.
  return withCorrelation(msg.correlationId, () => handleOrExplain(deps, msg));
}

async function handleOrExplain(deps: BotDeps, msg: IncomingMessage): Promise<HandleResult> {
  try {
    return await handleOnce(deps, msg);
  } catch (err) {
    // A dead database node (or one that left the cluster) is an outage, not a bug: say so plainly.
    // Nothing was claimed or done, so the messenger's retry is handled once the database is back.
    if (!isDatabaseUnavailable(err)) throw err;
    deps.core.logger.warn(
      { channel: msg.channel, err: (err as Error).message },
      'database unavailable: message not handled',
    );
    return { replies: [{ text: DATABASE_UNAVAILABLE_TEXT }], duplicate: false, operator: null };
  }
}

const doorLoggers = new WeakMap<Logger, Map<string, Logger>>();

/** One child logger per door, made once: pino serialises a child's fields when it is made. */
function doorLogger(root: Logger, msg: IncomingMessage): Logger {
  let byDoor = doorLoggers.get(root);
  if (!byDoor) doorLoggers.set(root, (byDoor = new Map()));
  const key = `${msg.channel}\u0000${msg.via}`;
  let log = byDoor.get(key);
  if (!log) byDoor.set(key, (log = root.child({ channel: msg.channel, via: msg.via })));
  return log;
}

/** handleMessage without the outage answer. */
async function handleOnce(deps: BotDeps, msg: IncomingMessage): Promise<HandleResult> {
  // Every line about this message carries its correlation id; core gets it as actor.requestId.
  const log = doorLogger(deps.core.logger, msg);
  const quick = await readOnly(deps, msg);
  if (quick?.run)
    return {
      replies: await run(deps, msg, quick.operator, quick.actor, quick.text, log, quick.matched, quick.preread),
      duplicate: false,
      operator: quick.operator,
    };
  const claimed = await claim(deps, msg);
  if (!claimed.fresh) {
    log.info('duplicate delivery ignored');
    return { replies: claimed.replies, duplicate: true, operator: null };
  }
  const stop = heartbeat(deps, claimed.id);
  try {
    // Already known when the read-only path looked it up and found a question pending.
    const operator = quick?.operator ?? (await operatorByIdentity(deps.core, msg.channel, msg.userId));
    let replies: Reply[];
    if (!operator) {
      log.info({ userId: msg.userId }, 'unknown chat user');
      replies = [{ text: '你还没有开通权限, 请联系管理员。' }];
    } else {
      const remembering = rememberGroup(deps.core, msg);
      if (remembering) await remembering;
      const actor: Actor = { operator, door: auditDoor(msg), requestId: msg.correlationId };
      replies = await respond(deps, msg, operator, actor, log);
    }
    await deps.core.models.BotInbound.update(
      { status: 'done', reply: JSON.stringify(replies) },
      { where: { id: claimed.id } },
    );
    stop();
    return { replies, duplicate: false, operator };
  } catch (err) {
    stop();
    // Released, so the messenger's retry is handled instead of getting an empty answer.
    await deps.core.models.BotInbound.destroy({ where: { id: claimed.id, status: 'processing' } }).catch((e: unknown) =>
      log.warn({ err: e }, 'could not release the message claim'),
    );
    throw err;
  }
}

/**
 * A known user's read-only command (客户, 帮助, 统计…) with nothing pending: it runs without the
 * dedupe record, since a retried delivery would only ask the same question again: two writes
 * (each a committed, fsync'd transaction on MySQL) fewer on the most common message. When a
 * question is pending, the operator found on the way is returned for the full path.
 */
async function readOnly(
  deps: BotDeps,
  msg: IncomingMessage,
): Promise<
  | {
      run: true;
      operator: Operator;
      actor: Actor;
      text: string;
      matched: Matched;
      preread?: Record<string, unknown> | null;
    }
  | { run: false; operator: Operator }
  | null
> {
  // A door that cannot rule out a replay (a signature that does not cover the body) says so: its
  // messages always take the deduped path, read-only ones too (each reply is a post).
  if (msg.replayable || msg.buttonId || msg.text.length > MAX_TEXT) return null;
  const text = normalizeInput(msg.text);
  if (!text || text.length > MAX_TEXT || /^\d{1,2}$/.test(text)) return null;
  const matched = deps.registry.match(text);
  if (!matched || matched.missing || matched.spec.sideEffect || ['confirm', 'cancel'].includes(matched.spec.id))
    return null;
  // The command's own first read rides along with the speaker check: one round trip for a lookup.
  const speaker = await deps.conversations.speaker(
    msg.channel,
    msg.userId,
    matched.spec.preread?.(deps.core, matched.args),
  );
  if (!speaker) return null;
  const { operator } = speaker;
  // A pending question changes what a message means (and any other message cancels it): the full path.
  if (speaker.pending) return { run: false, operator };
  const remembering = rememberGroup(deps.core, msg);
  if (remembering) await remembering;
  return {
    run: true,
    operator,
    text,
    matched,
    preread: speaker.row,
    actor: { operator, door: auditDoor(msg), requestId: msg.correlationId },
  };
}

const TOO_LONG = `消息太长 (超过 ${MAX_TEXT} 字), 没有处理。请只发送命令, 例如「客户 C20260001」。`;

/** The command line a message stands for (a button's, or the typed text), or the reply refusing it. */
function commandLine(msg: IncomingMessage): { text: string } | { refusal: Reply[] } {
  let text: string;
  if (msg.buttonId) {
    const mapped = buttonText(msg.buttonId);
    if (mapped === null) return { refusal: [{ text: '这个按钮已失效, 请发送「帮助」查看可用命令。' }] };
    text = mapped;
  } else {
    // Checked before normalizing too, so a huge message is not normalized at all.
    if (msg.text.length > MAX_TEXT * 4) return { refusal: [{ text: TOO_LONG }] };
    text = normalizeInput(msg.text);
    if (text.length > MAX_TEXT) return { refusal: [{ text: TOO_LONG }] };
  }
  if (!text) return { refusal: [{ text: '请发送命令, 例如「帮助」查看全部命令, 或「客户 C20260001」查看客户。' }] };
  return { text };
}

/** Anything but 确认/取消 (or an answer that refines it, such as 映射) cancels a pending confirmation. */
async function cancelPendingConfirm(deps: BotDeps, msg: IncomingMessage, text: string): Promise<Reply[]> {
  const matched = deps.registry.match(text);
  if (matched && (['confirm', 'cancel'].includes(matched.spec.id) || matched.spec.keepsPending)) return [];
  const pending = await deps.conversations.get<{ key: string }>(msg.channel, msg.userId);
  if (pending?.kind !== 'confirm') return [];
  await deps.conversations.clear(msg.channel, msg.userId);
  return [{ text: `(已取消待确认的操作: ${pending.payload.key}, 没有做任何改动。)` }];
}

async function respond(
  deps: BotDeps,
  msg: IncomingMessage,
  operator: Operator,
  actor: Actor,
  log: BotDeps['core']['logger'],
): Promise<Reply[]> {
  // A file is an import (dry run, then 确认导入); loaded here so this hook stays inside respond().
  if (msg.file) return (await import('./import/receive.js')).receiveFile(deps, msg, operator, actor, log);
  const line = commandLine(msg);
  if ('refusal' in line) return line.refusal;
  const { text } = line;
  const dispatch = (t: string) => run(deps, msg, operator, actor, t, log);
  // A pending pick: the reply "2" chooses the second customer listed.
  if (/^\d{1,2}$/.test(text)) {
    const pending = await deps.conversations.get<{ command: string; rest: string; codes: string[] }>(
      msg.channel,
      msg.userId,
    );
    if (pending?.kind === 'choose') {
      await deps.conversations.take(msg.channel, msg.userId);
      const code = pending.payload.codes[Number(text) - 1];
      if (!code) return [{ text: `没有第 ${text} 项, 请重新发起。` }];
      return dispatch(`${pending.payload.command} ${code} ${pending.payload.rest}`.trim());
    }
  }
  const note = await cancelPendingConfirm(deps, msg, text);
  return [...note, ...(await dispatch(text))];
}

/** Runs one command line for an operator; domain errors become their Chinese message. */
async function run(
  deps: BotDeps,
  msg: IncomingMessage,
  operator: Operator,
  actor: Actor,
  text: string,
  log: BotDeps['core']['logger'],
  known?: Matched,
  preread?: Record<string, unknown> | null,
): Promise<Reply[]> {
  const matched = known ?? deps.registry.match(text);
  if (!matched) {
    const near = deps.registry.suggest(text);
    const hint = near ? `你是不是想用「${deps.registry.usage(near)}」? 例如: ${near.example}\n` : '';
    return [{ text: `没有这个命令「${text.slice(0, 20)}」。${hint}发送「帮助」查看全部命令。` }];
  }
  const { spec } = matched;
  if (matched.missing)
    return [
      { text: `缺少参数「${matched.missing.label}」。\n用法: ${deps.registry.usage(spec)}\n例如: ${spec.example}` },
    ];
  if (!can(operator, spec.permission)) {
    return [
      {
        text: `${operator.displayName} 没有「${ACTION_LABELS[spec.permission]}」权限, 无法使用「${spec.name}」。请联系管理员开通。`,
      },
    ];
  }
  const ctx: CommandContext = {
    deps,
    core: deps.core,
    actor,
    operator,
    msg,
    args: matched.args,
    raw: matched.raw,
    preread,
    dispatch: (t) => run(deps, msg, operator, actor, t, log),
  };
  try {
    const out = await spec.run(ctx);
    // A lookup changes nothing and is the most common message: a line per lookup at info would be
    // a write per message on the hot path (refusals and failures are still logged below).
    if (spec.sideEffect) log.info({ command: spec.id, operatorId: operator.id }, 'command handled');
    else log.debug({ command: spec.id, operatorId: operator.id }, 'command handled');
    return Array.isArray(out) ? out : [out];
  } catch (err) {
    if (isDomainError(err)) {
      log.info({ command: spec.id, code: err.code }, 'command refused');
      return [{ text: err.message }];
    }
    // An outage goes up to handleMessage, which releases the claim and answers 「数据库暂时不可用」.
    if (isDatabaseUnavailable(err)) throw err;
    log.error({ err, command: spec.id }, 'command failed');
    return [
      {
        text: `处理「${spec.name}」时出错了, 已记录 (编号 ${msg.messageKey.slice(0, 24)})。请稍后再试, 或联系管理员。`,
      },
    ];
  }
}
