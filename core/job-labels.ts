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
const days = (dow: string) =>
  dow
    .split(',')
    .map((d) => WEEKDAYS[Number(d)])
    .join('、');

/** The shapes people schedule most, as [minute, hour, day of month, month, weekday] patterns and their wording. */
const SHAPES: [RegExp[], (f: string[]) => string][] = [
  [[/^\*\/\d+$/, /^\*$/, /^\*$/, /^\*$/, /^\*$/], ([m]) => `每 ${m!.slice(2)} 分钟`],
  [[/^\d+$/, /^\*$/, /^\*$/, /^\*$/, /^\*$/], ([m]) => `每小时第 ${Number(m)} 分`],
  [[/^\d+$/, /^\d+$/, /^\*$/, /^\*$/, /^\*$/], ([m, h]) => `每天 ${hm(h!, m!)}`],
  [[/^\d+$/, /^\d+$/, /^\*$/, /^\*$/, /^[0-7](,[0-7])*$/], ([m, h, , , d]) => `每周${days(d!)} ${hm(h!, m!)}`],
  [[/^\d+$/, /^\d+$/, /^\d+$/, /^\*$/, /^\*$/], ([m, h, dom]) => `每月 ${Number(dom)} 日 ${hm(h!, m!)}`],
];

/**
 * A cron expression as a person reads it (「每天 03:00」, 「每周一 08:30」, 「每月 1 日 09:00」,
 * 「每 5 分钟」); anything less common keeps the expression itself.
 */
export function cronText(expr: string): string {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return expr;
  const shape = SHAPES.find(([pattern]) => pattern.every((re, i) => re.test(fields[i]!)));
  return shape ? shape[1](fields) : expr;
}

/** The time zone's Chinese name where it has a common one; else the IANA name (it is data). */
export const timezoneText = (tz: string): string =>
  ({
    'Asia/Shanghai': '北京时间',
    'Asia/Chongqing': '北京时间',
    'Asia/Hong_Kong': '香港时间',
    'Asia/Taipei': '台北时间',
  })[tz] ?? tz;
