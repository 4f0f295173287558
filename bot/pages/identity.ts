import type Koa from 'koa';
import { issueCode, liveCode, useCode, type CodeCheck } from '../../core/deletion/approval-codes.js';
import type { Operator } from '../../models/index.js';
import type { BotDeps } from '../commands/context.js';
import { esc, notice } from './html.js';
import { csrfToken, csrfValid, foreignOrigin, sessionOperator, startSession } from './guard.js';

/** A signed page's person check: what the code unlocks, and who the link was sent to. */
export interface Gate {
  /** `approval:<id>` or `review:<code>`: the code's subject and the CSRF scope. */
  subject: string;
  operator: Operator;
}

/** How far this browser is: proven (session), a code waiting to be entered, or nothing yet. */
export type Stage = { kind: 'session' } | { kind: 'code'; remaining: number } | { kind: 'none' };

/** A refusal to show on the page, with its HTTP status. */
export interface Refusal {
  status: number;
  text: string;
}

/** Where this browser stands for `gate`. */
export async function stageFor(ctx: Koa.Context, deps: BotDeps, gate: Gate): Promise<Stage> {
  if (sessionOperator(ctx, deps.core) === gate.operator.id) return { kind: 'session' };
  const live = await liveCode(deps.core, gate.subject, gate.operator.id);
  return live ? { kind: 'code', remaining: live.remaining } : { kind: 'none' };
}

/** Origin and CSRF checks of a POST; a Refusal (403) when either fails. */
export function refusePost(
  ctx: Koa.Context,
  deps: BotDeps,
  gate: Pick<Gate, 'subject'>,
  form: URLSearchParams,
): Refusal | null {
  if (foreignOrigin(ctx, deps.core))
    return { status: 403, text: '请求来自其他网站, 已拒绝。请从聊天消息里打开这个页面再操作。' };
  if (!csrfValid(ctx, deps.core, gate.subject, form.get('csrf')))
    return { status: 403, text: '页面已失效或请求不完整, 请从聊天消息里重新打开这个页面再操作。' };
  return null;
}

/**
 * Sends a fresh one-time code to the link's operator in chat (queued with the code in one
 * transaction). The code goes nowhere else: not into the page, not into logs.
 */
export async function sendCode(ctx: Koa.Context, deps: BotDeps, gate: Gate, what: string): Promise<string> {
  await issueCode(deps.core, gate.subject, gate.operator.id, async (code, t) => {
    await deps.notifier.toOperator(
      gate.operator,
      {
        title: '网页操作验证码',
        text: `${what}\n验证码: ${code} (5 分钟内有效)\n只在你本人打开的页面里输入; 不是你本人在操作请忽略, 不要转发给别人。`,
      },
      null,
      t,
    );
  });
  (ctx.state.log ?? deps.core.logger).info({ subject: gate.subject, operatorId: gate.operator.id }, 'page code sent');
  return `验证码已发到 ${gate.operator.displayName} 的聊天消息, 5 分钟内有效。请在下面输入。`;
}

const CODE_TEXT: Record<Exclude<CodeCheck, { ok: true }>['reason'], string> = {
  none: '验证码无效或已用过, 请点「发送验证码」重新获取。',
  expired: '验证码已过期 (5 分钟), 请点「发送验证码」重新获取。',
  void: '验证码错误次数过多, 已作废, 请点「发送验证码」重新获取。',
  wrong: '',
};

/**
 * Establishes that the person posting is the link's operator: this browser's session, or a
 * correct code (which starts the session, so a retry needs no new code). Null when proven.
 */
export async function prove(
  ctx: Koa.Context,
  deps: BotDeps,
  gate: Gate,
  entered: string | null,
): Promise<Refusal | null> {
  const { core } = deps;
  if (sessionOperator(ctx, core) === gate.operator.id) return null;
  if (!entered?.trim())
    return { status: 401, text: '请先验证身份: 点「发送验证码」, 再输入聊天消息里收到的 6 位验证码。' };
  const check = await useCode(core, gate.subject, gate.operator.id, entered.slice(0, 20));
  if (check.ok) {
    startSession(ctx, core, gate.operator.id);
    return null;
  }
  (ctx.state.log ?? core.logger).warn(
    { subject: gate.subject, operatorId: gate.operator.id, reason: check.reason },
    'page code refused',
  );
  return {
    status: 401,
    text: check.reason === 'wrong' ? `验证码不正确, 还可以再试 ${check.remaining} 次。` : CODE_TEXT[check.reason],
  };
}

/**
 * The person-check and decision forms of a page at `base` (e.g. /approvals/12): 发送验证码
 * first; then the code field with the decision; once proven, the decision alone.
 */
export function gateForms(
  ctx: Koa.Context,
  deps: BotDeps,
  gate: Gate,
  opts: { base: string; token: string; stage: Stage; decision: string },
): string {
  const hidden = `<input type="hidden" name="t" value="${esc(opts.token)}"><input type="hidden" name="csrf" value="${esc(csrfToken(ctx, deps.core, gate.subject))}">`;
  const send = (label: string) =>
    `<form method="post" action="${esc(opts.base)}/code">${hidden}<button type="submit">${label}</button></form>`;
  const decide = (codeField: string) =>
    `<form method="post" action="${esc(opts.base)}">${hidden}${codeField}${opts.decision}</form>`;
  const name = esc(gate.operator.displayName);
  if (opts.stage.kind === 'session')
    return `<p class="msg">已验证: ${name} (30 分钟内在本浏览器无需再输验证码)</p>${decide('')}`;
  if (opts.stage.kind === 'none') {
    return `${notice(`为确认是 ${gate.operator.displayName} 本人操作, 请先获取验证码: 它会发到 ${gate.operator.displayName} 的聊天消息里。`)}${send('发送验证码')}`;
  }
  const field = `<p><label>验证码 (发到 ${name} 的聊天消息, 还可以输错 ${opts.stage.remaining} 次)<br><input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required></label></p>`;
  return `${decide(field)}<p>没收到?</p>${send('发送验证码')}`;
}
