import fs from 'node:fs';
import path from 'node:path';
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Core } from '../../core/context.js';
import archiver from 'archiver';
import { backupForDownload, exportCustomers, templateWorkbook, type ExportFormat } from '../../core/data/index.js';
import { isDomainError } from '../../core/errors.js';
import { can, type Action as CoreAction } from '../../core/permissions.js';
import { CUSTOMER_STATUSES, type CustomerStatus } from '../../models/index.js';
import { adminActor, type SessionUser } from '../auth/session.js';
import { findStaged, incomingDir, stageDir, stagedFiles } from './staging.js';

/** The download routes, under /admin (so the admin session and its login redirect apply). */
export const ADMIN_DATA_ROUTES = {
  template: '/admin/steward/import-template.xlsx',
  errorReport: '/admin/steward/import-errors',
  export: '/admin/steward/export',
  backupDownload: '/admin/steward/backup-download',
  reportExport: '/admin/steward/report-export',
} as const;

/** The largest upload the back office accepts: an .xlsx is compressed, so 64 MB is far above 200k rows. */
export function uploadLimitMb(core: Core): number {
  return Math.min(64, core.config.IMPORT_MAX_UNZIPPED_MB);
}

/** Options for koa2-formidable: uploads land under DATA_DIR (same disk as staging) and are capped. */
export function formidableOptions(core: Core) {
  fs.mkdirSync(incomingDir(core), { recursive: true });
  return { uploadDir: incomingDir(core), maxFileSize: uploadLimitMb(core) * 1024 * 1024, maxFields: 50 };
}

type Files = Record<string, { path?: string } | { path?: string }[]>;

/**
 * Refuses an oversized upload with 413 and a Chinese message (before and while formidable reads
 * it), and deletes whatever temp files a request left behind, whether or not an action used them.
 */
export function uploadGuard(core: Core): Koa.Middleware {
  const max = uploadLimitMb(core) * 1024 * 1024;
  const tooBig = (ctx: Koa.Context) => {
    ctx.status = 413;
    ctx.body = {
      notice: {
        type: 'error',
        message: `文件太大: 后台上传上限为 ${uploadLimitMb(core)} MB。请拆成几个文件, 或在服务器上用命令行 steward import 导入。`,
      },
    };
  };
  return async function uploadGuard(ctx, next) {
    if (ctx.method === 'POST' && Number(ctx.get('content-length') || 0) > max + 1024 * 1024) return tooBig(ctx);
    try {
      await next();
    } catch (err) {
      if (!/maxFileSize exceeded/.test(String((err as Error)?.message))) throw err;
      tooBig(ctx);
    } finally {
      const files = (ctx.request as { files?: Files }).files ?? {};
      for (const f of Object.values(files).flat()) if (f?.path) fs.rmSync(f.path, { force: true });
    }
  };
}

/** The operator of the request's admin session, refused with 403 and a Chinese text without the permission (any one of a list). */
export function gate(ctx: Koa.Context, action: CoreAction | CoreAction[]) {
  const actor = adminActor(
    ctx.session?.adminUser as SessionUser | undefined,
    ctx.state.requestId as string | undefined,
  );
  if (!actor.operator.id) ctx.throw(401, '登录已过期, 请重新登录。');
  if (![action].flat().some((a) => can(actor.operator, a))) {
    ctx.status = 403;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = '你没有权限执行这个操作。如需开通, 请联系管理员。';
    return null;
  }
  return actor;
}

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function attachment(ctx: Koa.Context, name: string) {
  ctx.set(
    'Content-Disposition',
    `attachment; filename="${encodeURIComponent(name).replace(/%/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  );
}

/** Streams a finished file and deletes it once sent (or the client went away). */
function sendAndDelete(ctx: Koa.Context, file: string) {
  const stream = fs.createReadStream(file);
  stream.on('close', () => fs.rmSync(file, { force: true }));
  ctx.body = stream;
}

function localDate(core: Core): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: core.config.STEWARD_TIMEZONE }).format(core.now());
}

/** 导出: the customer list as CSV or Excel; full phone numbers only with revealPersonal as well. */
async function sendExport(core: Core, ctx: Koa.Context): Promise<void> {
  const actor = gate(ctx, 'export');
  if (!actor) return;
  const body = (ctx.request as { body?: Record<string, string> }).body ?? {};
  const format: ExportFormat = body.format === 'xlsx' ? 'xlsx' : 'csv';
  const status = CUSTOMER_STATUSES.includes(body.status as CustomerStatus)
    ? (body.status as CustomerStatus)
    : undefined;
  const reveal = ['true', 'on', '1'].includes(String(body.reveal ?? ''));
  if (reveal && !gate(ctx, 'revealPersonal')) return;
  const out = path.join(
    stageDir(core),
    `export-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.${format}`,
  );
  try {
    await exportCustomers(core, actor, out, { format, reveal, ...(status ? { status } : {}) });
  } catch (err) {
    if (!isDomainError(err)) throw err;
    ctx.status = err.status;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = err.message;
    return;
  }
  ctx.type = format === 'xlsx' ? XLSX : 'text/csv; charset=utf-8';
  attachment(ctx, `客户-${localDate(core)}${reveal ? '-含完整手机号' : ''}.${format}`);
  sendAndDelete(ctx, out);
}

/** Registers 下载导入模板, 下载错误报告 and 导出 on the authenticated admin router. */
export function dataRoutes(core: Core, router: Router): void {
  const local = (url: string) => url.replace(/^\/admin/, '');
  router.get(local(ADMIN_DATA_ROUTES.template), async function importTemplate(ctx) {
    if (!gate(ctx, 'import')) return;
    ctx.type = XLSX;
    attachment(ctx, '客户导入模板.xlsx');
    ctx.body = await templateWorkbook(core);
  });

  router.get(`${local(ADMIN_DATA_ROUTES.errorReport)}/:id`, async function importErrors(ctx) {
    // The uploader's own report (findStaged checks the operator): customer imports, and 导入单据 (orders or receivables).
    const actor = gate(ctx, ['import', 'orders', 'payments']);
    if (!actor) return;
    try {
      const meta = findStaged(core, ctx.params.id, actor.operator.id, false);
      if (!meta.hasErrorReport) ctx.throw(404);
      ctx.type = XLSX;
      attachment(ctx, `${path.parse(meta.fileName).name}-错误行.xlsx`);
      ctx.body = fs.createReadStream(stagedFiles(core, meta.id).errors);
    } catch (err) {
      if (!isDomainError(err) && (err as { status?: number }).status !== 404) throw err;
      ctx.status = 404;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = '错误报告已过期或不存在 (上传后 1 小时内有效)。请重新上传文件预检。';
    }
  });

  router.post(local(ADMIN_DATA_ROUTES.export), async function exportDownload(ctx) {
    await sendExport(core, ctx);
  });

  // A POST (with the form's CSRF protection), because it writes an audit event.
  router.post(`${local(ADMIN_DATA_ROUTES.backupDownload)}/:id`, async function backupDownload(ctx) {
    const actor = gate(ctx, 'backup');
    if (!actor) return;
    try {
      const { dir, fileName } = await backupForDownload(core, actor, Number(ctx.params.id) || 0);
      const zip = archiver('zip', { store: true });
      zip.directory(dir, path.basename(dir));
      void zip.finalize();
      ctx.type = 'application/zip';
      attachment(ctx, fileName);
      ctx.body = zip;
    } catch (err) {
      if (!isDomainError(err)) throw err;
      ctx.status = err.status;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = err.message;
    }
  });
}
