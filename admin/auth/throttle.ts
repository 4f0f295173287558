import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { Core } from '../../core/context.js';

/** How many failures a key may have within a window before it is refused until the window ends. */
export interface ThrottlePolicy {
  max: number;
  windowMs: number;
}

export const LOGIN_LIMITS = {
  account: { max: 5, windowMs: 15 * 60_000 },
  ip: { max: 20, windowMs: 15 * 60_000 },
} satisfies Record<string, ThrottlePolicy>;

export interface ThrottleKey {
  key: string;
  policy: ThrottlePolicy;
}

/** The keys one login attempt counts against: its IP and the account it names. */
export function loginKeys(ip: string, email: string, limits = LOGIN_LIMITS): ThrottleKey[] {
  const account = crypto.createHash('sha256').update(email).digest('hex');
  return [{ key: `ip:${ip.slice(0, 64)}`, policy: limits.ip }, { key: `acct:${account}`, policy: limits.account }];
}

/**
 * Failed-login counters in the `login_throttle` table (fixed windows). The database, not memory,
 * so instances sharing one database share the limit and a restart does not reset it.
 */
export class LoginThrottle {
  constructor(private readonly core: Core) {}

  /** Milliseconds until the first of `keys` that is over its limit unblocks, or 0. */
  async blockedFor(keys: ThrottleKey[]): Promise<number> {
    const now = this.core.now().getTime();
    const rows = await this.core.models.sequelize.query<{ throttle_key: string; window_start: unknown; failures: unknown }>(
      'SELECT throttle_key, window_start, failures FROM login_throttle WHERE throttle_key IN (:keys)',
      { replacements: { keys: keys.map((k) => k.key) }, type: QueryTypes.SELECT },
    );
    let wait = 0;
    for (const row of rows) {
      const policy = keys.find((k) => k.key === row.throttle_key)!.policy;
      const end = Number(row.window_start) + policy.windowMs;
      if (end > now && Number(row.failures) >= policy.max) wait = Math.max(wait, end - now);
    }
    return wait;
  }

  /** Counts one failure against every key, starting a new window where the old one ran out. */
  async recordFailure(keys: ThrottleKey[]): Promise<void> {
    const { sequelize } = this.core.models;
    const now = this.core.now().getTime();
    for (const { key, policy } of keys) {
      const fresh = now - policy.windowMs;
      // MySQL evaluates SET left to right, so `failures` is computed before window_start changes.
      const sql = sequelize.getDialect() === 'mysql'
        ? `INSERT INTO login_throttle (throttle_key, window_start, failures) VALUES (:key, :now, 1)
           ON DUPLICATE KEY UPDATE failures = IF(window_start > :fresh, failures + 1, 1), window_start = IF(window_start > :fresh, window_start, :now)`
        : `INSERT INTO login_throttle (throttle_key, window_start, failures) VALUES (:key, :now, 1)
           ON CONFLICT(throttle_key) DO UPDATE SET failures = CASE WHEN window_start > :fresh THEN failures + 1 ELSE 1 END,
           window_start = CASE WHEN window_start > :fresh THEN window_start ELSE :now END`;
      await sequelize.query(sql, { replacements: { key, now, fresh } });
    }
    if (Math.random() < 0.02) await this.prune(now);
  }

  /** Forgets a key (an account after a successful login). */
  async clear(key: string): Promise<void> {
    await this.core.models.sequelize.query('DELETE FROM login_throttle WHERE throttle_key = :key', { replacements: { key } });
  }

  /** Drops windows that ended a day ago or more. */
  async prune(now = this.core.now().getTime()): Promise<void> {
    await this.core.models.sequelize.query('DELETE FROM login_throttle WHERE window_start < :old', { replacements: { old: now - 86400_000 } });
  }
}
