import { Transaction, type Sequelize } from 'sequelize';

const queues = new WeakMap<Sequelize, Promise<unknown>>();
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

function mysqlCode(err: unknown): string | undefined {
  const e = err as { original?: { code?: string }; parent?: { code?: string } };
  return e?.original?.code ?? e?.parent?.code;
}

/**
 * Runs `fn` in one transaction (or inside `outer` when given).
 * SQLite: transactions are queued in-process and begin IMMEDIATE, since it has one writer.
 * MySQL: a deadlock or lock-wait timeout is retried up to three times.
 */
export async function withTransaction<T>(sequelize: Sequelize, fn: (t: Transaction) => Promise<T>, outer?: Transaction | null): Promise<T> {
  if (outer) return fn(outer);
  if (sequelize.getDialect() === 'sqlite') {
    const prev = queues.get(sequelize) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, fn));
    queues.set(sequelize, run.catch(() => undefined));
    return run;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await sequelize.transaction(fn);
    } catch (err) {
      if (attempt >= 3 || !RETRYABLE.has(mysqlCode(err) ?? '')) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 30));
    }
  }
}

/** MySQL errors that mean "another writer got there first" when they hit a claim. */
const LOST_RACE_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const LOST_RACE_ERRNOS = new Set([1213, 1205]);

/**
 * True when a claim (an INSERT into a unique key, a conditional UPDATE) lost to another writer:
 * a unique violation, or, on a multi-master cluster (Galera, TiDB) where the conflict surfaces at
 * certification instead, a deadlock (1213) or lock-wait timeout (1205). Callers stand down.
 */
export function isLostRace(err: unknown): boolean {
  const e = err as { name?: string; original?: { code?: string; errno?: number }; parent?: { code?: string; errno?: number }; code?: string; errno?: number };
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'SequelizeUniqueConstraintError') return true;
  for (const src of [e.original, e.parent, e]) {
    if (!src) continue;
    if (src.code && LOST_RACE_CODES.has(src.code)) return true;
    if (typeof src.errno === 'number' && LOST_RACE_ERRNOS.has(src.errno)) return true;
  }
  return false;
}
