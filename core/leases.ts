import { Op, literal, type Sequelize } from 'sequelize';
import { isLostRace } from '../models/tx.js';
import type { Core } from './context.js';

/*
 * Named leases: at most one live holder per name, renewed by that holder, taken over by another
 * once expired. Every time stamp and every expiry check uses the database's clock, in SQL, never
 * the instance's: two instances on machines whose clocks disagree still agree on who holds a
 * lease. (core.now() is deliberately not used here; tests move it by hours, which must not
 * expire a live lease.) Each step is one autocommit statement, so no transaction is held open.
 */

/** The longest lease name and holder the table stores. */
export const LEASE_NAME_MAX = 191;

/** What an acquire attempt found. */
export type AcquireResult =
  | { acquired: true; takeover: boolean; previousHolder: string | null }
  | { acquired: false; holder: string | null };

/** One lease as /healthz or `steward status` shows it. */
export interface LeaseInfo {
  name: string;
  /** null when released. */
  holder: string | null;
  expiresAt: Date;
  renewedAt: Date;
  acquiredAt: Date;
  /** True while the holder's lease has not expired, by the database's clock. */
  live: boolean;
}

/** SQL for "now" and "now + ms" on the database's clock, in the format Sequelize stores dates. */
function dbClock(sequelize: Sequelize): { now: string; plus(ms: number): string } {
  if (sequelize.getDialect() === 'sqlite') {
    // Sequelize stores SQLite dates as 'YYYY-MM-DD HH:MM:SS.SSS +00:00'; the same text compares in order.
    const at = (mod: string) => `(strftime('%Y-%m-%d %H:%M:%f', 'now'${mod}) || ' +00:00')`;
    return { now: at(''), plus: (ms) => at(`, '+${(ms / 1000).toFixed(3)} seconds'`) };
  }
  // DATETIME columns hold UTC (the connection's timezone is +00:00).
  return { now: 'UTC_TIMESTAMP(3)', plus: (ms) => `(UTC_TIMESTAMP(3) + INTERVAL ${ms * 1000} MICROSECOND)` };
}

function checkArgs(name: string, holder: string, ttlMs?: number): void {
  if (!name || name.length > LEASE_NAME_MAX) throw new RangeError(`lease name must be 1..${LEASE_NAME_MAX} characters`);
  if (!holder || holder.length > LEASE_NAME_MAX)
    throw new RangeError(`lease holder must be 1..${LEASE_NAME_MAX} characters`);
  // ttlMs goes into SQL text, so only a plain positive integer is accepted.
  if (ttlMs !== undefined && !(Number.isInteger(ttlMs) && ttlMs > 0 && ttlMs <= 86_400_000))
    throw new RangeError('lease ttlMs must be a positive integer of milliseconds');
}

/**
 * Tries to take lease `name` for `holder` for `ttlMs`: free (never held, released, or expired) or
 * already ours → acquired. Held by another and live → not acquired. Losing a race to another
 * instance (unique violation, or a Galera deadlock) is "not acquired", not an error.
 */
export async function acquireLease(core: Core, name: string, holder: string, ttlMs: number): Promise<AcquireResult> {
  checkArgs(name, holder, ttlMs);
  const { SocketLease, sequelize } = core.models;
  const clock = dbClock(sequelize);
  try {
    const row = (await SocketLease.findByPk(name, {
      attributes: ['holder', [literal(`CASE WHEN expires_at <= ${clock.now} THEN 1 ELSE 0 END`), 'expired']],
      raw: true,
    })) as { holder: string | null; expired: number | string } | null;
    if (!row) {
      await SocketLease.create({
        name,
        holder,
        expiresAt: literal(clock.plus(ttlMs)),
        renewedAt: literal(clock.now),
        acquiredAt: literal(clock.now),
      } as never);
      return { acquired: true, takeover: false, previousHolder: null };
    }
    const expired = Number(row.expired) === 1;
    if (row.holder !== null && row.holder !== holder && !expired) return { acquired: false, holder: row.holder };
    // Compare-and-set on the holder we read: of two instances taking the same expired lease, one wins.
    const [n] = await SocketLease.update(
      {
        holder,
        expiresAt: literal(clock.plus(ttlMs)),
        renewedAt: literal(clock.now),
        acquiredAt: literal(clock.now),
      } as never,
      {
        where: {
          name,
          holder: row.holder,
          [Op.or]: [{ holder: null }, { holder }, { expiresAt: { [Op.lte]: literal(clock.now) } }],
        },
      },
    );
    if (n !== 1) return { acquired: false, holder: null };
    const takeover = row.holder !== null && row.holder !== holder;
    return { acquired: true, takeover, previousHolder: row.holder };
  } catch (err) {
    if (isLostRace(err)) return { acquired: false, holder: null };
    throw err;
  }
}

/**
 * Extends `holder`'s lease by `ttlMs` from now. False means the lease is no longer ours (taken over
 * after it expired, or released): the caller must stop using what it guards at once.
 */
export async function renewLease(core: Core, name: string, holder: string, ttlMs: number): Promise<boolean> {
  checkArgs(name, holder, ttlMs);
  const { SocketLease, sequelize } = core.models;
  const clock = dbClock(sequelize);
  try {
    const [n] = await SocketLease.update(
      { expiresAt: literal(clock.plus(ttlMs)), renewedAt: literal(clock.now) } as never,
      { where: { name, holder } },
    );
    return n === 1;
  } catch (err) {
    // On a multi-master cluster a concurrent takeover surfaces as a deadlock: the lease is gone.
    if (isLostRace(err)) return false;
    throw err;
  }
}

/** Gives up `holder`'s lease so another instance can take it at once; a no-op if it is not ours. */
export async function releaseLease(core: Core, name: string, holder: string): Promise<boolean> {
  checkArgs(name, holder);
  const { SocketLease, sequelize } = core.models;
  const clock = dbClock(sequelize);
  try {
    const [n] = await SocketLease.update({ holder: null, expiresAt: literal(clock.now) } as never, {
      where: { name, holder },
    });
    return n === 1;
  } catch (err) {
    if (isLostRace(err)) return false;
    throw err;
  }
}

/** Every lease, with who holds it and until when, for /healthz and `steward status`. */
export async function leaseStatus(core: Core): Promise<LeaseInfo[]> {
  const { SocketLease, sequelize } = core.models;
  const clock = dbClock(sequelize);
  const rows = await SocketLease.findAll({
    attributes: {
      include: [[literal(`CASE WHEN holder IS NOT NULL AND expires_at > ${clock.now} THEN 1 ELSE 0 END`), 'live']],
    },
    order: [['name', 'ASC']],
  });
  return rows.map((r) => ({
    name: r.name,
    holder: r.holder,
    expiresAt: r.expiresAt,
    renewedAt: r.renewedAt,
    acquiredAt: r.acquiredAt,
    live: Number(r.get('live')) === 1,
  }));
}
