/** The Chinese names of the scheduled jobs and of their runs' states: jobs/, the CLI and the back office share them. */
export const JOB_TITLES: Record<string, string> = {
  'approval-expiry': '审批过期处理',
  backup: '每日备份',
  'inactive-review': '不活跃客户审查',
  'integrity-check': '数据完整性验证',
  'jsherp-sync': 'jshERP 同步',
  'monthly-report': '月度客户分析',
  'reactivate-due': '到期自动启用',
  'recycle-purge': '回收站到期清除',
  'audit-checkpoint': '审计校验点',
};

export const JOB_STATUS_LABELS: Record<string, string> = {
  running: '运行中',
  succeeded: '成功',
  failed: '失败',
  skipped: '跳过',
};

export const JOB_TRIGGER_LABELS: Record<string, string> = { schedule: '定时', manual: '手动' };

/** A job's Chinese name; an unknown one (a job since removed) keeps its key. */
export const jobTitle = (name: string): string => JOB_TITLES[name] ?? name;

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六', '日'];
const hm = (h: string, m: string) => `${h.padStart(2, '0')}:${m.padStart(2, '0')}`;
const num = /^\d+$/;

/**
 * A cron expression as a person reads it (「每天 03:00」, 「每周一 08:30」, 「每月 1 日 09:00」,
 * 「每 5 分钟」); anything less common keeps the expression itself.
 */
export function cronText(expr: string): string {
  const [m = '', h = '', dom = '', mon = '', dow = '', ...rest] = expr.trim().split(/\s+/);
  if (rest.length || mon !== '*') return expr;
  const every = /^\*\/(\d+)$/.exec(m);
  if (every && h === '*' && dom === '*' && dow === '*') return `每 ${every[1]} 分钟`;
  if (!num.test(m)) return expr;
  if (h === '*' && dom === '*' && dow === '*') return `每小时第 ${Number(m)} 分`;
  if (!num.test(h)) return expr;
  if (dom === '*' && dow === '*') return `每天 ${hm(h, m)}`;
  if (dom === '*' && /^\d(,\d)*$/.test(dow))
    return `每周${dow
      .split(',')
      .map((d) => WEEKDAYS[Number(d)] ?? d)
      .join('、')} ${hm(h, m)}`;
  if (num.test(dom) && dow === '*') return `每月 ${Number(dom)} 日 ${hm(h, m)}`;
  return expr;
}

/** The time zone's Chinese name where it has a common one; else the IANA name (it is data). */
export const timezoneText = (tz: string): string =>
  ({ 'Asia/Shanghai': '北京时间', 'Asia/Chongqing': '北京时间', 'Asia/Hong_Kong': '香港时间', 'Asia/Taipei': '台北时间' })[
    tz
  ] ?? tz;
