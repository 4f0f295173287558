import type { Core } from '../../core/context.js';
import { localTime } from '../../core/deletion/approvals.js';
import { FIELD_LABELS } from '../../core/customers/schema.js';
import { STATUS_LABELS } from '../../core/customers/view.js';
import { DOOR_LABELS } from './labels.js';

/** Chinese names of the keys that appear in audit diffs, job details and backup manifests. */
const NAMES: Record<string, string> = {
  ...FIELD_LABELS,
  status: '状态',
  previousStatus: '原状态',
  deactivationReason: '停用原因',
  deactivationMemo: '停用备注',
  reactivateOn: '停用至',
  owner: '负责人',
  region: '区域',
  mergedInto: '并入客户',
  created: '新建',
  amount: '金额',
  paid: '已收',
  total: '合计',
  quantity: '数量',
  orderDate: '下单日期',
  date: '日期',
  to: '改为',
  reason: '原因',
  memo: '备注',
  until: '停用至',
  note: '备注',
  requestId: '审批单',
  requesterId: '申请人',
  requesterName: '申请人',
  requester: '申请人',
  requesterNote: '申请人备注',
  approvalId: '审批单',
  recycleEntryId: '回收站条目',
  decisionNote: '审批意见',
  expiresAt: '有效期至',
  mergeId: '合并单',
  survivor: '保留客户',
  absorbed: '并入客户',
  moved: '转移的记录',
  restored: '已恢复',
  removed: '已删除',
  replaced: '已替换',
  changed: '已修改',
  fields: '字段',
  batchId: '导入批次',
  batch: '导入批次',
  fileName: '文件名',
  file: '文件',
  format: '格式',
  rowNo: '行号',
  row: '行',
  rows: '各表行数',
  count: '数量',
  counts: '数量',
  channel: '聊天渠道',
  externalId: '聊天账号',
  operatorId: '操作员',
  role: '角色',
  scopes: '权限范围',
  source: '来源',
  kind: '类型',
  via: '途径',
  why: '原因',
  result: '结果',
  number: '单号',
  ref: '引用',
  keepDays: '保留天数',
  tenantId: '租户',
  jshId: 'jshERP 编号',
  redactedEvents: '已脱敏的审计记录',
  columns: '列',
  codes: '客户编码',
  other: '另一个客户',
  otherId: '另一个客户',
  action: '操作',
  info: '说明',
  // job details
  path: '备份文件',
  sha256: 'SHA-256',
  pruned: '已清理的旧备份',
  problems: '问题',
  overdue: '逾期的审批单',
  expired: '已过期的审批单',
  merges: '合并申请',
  checkpoint: '审计检查点',
  id: '编号',
  hash: '哈希',
  at: '时间',
  sig: '签名',
  days: '天数',
  ledger: '进销存数据',
  customers: '客户',
  duplicates: '疑似重复',
  ok: '通过',
  findings: '发现的问题',
  audit: '审计链',
  messages: '消息',
  toGroup: '发到群',
  due: '到期客户',
  reactivated: '已启用',
  failed: '失败',
  purged: '已清除',
  redacted: '已脱敏',
  // tables (backup manifests)
  operators: '操作员',
  operator_identities: '聊天账号',
  products: '产品',
  sales_orders: '销售订单',
  receivables: '应收款',
  reservations: '库存预留',
  approval_requests: '审批单',
  recycle_entries: '回收站',
  code_sequences: '编码序号',
  audit_events: '审计日志',
  audit_head: '审计链头',
  steward_meta: '系统设置',
  import_batches: '导入批次',
  import_rows: '导入行',
  customer_keeps: '保留决定',
  ledger_feeds: '进销存数据源',
  deletion_checks: '删除检查记录',
  api_tokens: 'API 令牌',
  webhook_subscriptions: 'Webhook 订阅',
  jsherp_links: 'jshERP 对应关系',
  jsherp_candidates: 'jshERP 待确认客户',
  jsherp_state: 'jshERP 同步状态',
  customer_merges: '合并记录',
  customer_recodes: '改编码申请',
  list_entries: '客户分类和区域',
  admin_sessions: '后台登录会话',
  ledger_events: '进销存单据事件',
  ledger_documents: '进销存单据',
  webhook_deliveries: 'Webhook 投递记录',
  job_runs: '任务运行',
  backup_records: '备份记录',
  jsherp_writes: 'jshERP 回写',
  bot_outbox: '待发消息',
  bot_inbound: '收到的消息',
  bot_conversations: '对话',
  api_idempotency: 'API 幂等记录',
  approval_codes: '审批验证码',
  socket_leases: '长连接租约',
  webhook_attempts: 'Webhook 投递尝试',
  customer_aliases: '客户别名',
  duplicate_dismissals: '已排除的疑似重复',
};

const VALUE_NAMES: Record<string, Record<string, string>> = {
  status: {
    ...STATUS_LABELS,
    pending: '待审批',
    approved: '已批准',
    rejected: '已驳回',
    done: '已完成',
    cancelled: '已取消',
    confirmed: '已确认',
    shipped: '已发货',
    completed: '已完成',
    open: '未结清',
    settled: '已结清',
    released: '已释放',
  },
  previousStatus: STATUS_LABELS,
  via: DOOR_LABELS,
};

/** A key's Chinese name; unknown keys (new ones) show as they are. */
export const nameOf = (key: string): string => NAMES[key] ?? key;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

type OperatorName = (id: number) => string | undefined;

/** Keys whose numbers are operator ids, shown as the operator's name. */
const OPERATOR_KEYS = new Set(['ownerId', 'operatorId', 'requesterId']);

/** Masked personal data, a list, or an object as 名称: 值 pairs. */
function readableComposite(core: Core, key: string, v: object, operatorName?: OperatorName): string {
  if ('pii' in v) return '●●● (个人信息, 需「查看」权限)';
  if (Array.isArray(v)) return v.map((x) => readableValue(core, key, x, operatorName)).join('、') || '—';
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${nameOf(k)}: ${readableValue(core, k, x, operatorName)}`)
    .join('; ');
}

/** A plain value, in Chinese where the key has named values (状态, 途径). */
function namedValue(key: string, v: unknown): string {
  const text = String(v);
  return VALUE_NAMES[key]?.[text] ?? text;
}

/** One value as a person reads it: 是/否, local times, Chinese states, masked personal data. */
export function readableValue(core: Core, key: string, v: unknown, operatorName?: OperatorName): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'string' && ISO.test(v)) return localTime(core, new Date(v));
  if (OPERATOR_KEYS.has(key) && typeof v === 'number') return operatorName?.(v) ?? `#${v}`;
  if (typeof v === 'object') return readableComposite(core, key, v, operatorName);
  return namedValue(key, v);
}

/** An object as rows of [名称, 值] (job details, verify details, table row counts). */
export function detailRows(core: Core, detail: unknown): string[][] {
  if (detail === null || detail === undefined) return [];
  if (typeof detail !== 'object' || Array.isArray(detail)) return [['内容', readableValue(core, '', detail)]];
  return Object.entries(detail as Record<string, unknown>).map(([k, v]) => [nameOf(k), readableValue(core, k, v)]);
}

/** An audit event's diff ({before, after, info}) as rows of [字段, 原值, 新值]. */
export function diffRows(core: Core, diffJson: string, operatorName?: (id: number) => string | undefined): string[][] {
  let diff: {
    before?: Record<string, unknown> | null;
    after?: Record<string, unknown> | null;
    info?: Record<string, unknown>;
  };
  try {
    diff = JSON.parse(diffJson) as typeof diff;
  } catch {
    return [['内容', diffJson, '']];
  }
  const before = diff.before ?? {};
  const after = diff.after ?? {};
  let keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  // Newer edits store the owner's name beside the id: show the name once.
  if (keys.includes('owner')) keys = keys.filter((k) => k !== 'ownerId');
  // A field stored on both sides with the same value (or empty on both) changed nothing: leave it out.
  const plain = (v: unknown) => JSON.stringify(v === '' || v === undefined ? null : v);
  keys = keys.filter((k) => plain(before[k]) !== plain(after[k]));
  const rows = keys.map((k) => [
    nameOf(k),
    readableValue(core, k, before[k], operatorName),
    readableValue(core, k, after[k], operatorName),
  ]);
  for (const [k, v] of Object.entries(diff.info ?? {}))
    rows.push([nameOf(k), '', readableValue(core, k, v, operatorName)]);
  return rows;
}

/** Operator ids → names, for the ids a set of diffs mention (one query). */
export async function operatorNames(core: Core, diffs: string[]): Promise<(id: number) => string | undefined> {
  const ids = new Set<number>();
  for (const d of diffs)
    for (const m of d.matchAll(/"(?:ownerId|operatorId|requesterId)":(\d+)/g)) ids.add(Number(m[1]));
  if (!ids.size) return () => undefined;
  const rows = await core.models.Operator.findAll({ where: { id: [...ids] }, attributes: ['id', 'displayName'] });
  const byId = new Map(rows.map((r) => [r.id, r.displayName]));
  return (id) => byId.get(id);
}
