import type Router from '@koa/router';
import { UniqueConstraintError } from 'sequelize';
import type { Actor } from '../core/context.js';
import { approve, localTime, reject } from '../core/deletion/approvals.js';
import { isDomainError } from '../core/errors.js';
import { readHandling, type HandlingRecord } from '../core/ledger/handling.js';
import { verifyApprovalToken } from './approval-token.js';
import type { BotDeps } from './commands/context.js';
import { readRawBody } from './http-door.js';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:480px;margin:24px auto;padding:0 16px;color:#222}
dt{color:#666;font-size:14px}dd{margin:0 0 12px}textarea{width:100%;min-height:64px}button{font-size:16px;padding:8px 20px;margin-right:12px;border:0;border-radius:4px;color:#fff}
.ok{background:#1a7f37}.no{background:#b42318}.msg{padding:12px;border-radius:4px;background:#f4f4f5}</style></head><body><h2>${esc(title)}</h2>${body}</body></html>`;
}

/** The 关联数据处理记录 as a list: every check, how each blocker cleared, the requester's note. */
function handlingHtml(record: HandlingRecord | null): string {
  if (!record || !record.lines.length) return '无';
  return `<ul data-testid="handling">${record.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`;
}

/** The signed, single-use approval page that DingTalk card buttons open. */
export function mountApprovalPage(router: Router, deps: BotDeps): void {
  const { core } = deps;

  router.get('/approvals/:id', async function approvalForm(ctx) {
    const id = Number(ctx.params.id);
    const token = String(ctx.query.t ?? '');
    const check = verifyApprovalToken(core, id, token);
    ctx.type = 'html';
    if (!check.ok) {
      ctx.status = 403;
      ctx.body = page('无法打开审批', `<p class="msg">${esc(check.reason)}</p>`);
      return;
    }
    const request = await core.models.ApprovalRequest.findByPk(id);
    const approver = await core.models.Operator.findByPk(check.claims.a);
    if (!request || !approver) {
      ctx.status = 404;
      ctx.body = page('无法打开审批', '<p class="msg">审批单不存在。</p>');
      return;
    }
    const customer = await core.models.Customer.findByPk(request.customerId);
    const decided = request.status !== 'pending' ? `<p class="msg">该申请已处理 (${esc({ approved: '已同意', rejected: '已拒绝', expired: '已过期' }[request.status as string] ?? request.status)})。</p>` : '';
    ctx.body = page(`删除客户审批 #${request.id}`, `<dl><dt>客户</dt><dd>${esc(request.customerCode)} ${esc(customer?.name)}</dd><dt>原因</dt><dd>${esc(request.reason)}</dd>
<dt>有效期至</dt><dd>${esc(localTime(core, request.expiresAt))}</dd><dt>审批人</dt><dd>${esc(approver.displayName)}</dd>
<dt>关联数据处理记录</dt><dd>${handlingHtml(readHandling(request.handling))}</dd></dl>${decided || `<form method="post">
<input type="hidden" name="t" value="${esc(token)}"><p><label>理由 (拒绝时填写)<br><textarea name="note" maxlength="500"></textarea></label></p>
<button class="ok" name="decision" value="approve">同意</button><button class="no" name="decision" value="reject">拒绝</button></form>`}`);
  });

  router.post('/approvals/:id', async function approvalDecision(ctx) {
    const id = Number(ctx.params.id);
    const form = new URLSearchParams(await readRawBody(ctx, 8 * 1024));
    const check = verifyApprovalToken(core, id, form.get('t') ?? '');
    ctx.type = 'html';
    const fail = (status: number, text: string) => {
      ctx.status = status;
      ctx.body = page('审批未完成', `<p class="msg">${esc(text)}</p>`);
    };
    if (!check.ok) return fail(403, check.reason);
    const decision = form.get('decision');
    if (decision !== 'approve' && decision !== 'reject') return fail(400, '请选择同意或拒绝。');
    try {
      await core.models.BotInbound.create({ door: 'page', messageKey: `approval-link:${check.claims.n}`, receivedAt: core.now(), reply: null, status: 'done' });
    } catch (err) {
      if (err instanceof UniqueConstraintError) return fail(409, '这个审批链接已经用过了。');
      throw err;
    }
    const operator = await core.models.Operator.findByPk(check.claims.a);
    if (!operator?.active) return fail(403, '审批人账号不可用。');
    const actor: Actor = { operator, door: 'dingtalk', requestId: `approval-page:${id}` };
    try {
      if (decision === 'approve') {
        const r = await approve(core, actor, id);
        const until = localTime(core, r.restorableUntil!).slice(0, 10);
        await deps.notifier.approvalDecided(r.request, operator, `你申请删除的客户 ${r.request.customerCode} 已由 ${operator.displayName} 同意删除。快照保存在回收站第 ${r.recycleEntryId} 条, ${until} 前可用「恢复客户 ${r.request.customerCode}」恢复。`);
        ctx.body = page('已同意', `<p class="msg">客户 ${esc(r.request.customerCode)} 已删除, 进入回收站, ${esc(until)} 前可恢复。</p>`);
      } else {
        const r = await reject(core, actor, id, form.get('note') ?? '');
        await deps.notifier.approvalDecided(r.request, operator, `你申请删除的客户 ${r.request.customerCode} 被 ${operator.displayName} 拒绝${r.request.decisionNote ? `, 理由: ${r.request.decisionNote}` : ''}。`);
        ctx.body = page('已拒绝', `<p class="msg">已拒绝删除客户 ${esc(r.request.customerCode)}。</p>`);
      }
    } catch (err) {
      if (isDomainError(err)) return fail(err.status, err.message);
      throw err;
    }
  });
}
