import crypto from 'node:crypto';
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Actor } from '../core/context.js';
import { approve, localTime, reject } from '../core/deletion/approvals.js';
import type { Blocker } from '../core/deletion/precheck.js';
import { isDomainError } from '../core/errors.js';
import { DOOR_NAMES, readHandling, type HandlingRecord } from '../core/ledger/handling.js';
import { requestHistoryText } from '../core/deletion/history.js';
import type { ApprovalRequest, Operator } from '../models/index.js';
import { verifyApprovalToken } from './approval-token.js';
import type { BotDeps } from './commands/context.js';
import { readRawBody } from './http-door.js';
import { esc, facts, notice, page } from './pages/html.js';
import { gateForms, prove, refusePost, sendCode, stageFor, type Gate, type Stage } from './pages/identity.js';

/** A request behind a valid link, with its approver. */
interface Opened extends Gate {
  request: ApprovalRequest;
  token: string;
}

const STAGES: Record<string, string> = { precheck: '删除前检查', request: '提交申请时检查', approval: '审批时复查' };
const STATUS: Record<string, string> = { approved: '已同意', rejected: '已拒绝', expired: '已过期' };

/** The 关联数据处理记录 as a list: every check, how each blocker cleared, the requester's note. */
function handlingHtml(record: HandlingRecord | null): string {
  if (!record || !record.lines.length) return '无';
  return `<ul data-testid="handling">${record.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`;
}

/** The blockers the last delete check of the customer found, with when and by whom. */
async function lastCheckHtml(deps: BotDeps, customerId: number): Promise<string> {
  const last = await deps.core.models.DeletionCheck.findOne({
    where: { customerId },
    order: [
      ['at', 'DESC'],
      ['id', 'DESC'],
    ],
  });
  if (!last) return '尚无检查记录';
  let blockers: Blocker[] = [];
  try {
    blockers = JSON.parse(last.blockers) as Blocker[];
  } catch {
    blockers = [];
  }
  const head = `${esc(localTime(deps.core, last.at))} ${esc(STAGES[last.stage] ?? last.stage)} (${esc(last.operatorName)} · ${esc(DOOR_NAMES[last.door] ?? last.door)})`;
  if (!blockers.length) return `${head}: 无未了结业务`;
  return `${head}:<ul data-testid="blockers">${blockers.map((b) => `<li>${esc(b.text)}</li>`).join('')}</ul>`;
}

/** Writes a page with only a message. */
function bare(ctx: Koa.Context, status: number, title: string, text: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = page(title, notice(text, status >= 400));
}

/** Checks the id and link; answers 400/403/404 itself and returns null when they fail. */
async function open(ctx: Koa.Context, deps: BotDeps, token: string | null): Promise<Opened | null> {
  const raw = ctx.params.id ?? '';
  if (!/^\d{1,9}$/.test(raw)) {
    bare(ctx, 404, '无法打开审批', '审批单不存在。');
    return null;
  }
  const id = Number(raw);
  const check = verifyApprovalToken(deps.core, id, token);
  if (!check.ok) {
    bare(ctx, check.status, '无法打开审批', check.reason);
    return null;
  }
  const request = await deps.core.models.ApprovalRequest.findByPk(id);
  const operator = await deps.core.models.Operator.findByPk(check.claims.a);
  if (!request || !operator) {
    bare(ctx, 404, '无法打开审批', '审批单不存在。');
    return null;
  }
  return { request, operator, token: token!, subject: `approval:${id}` };
}

/** The whole approval page: what is asked, then the person check and the decision. */
async function render(
  ctx: Koa.Context,
  deps: BotDeps,
  o: Opened,
  opts: { status?: number; text?: string; error?: boolean; stage?: Stage } = {},
): Promise<void> {
  const { core } = deps;
  const r = o.request;
  const customer = await core.models.Customer.findByPk(r.customerId);
  const requester: Operator | null = await core.models.Operator.findByPk(r.requesterId);
  const about = facts([
    ['客户', `${esc(r.customerCode)} ${esc(customer?.name)}`],
    ['合作历史', `<span data-testid="history">${esc(requestHistoryText(r) || '—').replace(/\n/g, '<br>')}</span>`],
    ['原因', esc(r.reason)],
    ['申请人', esc(requester?.displayName ?? `#${r.requesterId}`)],
    ['申请时间', esc(localTime(core, r.createdAt))],
    ['有效期至', esc(localTime(core, r.expiresAt))],
    ['审批人', esc(o.operator.displayName)],
    ['最近一次检查的未了结业务', await lastCheckHtml(deps, r.customerId)],
    ['关联数据处理记录', handlingHtml(readHandling(r.handling))],
  ]);
  let forms: string;
  if (r.status !== 'pending') forms = notice(`该申请已处理 (${STATUS[r.status] ?? r.status})。`);
  else if (!o.operator.active) forms = notice('审批人账号已停用, 不能在这里审批。', true);
  else {
    const decision =
      '<p><label>理由 (拒绝时填写)<br><textarea name="note" maxlength="500"></textarea></label></p><button class="ok" name="decision" value="approve">同意</button><button class="no" name="decision" value="reject">拒绝</button>';
    forms = gateForms(ctx, deps, o, {
      base: `/approvals/${r.id}`,
      token: o.token,
      stage: opts.stage ?? (await stageFor(ctx, deps, o)),
      decision,
    });
  }
  ctx.status = opts.status ?? 200;
  ctx.type = 'html';
  ctx.body = page(`删除客户审批 #${r.id}`, `${notice(opts.text ?? '', opts.error)}${about}${forms}`);
}

async function readForm(ctx: Koa.Context): Promise<URLSearchParams> {
  return new URLSearchParams(await readRawBody(ctx, 8 * 1024));
}

/** Approves the deletion, tells the requester in chat and shows where the snapshot went. */
async function approveOnPage(ctx: Koa.Context, deps: BotDeps, actor: Actor, requestId: number): Promise<void> {
  const { operator } = actor;
  const r = await approve(deps.core, actor, requestId);
  const until = localTime(deps.core, r.restorableUntil!).slice(0, 10);
  await deps.notifier.approvalDecided(
    r.request,
    operator,
    `你申请删除的客户 ${r.request.customerCode} 已由 ${operator.displayName} 同意删除。快照保存在回收站第 ${r.recycleEntryId} 条, ${until} 前可用「恢复客户 ${r.request.customerCode}」恢复。`,
  );
  ctx.type = 'html';
  ctx.body = page('已同意', notice(`客户 ${r.request.customerCode} 已删除, 进入回收站, ${until} 前可恢复。`));
}

/** Rejects the deletion with the approver's note and tells the requester in chat. */
async function rejectOnPage(
  ctx: Koa.Context,
  deps: BotDeps,
  actor: Actor,
  requestId: number,
  note: string,
): Promise<void> {
  const { operator } = actor;
  const r = await reject(deps.core, actor, requestId, note);
  await deps.notifier.approvalDecided(
    r.request,
    operator,
    `你申请删除的客户 ${r.request.customerCode} 被 ${operator.displayName} 拒绝${r.request.decisionNote ? `, 理由: ${r.request.decisionNote}` : ''}。`,
  );
  ctx.type = 'html';
  ctx.body = page('已拒绝', notice(`已拒绝删除客户 ${r.request.customerCode}。`));
}

/**
 * The approval page that the chat cards link to. The link names the request and the approver;
 * a one-time code sent to that approver in chat proves who clicks. Only a decision ends the
 * link's use: a refusal (a blocker not cleared yet) leaves it working.
 */
export function mountApprovalPage(router: Router, deps: BotDeps): void {
  router.get('/approvals/:id', async function approvalForm(ctx) {
    const o = await open(ctx, deps, typeof ctx.query.t === 'string' ? ctx.query.t : null);
    if (o) await render(ctx, deps, o);
  });

  router.post('/approvals/:id/code', async function approvalCode(ctx) {
    const form = await readForm(ctx);
    const o = await open(ctx, deps, form.get('t'));
    if (!o) return;
    const refused = refusePost(ctx, deps, o, form);
    if (refused) return bare(ctx, refused.status, '操作未完成', refused.text);
    if (o.request.status !== 'pending' || !o.operator.active) return render(ctx, deps, o, { status: 409 });
    try {
      const text = await sendCode(
        ctx,
        deps,
        o,
        `你正在网页上审批删除客户 ${o.request.customerCode} 的申请 #${o.request.id}。`,
      );
      await render(ctx, deps, o, { text });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      await render(ctx, deps, o, { status: err.status, text: err.message, error: true });
    }
  });

  router.post('/approvals/:id', async function approvalDecision(ctx) {
    const form = await readForm(ctx);
    const o = await open(ctx, deps, form.get('t'));
    if (!o) return;
    const refused = refusePost(ctx, deps, o, form);
    if (refused) return bare(ctx, refused.status, '审批未完成', refused.text);
    const decision = form.get('decision');
    if (decision !== 'approve' && decision !== 'reject')
      return render(ctx, deps, o, { status: 400, text: '请选择同意或拒绝。', error: true });
    const unproven = await prove(ctx, deps, o, form.get('code'));
    if (unproven) return render(ctx, deps, o, { status: unproven.status, text: unproven.text, error: true });
    const operator = o.operator;
    if (!operator.active)
      return render(ctx, deps, o, { status: 403, text: '审批人账号不可用。', error: true, stage: { kind: 'session' } });
    // The page has always acted as the DingTalk door; the correlation id tells each attempt apart.
    const actor: Actor = {
      operator,
      door: 'page',
      requestId: `approval-page:${o.request.id}:${crypto.randomBytes(4).toString('hex')}`,
    };
    try {
      if (decision === 'approve') await approveOnPage(ctx, deps, actor, o.request.id);
      else await rejectOnPage(ctx, deps, actor, o.request.id, form.get('note') ?? '');
    } catch (err) {
      if (!isDomainError(err)) throw err;
      // Nothing was used up: the same link (and this browser's session) can try again.
      await o.request.reload();
      await render(ctx, deps, o, { status: err.status, text: err.message, error: true, stage: { kind: 'session' } });
    }
  });
}
