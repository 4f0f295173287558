import crypto from 'node:crypto';
import type Router from '@koa/router';
import { UniqueConstraintError } from 'sequelize';
import type { Actor, Core } from '../core/context.js';
import { deactivate } from '../core/customers/status.js';
import { localTime } from '../core/deletion/approvals.js';
import { isDomainError } from '../core/errors.js';
import { keepCustomer } from '../core/review/keep.js';
import { ledgerFreshness } from '../core/ledger/freshness.js';
import type { Operator } from '../models/index.js';
import type { BotDeps } from './commands/context.js';
import { readRawBody } from './http-door.js';

/** Review links live as long as a weekly digest is relevant. */
const LINK_TTL_MS = 7 * 86400_000;

interface Claims {
  /** customer code */
  c: string;
  /** operator id the link was sent to */
  o: number;
  /** expiry, ms */
  e: number;
  /** nonce: the link acts once */
  n: string;
}

function mac(core: Core, body: string): string {
  return crypto.createHmac('sha256', `review-link:${core.keys.sessionSecret}`).update(body).digest('base64url');
}

/** A signed link to the review page for one customer, bound to the operator it was sent to (DingTalk cards cannot call back). */
export function reviewLink(core: Core, code: string, operator: Pick<Operator, 'id'>): string {
  const claims: Claims = { c: code, o: operator.id, e: core.now().getTime() + LINK_TTL_MS, n: crypto.randomBytes(9).toString('base64url') };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${core.config.PUBLIC_URL}/review/${encodeURIComponent(code)}?t=${body}.${mac(core, body)}`;
}

/** Checks a review-link token for a customer; the claims, or a Chinese reason. */
export function verifyReviewToken(core: Core, code: string, token: string): { ok: true; claims: Claims } | { ok: false; reason: string } {
  const [body, sig] = token.split('.');
  if (!body || !sig) return { ok: false, reason: '链接不完整, 请从钉钉消息里重新打开。' };
  const expected = mac(core, body);
  if (sig.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) return { ok: false, reason: '链接签名无效, 请从钉钉消息里重新打开。' };
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claims;
  if (claims.c !== code) return { ok: false, reason: '链接与客户不符。' };
  if (claims.e <= core.now().getTime()) return { ok: false, reason: '链接已过期 (7 天), 请在聊天里发「不活跃客户」重新查看。' };
  return { ok: true, claims };
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:480px;margin:24px auto;padding:0 16px;color:#222}
dt{color:#666;font-size:14px}dd{margin:0 0 12px}button{font-size:16px;padding:8px 20px;margin-right:12px;border:0;border-radius:4px;color:#fff}
.off{background:#b42318}.keep{background:#1a7f37}.msg{padding:12px;border-radius:4px;background:#f4f4f5}</style></head><body><h2>${esc(title)}</h2>${body}</body></html>`;
}

/** The signed, single-use page behind the 停用/保留 links of a DingTalk review digest. */
export function mountReviewPage(router: Router, deps: BotDeps): void {
  const { core } = deps;

  router.get('/review/:code', async function reviewForm(ctx) {
    const token = String(ctx.query.t ?? '');
    const check = verifyReviewToken(core, ctx.params.code!, token);
    ctx.type = 'html';
    if (!check.ok) {
      ctx.status = 403;
      ctx.body = page('无法打开', `<p class="msg">${esc(check.reason)}</p>`);
      return;
    }
    const c = await core.models.Customer.findOne({ where: { code: check.claims.c } });
    if (!c) {
      ctx.status = 404;
      ctx.body = page('无法打开', '<p class="msg">客户不存在。</p>');
      return;
    }
    // Without order data "never ordered" would be a guess: say what is known instead.
    const ledger = await ledgerFreshness(core);
    const last = c.lastOrderAt ? localTime(core, c.lastOrderAt).slice(0, 10) : ledger.notice ? `未知 (${ledger.notice})` : '从未下单';
    const form = c.status === 'active'
      ? `<form method="post"><input type="hidden" name="t" value="${esc(token)}"><button class="off" name="decision" value="deactivate">停用 (长期无交易)</button><button class="keep" name="decision" value="keep">保留 ${core.config.REVIEW_KEEP_DAYS} 天</button></form>`
      : `<p class="msg">客户当前不是启用状态, 无需处理。</p>`;
    ctx.body = page(`不活跃客户 ${c.code}`, `<dl><dt>客户</dt><dd>${esc(c.code)} ${esc(c.name)}</dd><dt>最近下单</dt><dd>${esc(last)}</dd></dl>${form}`);
  });

  router.post('/review/:code', async function reviewDecision(ctx) {
    const form = new URLSearchParams(await readRawBody(ctx, 8 * 1024));
    const check = verifyReviewToken(core, ctx.params.code!, form.get('t') ?? '');
    ctx.type = 'html';
    const fail = (status: number, text: string) => {
      ctx.status = status;
      ctx.body = page('未完成', `<p class="msg">${esc(text)}</p>`);
    };
    if (!check.ok) return fail(403, check.reason);
    const decision = form.get('decision');
    if (decision !== 'deactivate' && decision !== 'keep') return fail(400, '请选择停用或保留。');
    const operator = await core.models.Operator.findByPk(check.claims.o);
    if (!operator?.active) return fail(403, '账号不可用。');
    try {
      await core.models.BotInbound.create({ door: 'page', messageKey: `review-link:${check.claims.n}`, receivedAt: core.now(), reply: null, status: 'done' });
    } catch (err) {
      if (err instanceof UniqueConstraintError) return fail(409, '这个链接已经用过了。');
      throw err;
    }
    const actor: Actor = { operator, door: 'dingtalk', requestId: `review-page:${check.claims.n}` };
    try {
      if (decision === 'deactivate') {
        const c = await deactivate(core, actor, check.claims.c, { reason: '长期无交易' });
        ctx.body = page('已停用', `<p class="msg">已停用客户 ${esc(c.code)} ${esc(c.name)} (原因: 长期无交易)。如需恢复合作, 在聊天里发「启用客户 ${esc(c.code)}」。</p>`);
      } else {
        const k = await keepCustomer(core, actor, check.claims.c);
        ctx.body = page('已保留', `<p class="msg">已保留客户 ${esc(k.code)} ${esc(k.name)}, ${esc(localTime(core, k.until).slice(0, 10))} 前不再提醒。</p>`);
      }
    } catch (err) {
      if (isDomainError(err)) return fail(err.status, err.message);
      throw err;
    }
  });
}
