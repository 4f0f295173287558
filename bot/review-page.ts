import crypto from 'node:crypto';
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Actor, Core } from '../core/context.js';
import { deactivate } from '../core/customers/status.js';
import { localTime } from '../core/deletion/approvals.js';
import { isDomainError } from '../core/errors.js';
import { keepCustomer } from '../core/review/keep.js';
import { ledgerFreshness } from '../core/ledger/freshness.js';
import type { Customer, Operator } from '../models/index.js';
import { isLostRace } from '../models/tx.js';
import { verifySigned, type TokenCheck } from './approval-token.js';
import type { BotDeps } from './commands/context.js';
import { readRawBody } from './http-door.js';
import { esc, facts, notice, page } from './pages/html.js';
import { gateForms, prove, refusePost, sendCode, stageFor, type Gate, type Stage } from './pages/identity.js';
import { mayTransition } from '../core/customers/lifecycle.js';

/** Review links live as long as a weekly digest is relevant. */
const LINK_TTL_MS = 7 * 86400_000;

interface Claims {
  /** customer code */
  c: string;
  /** operator id the link was sent to */
  o: number;
  /** expiry, ms */
  e: number;
  /** nonce: a successful decision uses the link up */
  n: string;
}

function mac(core: Core, body: string): string {
  return crypto.createHmac('sha256', `review-link:${core.keys.sessionSecret}`).update(body).digest('base64url');
}

/** A signed link to the review page for one customer, bound to the operator it was sent to (DingTalk cards cannot call back). */
export function reviewLink(core: Core, code: string, operator: Pick<Operator, 'id'>): string {
  const claims: Claims = {
    c: code,
    o: operator.id,
    e: core.now().getTime() + LINK_TTL_MS,
    n: crypto.randomBytes(9).toString('base64url'),
  };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${core.config.PUBLIC_URL}/review/${encodeURIComponent(code)}?t=${body}.${mac(core, body)}`;
}

/** Checks a review-link token for a customer; the claims, or a status and a Chinese reason. */
export function verifyReviewToken(core: Core, code: string, token: string | null | undefined): TokenCheck<Claims> {
  const check = verifySigned<Claims>(
    token,
    (body) => mac(core, body),
    (c) => typeof c.c === 'string' && Number.isInteger(c.o) && typeof c.e === 'number' && typeof c.n === 'string',
  );
  if (!check.ok) return check;
  if (check.claims.c !== code) return { ok: false, status: 403, reason: '链接与客户不符。' };
  if (check.claims.e <= core.now().getTime())
    return { ok: false, status: 403, reason: '链接已过期 (7 天), 请在聊天里发「不活跃客户」重新查看。' };
  return check;
}

interface Opened extends Gate {
  customer: Customer;
  claims: Claims;
  token: string;
}

const linkKey = (claims: Claims) => `review-link:${claims.n}`;

function bare(ctx: Koa.Context, status: number, title: string, text: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = page(title, notice(text, status >= 400));
}

/** Checks the link; answers 400/403/404 itself and returns null when it fails. */
async function open(ctx: Koa.Context, deps: BotDeps, token: string | null): Promise<Opened | null> {
  const code = String(ctx.params.code ?? '').slice(0, 64);
  const check = verifyReviewToken(deps.core, code, token);
  if (!check.ok) {
    bare(ctx, check.status, '无法打开', check.reason);
    return null;
  }
  const customer = await deps.core.models.Customer.findOne({ where: { code: check.claims.c } });
  const operator = await deps.core.models.Operator.findByPk(check.claims.o);
  if (!customer || !operator) {
    bare(ctx, 404, '无法打开', '客户不存在。');
    return null;
  }
  return { customer, operator, claims: check.claims, token: token!, subject: `review:${customer.code}` };
}

async function render(
  ctx: Koa.Context,
  deps: BotDeps,
  o: Opened,
  opts: { status?: number; text?: string; error?: boolean; stage?: Stage } = {},
): Promise<void> {
  const { core } = deps;
  const c = o.customer;
  // Without order data "never ordered" would be a guess: say what is known instead.
  const ledger = await ledgerFreshness(core);
  const last = c.lastOrderAt
    ? localTime(core, c.lastOrderAt).slice(0, 10)
    : ledger.notice
      ? `未知 (${ledger.notice})`
      : '从未下单';
  const used = await core.models.BotInbound.findOne({ where: { door: 'page', messageKey: linkKey(o.claims) } });
  let forms: string;
  if (used) forms = notice('这个链接已经用过了。');
  else if (!mayTransition(c.status, 'keep')) forms = notice('客户当前不是启用状态, 无需处理。');
  else if (!o.operator.active) forms = notice('账号已停用, 不能在这里处理。', true);
  else {
    const decision = `<button class="off" name="decision" value="deactivate">停用 (长期无交易)</button><button class="keep" name="decision" value="keep">保留 ${core.config.REVIEW_KEEP_DAYS} 天</button>`;
    forms = gateForms(ctx, deps, o, {
      base: `/review/${encodeURIComponent(c.code)}`,
      token: o.token,
      stage: opts.stage ?? (await stageFor(ctx, deps, o)),
      decision,
    });
  }
  ctx.status = opts.status ?? 200;
  ctx.type = 'html';
  ctx.body = page(
    `不活跃客户 ${c.code}`,
    `${notice(opts.text ?? '', opts.error)}${facts([
      ['客户', `${esc(c.code)} ${esc(c.name)}`],
      ['最近下单', esc(last)],
    ])}${forms}`,
  );
}

/**
 * Claims the link for one decision; a refused decision gives it back, so only a success uses
 * the link up. False when it was used already.
 */
async function claimLink(deps: BotDeps, claims: Claims): Promise<boolean> {
  try {
    await deps.core.models.BotInbound.create({
      door: 'page',
      messageKey: linkKey(claims),
      receivedAt: deps.core.now(),
      reply: null,
      status: 'done',
    });
    return true;
  } catch (err) {
    if (isLostRace(err)) return false;
    throw err;
  }
}

/** Deactivates the customer; the page says how to bring them back. */
async function deactivatePage(core: Core, actor: Actor, code: string): Promise<string> {
  const c = await deactivate(core, actor, code, { reason: '长期无交易' });
  return page(
    '已停用',
    notice(`已停用客户 ${c.code} ${c.name} (原因: 长期无交易)。如需恢复合作, 在聊天里发「启用客户 ${c.code}」。`),
  );
}

/** Keeps the customer; the page says until when the review stays quiet. */
async function keepPage(core: Core, actor: Actor, code: string): Promise<string> {
  const k = await keepCustomer(core, actor, code);
  return page(
    '已保留',
    notice(`已保留客户 ${k.code} ${k.name}, ${localTime(core, k.until).slice(0, 10)} 前不再提醒。`),
  );
}

/** The page behind the 停用/保留 links of a review digest; a one-time code in chat proves who clicks. */
export function mountReviewPage(router: Router, deps: BotDeps): void {
  const { core } = deps;

  router.get('/review/:code', async function reviewForm(ctx) {
    const o = await open(ctx, deps, typeof ctx.query.t === 'string' ? ctx.query.t : null);
    if (o) await render(ctx, deps, o);
  });

  router.post('/review/:code/code', async function reviewCode(ctx) {
    const form = new URLSearchParams(await readRawBody(ctx, 8 * 1024));
    const o = await open(ctx, deps, form.get('t'));
    if (!o) return;
    const refused = refusePost(ctx, deps, o, form);
    if (refused) return bare(ctx, refused.status, '未完成', refused.text);
    if (!mayTransition(o.customer.status, 'keep') || !o.operator.active) return render(ctx, deps, o, { status: 409 });
    try {
      await render(ctx, deps, o, {
        text: await sendCode(ctx, deps, o, `你正在网页上处理不活跃客户 ${o.customer.code} (停用或保留)。`),
      });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      await render(ctx, deps, o, { status: err.status, text: err.message, error: true });
    }
  });

  router.post('/review/:code', async function reviewDecision(ctx) {
    const form = new URLSearchParams(await readRawBody(ctx, 8 * 1024));
    const o = await open(ctx, deps, form.get('t'));
    if (!o) return;
    const refused = refusePost(ctx, deps, o, form);
    if (refused) return bare(ctx, refused.status, '未完成', refused.text);
    const decision = form.get('decision');
    if (decision !== 'deactivate' && decision !== 'keep')
      return render(ctx, deps, o, { status: 400, text: '请选择停用或保留。', error: true });
    const unproven = await prove(ctx, deps, o, form.get('code'));
    if (unproven) return render(ctx, deps, o, { status: unproven.status, text: unproven.text, error: true });
    const session: Stage = { kind: 'session' };
    if (!o.operator.active)
      return render(ctx, deps, o, { status: 403, text: '账号不可用。', error: true, stage: session });
    if (!(await claimLink(deps, o.claims))) return bare(ctx, 409, '未完成', '这个链接已经用过了。');
    const actor: Actor = {
      operator: o.operator,
      door: 'page',
      requestId: `review-page:${o.customer.code}:${crypto.randomBytes(4).toString('hex')}`,
    };
    try {
      ctx.type = 'html';
      ctx.body = await (decision === 'deactivate' ? deactivatePage : keepPage)(core, actor, o.customer.code);
    } catch (err) {
      // Refused: give the link back, so it works again once the cause is gone.
      await core.models.BotInbound.destroy({ where: { door: 'page', messageKey: linkKey(o.claims) } });
      if (!isDomainError(err)) throw err;
      await o.customer.reload();
      await render(ctx, deps, o, { status: err.status, text: err.message, error: true, stage: session });
    }
  });
}
