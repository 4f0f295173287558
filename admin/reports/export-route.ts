import type Router from '@koa/router';
import type { Core } from '../../core/context.js';
import { isDomainError } from '../../core/errors.js';
import { isReportKind, reportParams, reportWorkbook } from '../../core/reports/index.js';
import { ADMIN_DATA_ROUTES, XLSX, attachment, gate } from '../data/routes.js';

/**
 * 导出 on the report pages: a form POST (CSRF-checked like every other write) with the page's
 * filters, answered with the report's .xlsx, built by core from the same figures the page shows.
 */
export function reportExportRoute(core: Core, router: Router): void {
  router.post(`${ADMIN_DATA_ROUTES.reportExport.replace(/^\/admin/, '')}/:kind`, async function reportExport(ctx) {
    const actor = gate(ctx, 'export');
    if (!actor) return;
    const kind = ctx.params.kind;
    if (!isReportKind(kind)) {
      ctx.status = 404;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = '没有这个报表。';
      return;
    }
    try {
      const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
      const { fileName, buffer } = await reportWorkbook(core, actor, kind, reportParams(body));
      ctx.type = XLSX;
      attachment(ctx, fileName);
      ctx.body = buffer;
    } catch (err) {
      if (!isDomainError(err)) throw err;
      ctx.status = err.status;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = err.message;
    }
  });
}
