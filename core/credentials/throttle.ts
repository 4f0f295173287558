import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { Core } from '../context.js';

/**
 * Growing delays after failed logins: `free` failures cost nothing, then each further one doubles
 * the wait from `baseMs` up to `maxMs`; `resetMs` without a failure forgets the count.
 */
export interface DelayPolicy {
  free: number;
  baseMs: number;
  maxMs: number;
  resetMs: number;
}

/**
 * Per account *and* IP, so a stranger elsewhere cannot lock someone out by guessing wrong on
 * purpose; per IP only loosely (many accounts tried from one place) and never for long.
 */
export const LOGIN_LIMITS = {
  pair: { free: 3, baseMs: 1000, maxMs: 15 * 60_000, resetMs: 24 * 3600_000 },
  ip: { free: 50, baseMs: 1000, maxMs: 60_000, resetMs: 3600_000 },
} satisfies Record<string, DelayPolicy>;

export type LoginLimits = typeof LOGIN_LIMITS;

export interface ThrottleKey {
  key: string;
  policy: DelayPolicy;
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const accountPrefix = (email: string) => `pair:${sha(email.trim().toLowerCase())}:`;

/** The keys one login attempt counts against: the (account, IP) pair and the IP. */
export function loginKeys(ip: string, email: string, limits: LoginLimits = LOGIN_LIMITS): ThrottleKey[] {
  const where = ip.slice(0, 64);
  return [
    { key: `${accountPrefix(email)}${sha(where).slice(0, 16)}`, policy: limits.pair },
    { key: `ip:${where}`, policy: limits.ip },
  ];
}

/** The wait after `failures` failures under `policy`. */
export function delayAfter(failures: number, policy: DelayPolicy): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, failures - policy.free));
}

/**
 * Failed-login counters in the `login_throttle` table (`window_start` holds the last failure).
 * The database, not memory, so instances sharing one database share the count.
 */
export class LoginThrottle {
  constructor(private readonly core: Core) {}

  /** Milliseconds until the longest of `keys`' delays is over, or 0. */
  async blockedFor(keys: ThrottleKey[]): Promise<number> {
    const now = this.core.now().getTime();
    const rows = await this.core.models.sequelize.query<{
      throttle_key: string;
      window_start: unknown;
      failures: unknown;
    }>('SELECT throttle_key, window_start, failures FROM login_throttle WHERE throttle_key IN (:keys)', {
      replacements: { keys: keys.map((k) => k.key) },
      type: QueryTypes.SELECT,
    });
    let wait = 0;
    for (const row of rows) {
      const policy = keys.find((k) => k.key === row.throttle_key)!.policy;
      const last = Number(row.window_start);
      if (now - last >= policy.resetMs) continue;
      wait = Math.max(wait, last + delayAfter(Number(row.failures), policy) - now);
    }
    return wait;
  }

  /** Counts one failure against every key, starting over where the last one is older than `resetMs`. */
  async recordFailure(keys: ThrottleKey[]): Promise<void> {
    const { sequelize } = this.core.models;
    const now = this.core.now().getTime();
    for (const { key, policy } of keys) {
      const fresh = now - policy.resetMs;
      // MySQL evaluates SET left to right, so `failures` is computed before window_start changes.
      const sql =
        sequelize.getDialect() === 'mysql'
          ? `INSERT INTO login_throttle (throttle_key, window_start, failures) VALUES (:key, :now, 1)
           ON DUPLICATE KEY UPDATE failures = IF(window_start > :fresh, failures + 1, 1), window_start = :now`
          : `INSERT INTO login_throttle (throttle_key, window_start, failures) VALUES (:key, :now, 1)
           ON CONFLICT(throttle_key) DO UPDATE SET failures = CASE WHEN window_start > :fresh THEN failures + 1 ELSE 1 END, window_start = :now`;
      await sequelize.query(sql, { replacements: { key, now, fresh } });
    }
    if (Math.random() < 0.02) await this.prune(now);
  }

  /** Forgets a key (the account-and-IP pair after a successful login). */
  async clear(key: string): Promise<void> {
    await this.core.models.sequelize.query('DELETE FROM login_throttle WHERE throttle_key = :key', {
      replacements: { key },
    });
  }

  /** Drops counters whose last failure is a day old or more. */
  async prune(now = this.core.now().getTime()): Promise<void> {
    await this.core.models.sequelize.query('DELETE FROM login_throttle WHERE window_start < :old', {
      replacements: { old: now - 86400_000 },
    });
  }
}

/** Lifts every login delay on an account, from every IP (an admin's 解除登录限制); returns how many. */
export async function clearLoginDelays(core: Core, email: string): Promise<number> {
  return core.models.sequelize.query('DELETE FROM login_throttle WHERE throttle_key LIKE :prefix', {
    replacements: { prefix: `${accountPrefix(email)}%` },
    type: QueryTypes.BULKDELETE,
  });
}
