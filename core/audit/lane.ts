import { QueryTypes, type Transaction } from 'sequelize';
import type { Core } from '../context.js';

/*
 * Which lane of the audit chain this instance appends to. Galera numbers its nodes through
 * auto_increment_offset (wsrep_auto_increment_control), so instances on different nodes write
 * different audit_head rows and never fail certification against each other; instances on one
 * node share a lane and queue on its row lock like any single server. Any lane is correct (each
 * lane is a chain of its own under the same key); the choice only spreads the writes.
 */

const REFRESH_MS = 60_000;
const cache = new WeakMap<Core, { lane: number; at: number }>();

/** AUDIT_LANE when set, else the lane of the node this instance's connections reach (1 on SQLite and on a plain server). */
export async function auditLane(core: Core, t?: Transaction): Promise<number> {
  const { sequelize } = core.models;
  if (core.config.AUDIT_LANE) return core.config.AUDIT_LANE;
  if (sequelize.getDialect() === 'sqlite') return 1;
  const hit = cache.get(core);
  if (hit && Date.now() - hit.at < REFRESH_MS) return hit.lane;
  const [row] = await sequelize.query<{ lane: number | string }>('SELECT @@auto_increment_offset AS lane', {
    type: QueryTypes.SELECT,
    transaction: t,
  });
  const lane = Math.max(1, Number(row?.lane ?? 1) || 1);
  cache.set(core, { lane, at: Date.now() });
  return lane;
}
