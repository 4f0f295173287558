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
