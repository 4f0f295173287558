import fs from 'node:fs';
import type { ActionRequest } from 'adminjs';
import type { Transaction } from 'sequelize';
import type { Actor, Core } from '../../core/context.js';
import type { ApprovalNotifier } from '../../core/notify-port.js';
import { recodePlanText } from '../../core/customers/recode/format.js';
import { previewRecode, recodeApprovers, recodeReason, requestRecode } from '../../core/customers/recode/request.js';
import { parseRecodeText, readRecodeSheet } from '../../core/customers/recode/sheet.js';
import type { RecodePair, RecodePlan } from '../../core/customers/recode/plan.js';
import { localTime } from '../../core/deletion/approvals.js';
import type { CustomerRecode } from '../../models/index.js';
import { COMPONENTS } from '../components.js';
import { text, throughCore } from '../features/core-errors.js';
import { permit } from '../features/permissions.js';

/** An uploaded file as koa2-formidable (formidable 1) hands it over. */
interface UploadedFile {
  path: string;
  name: string | null;
}

function uploadedFile(payload: Record<string, unknown> | undefined): UploadedFile | null {
  const f = payload?.file as Partial<UploadedFile> | undefined;
  return f && typeof f === 'object' && typeof f.path === 'string' ? { path: f.path, name: f.name ?? null } : null;
}

/** The lines asked for: an uploaded sheet (.xlsx/.xls/.csv, read by core like the CLI's) wins over pasted rows. */
async function formPairs(core: Core, request: ActionRequest, upload: UploadedFile | null): Promise<RecodePair[]> {
  if (upload) return readRecodeSheet(core, upload.path, (upload.name ?? '').trim() || '上传的文件');
  return parseRecodeText(text(request.payload, 'rows') ?? '');
}

/**
 * 批量改编码 on the 编码检查 page: the columns (旧编码, 新编码, optional 原因) pasted or uploaded as a sheet; without
 * `submit` a dry run (nothing written), with it a request for another approver's OK, exactly as
 * 改编码 in chat and `steward codes recode --commit`.
 */
export function recodeActions(core: Core, notifier?: ApprovalNotifier) {
  return {
    bulkRecode: {
      actionType: 'resource' as const,
      icon: 'Edit',
      component: COMPONENTS.RecodeAction,
      ...permit('edit'),
      handler: throughCore(async (request, _context, actor) => {
        if (request.method !== 'post') return {};
        const upload = uploadedFile(request.payload);
        try {
          return await bulkRecode(core, request, actor, await formPairs(core, request, upload), notifier);
        } finally {
          // The browser sends the file again on 提交审批; nothing is kept between the two.
          if (upload) fs.rmSync(upload.path, { force: true });
        }
      }),
    },
  };
}

/** The dry run, or (submit) the request for approval, of the lines the form gave. */
async function bulkRecode(
  core: Core,
  request: ActionRequest,
  actor: Actor,
  pairs: RecodePair[],
  notifier?: ApprovalNotifier,
) {
  const reason = text(request.payload, 'reason') ?? '';
  if (text(request.payload, 'submit') !== 'true') {
    const plan = await previewRecode(core, actor, pairs);
    const shown = recodeReason(reason, pairs);
    return {
      plan: {
        rows: plan.rows.length,
        problems: plan.problems.length,
        reasonFromSheet: !reason && Boolean(shown),
        text: recodePlanText(plan, shown || undefined, 200),
      },
    };
  }
  const toOperator = notifier?.toOperator?.bind(notifier);
  const notify = toOperator
    ? async (t: Transaction, r: CustomerRecode, plan: RecodePlan) => {
        const body = `${recodePlanText(plan, r.reason)}\n申请人: ${r.requesterName}\n有效期至: ${localTime(core, r.expiresAt)}\n可回复「批准改编码 ${r.id}」或「驳回改编码 ${r.id} 理由」。`;
        for (const a of await recodeApprovers(core, r, t))
          await toOperator(a, { title: `改编码审批 #${r.id}`, text: body }, `recode:${r.id}`, t);
      }
    : undefined;
  const { recode, plan } = await requestRecode(core, actor, pairs, reason, { notify });
  return {
    notice: {
      message: `已提交改编码申请 #${recode.id} (${plan.rows.length} 个客户), 等待另一位审批人批准 (${localTime(core, recode.expiresAt)} 前有效)。`,
      type: 'success' as const,
    },
  };
}
