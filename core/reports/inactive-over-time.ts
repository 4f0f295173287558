import { Op } from 'sequelize';
import type { Actor, Core } from '../context.js';
import { assertCan } from '../permissions.js';
import { addMonths, monthStart, recentMonths } from './periods.js';

/**
 * Audit actions whose diff can move a customer into or out of 停用: the lifecycle ones, edits
 * (an import's update may set 状态) and imports (creates count when their entries carry a status).
 */
export const STATUS_EVENT_ACTIONS = [
  'customer.create',
  'customer.edit',
  'customer.deactivate',
  'customer.reactivate',
  'customer.delete',
  'customer.restore',
  'customer.import',
  'customer.import-undo',
];

export interface InactivePoint {
  month: string;
  /** Customers in 停用 at the end of the month (now, for the current month). */
  inactive: number;
}

type Side = { status?: unknown; created?: { status?: unknown }[] } | null | undefined;

/** +1 / -1 / 0: how an event changed the number of 停用 customers (a batch import may add several). */
function statusDelta(diff: string): number {
  try {
    const d = JSON.parse(diff) as { before?: Side; after?: Side };
    const created = Array.isArray(d.after?.created)
      ? d.after!.created.filter((c) => c?.status === 'inactive').length
      : 0;
    return created + (d.after?.status === 'inactive' ? 1 : 0) - (d.before?.status === 'inactive' ? 1 : 0);
  } catch {
    return 0;
  }
}

/**
 * How many customers were 停用 at the end of each of the last `months` months. Starts from
 * today's indexed count and walks back through the audit trail's status changes in the window,
 * so it costs one count and one range read on audit_events(at), however old the data is.
 */
export async function inactiveOverTime(
  core: Core,
  actor: Actor,
  opts: { months?: number } = {},
): Promise<InactivePoint[]> {
  assertCan(actor.operator, 'view');
  const keys = recentMonths(core, Math.min(Math.max(opts.months ?? 12, 1), 60));
  const tz = core.config.STEWARD_TIMEZONE;
  const ends = keys.map((k) => monthStart(addMonths(k, 1), tz));
  const [current, events] = await Promise.all([
    core.models.Customer.count({ where: { status: 'inactive' } }),
    core.models.AuditEvent.findAll({
      where: { at: { [Op.gte]: monthStart(keys[0]!, tz) }, action: { [Op.in]: STATUS_EVENT_ACTIONS } },
      attributes: ['at', 'diff'],
      raw: true,
    }),
  ]);
  const deltas = events
    .map((e) => ({ at: new Date(e.at).getTime(), delta: statusDelta(e.diff) }))
    .filter((e) => e.delta !== 0);
  return keys.map((month, i) => {
    const end = ends[i]!.getTime();
    const later = deltas.reduce((s, e) => (e.at >= end ? s + e.delta : s), 0);
    return { month, inactive: Math.max(current - later, 0) };
  });
}
