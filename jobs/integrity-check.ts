import { integrityReport, integrityText } from '../core/review/integrity.js';
import { notifyAdmins } from './runner.js';
import type { Job } from './types.js';
import { JOB_TITLES } from '../core/job-labels.js';

/** The weekly 数据完整性验证, reported to the admins (the same report as `steward check`). */
export const integrityCheckJob: Job = {
  name: 'integrity-check',
  title: JOB_TITLES['integrity-check']!,
  schedule: '0 4 * * 0',
  async run({ core, notifier, dryRun }) {
    const report = await integrityReport(core);
    const text = integrityText(report);
    const problems = report.findings.filter((f) => f.count > 0);
    if (!dryRun) await notifyAdmins(core, notifier, '每周数据完整性验证', text, 'job:integrity-check');
    const summary = `${report.ok ? '通过' : '发现问题'}: ${problems.length ? problems.map((f) => `${f.title} ${f.count}`).join('; ') : '未发现问题'}${dryRun ? ' (试运行, 未通知管理员)' : ''}。`;
    return { summary, detail: { ok: report.ok, findings: report.findings, audit: report.audit } };
  },
};
