import { Op } from 'sequelize';
import type { Core } from '../context.js';
import type { InactiveCustomer } from './inactive.js';
import { select, asCount } from '../reports/sql.js';

/** One manager's line in the group summary. */
export interface OwnerSummary {
  ownerId: number | null;
  owner: string;
  inactive: number;
  /** Decisions since the previous review: 保留 and 停用 (原因 长期无交易). */
  kept: number;
  deactivated: number;
}

export interface ReviewSummary {
  /** When the previous (real, not dry) review ran; null for the first one. */
  previousAt: Date | null;
  inactive: number;
  kept: number;
  deactivated: number;
  owners: OwnerSummary[];
}

/** The start of the last successful review that was not a dry run, before `before`. */
export async function previousReviewAt(core: Core, before: Date): Promise<Date | null> {
  const run = await core.models.JobRun.findOne({
    where: { job: 'inactive-review', status: 'succeeded', dryRun: false, startedAt: { [Op.lt]: before } },
    order: [['startedAt', 'DESC']],
  });
  return run?.startedAt ?? null;
}

/** Decisions per owner since `since`: 保留 from customer_keeps, 停用 for 长期无交易 from the customers still inactive. */
async function decisionsSince(
  core: Core,
  since: Date,
): Promise<Map<number | null, { kept: number; deactivated: number }>> {
  const kept = await select<{ ownerId: number | null; n: unknown }>(
    core,
    'SELECT owner_id AS ownerId, COUNT(DISTINCT customer_id) AS n FROM customer_keeps WHERE kept_at >= :since GROUP BY owner_id',
    { since },
  );
  const off = await select<{ ownerId: number | null; n: unknown }>(
    core,
    "SELECT owner_id AS ownerId, COUNT(*) AS n FROM customers WHERE status = 'inactive' AND deactivation_reason = '长期无交易' AND deactivated_at >= :since GROUP BY owner_id",
    { since },
  );
  const out = new Map<number | null, { kept: number; deactivated: number }>();
  const key = (v: number | null) => (v === null ? null : Number(v));
  for (const r of kept) out.set(key(r.ownerId), { kept: asCount(r.n), deactivated: 0 });
  for (const r of off) out.set(key(r.ownerId), { kept: out.get(key(r.ownerId))?.kept ?? 0, deactivated: asCount(r.n) });
  return out;
}

/** Inactive counts per manager plus how many were handled since the previous review. */
export async function reviewSummary(
  core: Core,
  customers: InactiveCustomer[],
  previousAt: Date | null,
): Promise<ReviewSummary> {
  const handled = previousAt
    ? await decisionsSince(core, previousAt)
    : new Map<number | null, { kept: number; deactivated: number }>();
  const owners = new Map<number | null, OwnerSummary>();
  const names = new Map<number, string>();
  for (const op of await core.models.Operator.findAll({ attributes: ['id', 'displayName'] }))
    names.set(op.id, op.displayName);
  const entry = (ownerId: number | null): OwnerSummary => {
    const found = owners.get(ownerId);
    if (found) return found;
    const made = {
      ownerId,
      owner: ownerId === null ? '未分配负责人' : (names.get(ownerId) ?? `操作员 #${ownerId}`),
      inactive: 0,
      kept: 0,
      deactivated: 0,
    };
    owners.set(ownerId, made);
    return made;
  };
  for (const c of customers) entry(c.ownerId).inactive++;
  for (const [ownerId, h] of handled) Object.assign(entry(ownerId), h);
  const list = [...owners.values()].sort((a, b) => b.inactive - a.inactive || a.owner.localeCompare(b.owner, 'zh-CN'));
  return {
    previousAt,
    inactive: customers.length,
    owners: list,
    kept: list.reduce((s, o) => s + o.kept, 0),
    deactivated: list.reduce((s, o) => s + o.deactivated, 0),
  };
}
