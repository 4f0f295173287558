import { Transaction, type Sequelize } from 'sequelize';

const queues = new WeakMap<Sequelize, Promise<unknown>>();

/** mysql2 codes/errnos of a lock conflict: 1213 deadlock (and Galera's certification failure), 1205 lock-wait timeout. */
const CONFLICT_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const CONFLICT_ERRNOS = new Set([1213, 1205]);

/** How many times a whole transaction runs before a conflict reaches the caller. */
export const TX_ATTEMPTS = 8;

type DriverError = { name?: string; code?: string; errno?: number; original?: DriverError; parent?: DriverError };

/**
 * True when `err` (raw mysql2, or wrapped by sequelize in `original`/`parent`) is a deadlock or
 * lock-wait timeout. On Galera a conflict between nodes surfaces as 1213 at COMMIT.
 */
export function isLockConflict(err: unknown): boolean {
  const e = err as DriverError | null;
  if (!e || typeof e !== 'object') return false;
  for (const src of [e.original, e.parent, e]) {
    if (!src) continue;
    if (src.code && CONFLICT_CODES.has(src.code)) return true;
    if (typeof src.errno === 'number' && CONFLICT_ERRNOS.has(src.errno)) return true;
  }
  return false;
}

/**
 * The wait before try `attempt` + 1: exponential with full jitter (10 ms · 2^n, capped at 400 ms),
 * so writers that collided on one node do not collide again in lock step.
 */
export function conflictBackoffMs(attempt: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(400, 10 * 2 ** attempt));
}

/** For tests: replaces the backoff sleep (no wall-clock waits in tests). */
export const txTiming = { sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

/**
 * Runs `fn` in one transaction (or inside `outer` when given).
 * SQLite: transactions are queued in-process and begin IMMEDIATE, since it has one writer.
 * MySQL/MariaDB/Galera: a deadlock or lock-wait timeout rolls the whole transaction back, so the
 * whole of `fn` is run again, up to TX_ATTEMPTS times with jittered backoff. `fn` must therefore
 * keep its effects inside `t` (outbox rows, afterCommit hooks), which every core write does.
 */
export async function withTransaction<T>(
  sequelize: Sequelize,
  fn: (t: Transaction) => Promise<T>,
  outer?: Transaction | null,
): Promise<T> {
  if (outer) return fn(outer);
  if (sequelize.getDialect() === 'sqlite') {
    const prev = queues.get(sequelize) ?? Promise.resolve();
    const run = prev
      .catch(() => undefined)
      .then(() => sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, fn));
    queues.set(
      sequelize,
      run.catch(() => undefined),
    );
    return run;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await sequelize.transaction(fn);
    } catch (err) {
      if (attempt >= TX_ATTEMPTS || !isLockConflict(err)) throw err;
      await txTiming.sleep(conflictBackoffMs(attempt));
    }
  }
}

/**
 * True when a claim (an INSERT into a unique key, a conditional UPDATE) lost to another writer:
 * a unique violation, or, on a multi-master cluster (Galera, TiDB) where the conflict surfaces at
 * certification instead, a deadlock (1213) or lock-wait timeout (1205). Callers stand down.
 */
export function isLostRace(err: unknown): boolean {
  const e = err as DriverError | null;
  if (!e || typeof e !== 'object') return false;
  return e.name === 'SequelizeUniqueConstraintError' || isLockConflict(err);
}

/**
 * `work`'s result, or `lost` when it lost a lock conflict to another writer (an instance that got
 * there first): for background passes whose next round redoes what this one could not.
 */
export async function unlessLockConflict<T>(work: Promise<T>, lost: T): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isLockConflict(err)) return lost;
    throw err;
  }
}

/** Driver codes that mean the database server cannot be reached or is not serving (not a bug in us). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_UNKNOWN_COM_ERROR',
  'SQLITE_BUSY',
]);
/** 1047: a Galera node outside the primary component ("WSREP has not yet prepared node"); 2006/2013: server gone. */
const UNAVAILABLE_ERRNOS = new Set([1047, 2006, 2013]);

/**
 * True when `err` says the database is down or unreachable (a dead node, a lost connection, a
 * Galera node that left the cluster), so a door can answer 「数据库暂时不可用」 instead of a 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as DriverError | null;
  if (!e || typeof e !== 'object') return false;
  if (/^Sequelize(Connection|HostNotFound|HostNotReachable)/.test(e.name ?? '')) return true;
  for (const src of [e.original, e.parent, e]) {
    if (!src) continue;
    if (src.code && UNAVAILABLE_CODES.has(src.code)) return true;
    if (typeof src.errno === 'number' && UNAVAILABLE_ERRNOS.has(src.errno)) return true;
  }
  return false;
}

/** What a chat user or API client is told while the database is unreachable. */
export const DATABASE_UNAVAILABLE_TEXT = '数据库暂时不可用, 请稍后重试。';
