import crypto from 'node:crypto';
import type Koa from 'koa';
import { QueryTypes } from 'sequelize';
import type { Core } from '../../core/context.js';
import { sessionIdHash } from '../../core/credentials/sessions.js';

type Stored = Record<string, unknown> & { adminUser?: { operatorId?: number } };

/** A fresh session id: 256 random bits, the only thing the cookie carries. */
export function newSessionId(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/**
 * koa-session's external store over `admin_sessions`. Only logged-in sessions are stored; a
 * session row is created only by the login that granted it (`ctx.state.adminLogin`), so a request
 * still in flight when its sessions were ended cannot write its row back.
 */
export function sessionStore(core: Core) {
  const { sequelize } = core.models;
  const destroy = async (sid: string) => {
    await sequelize.query('DELETE FROM admin_sessions WHERE sid_hash = :h', {
      replacements: { h: sessionIdHash(sid) },
    });
  };
  return {
    async get(sid: string): Promise<Stored | undefined> {
      const [row] = await sequelize.query<{ data: string; expires_at: unknown }>(
        'SELECT data, expires_at FROM admin_sessions WHERE sid_hash = :h',
        {
          replacements: { h: sessionIdHash(sid) },
          type: QueryTypes.SELECT,
        },
      );
      if (!row || Number(row.expires_at) <= core.now().getTime()) return undefined;
      return JSON.parse(row.data) as Stored;
    },
    // koa-session passes `ctx` in the last argument (its typings leave it out).
    async set(
      sid: string,
      sess: Stored,
      maxAge: number | 'session' | undefined,
      opts: { changed: boolean; rolling: boolean | undefined; ctx?: Koa.Context },
    ): Promise<void> {
      const operatorId = sess.adminUser?.operatorId;
      if (!operatorId) return destroy(sid);
      const now = core.now().getTime();
      const replacements = {
        h: sessionIdHash(sid),
        operatorId,
        data: JSON.stringify(sess),
        expires: now + (typeof maxAge === 'number' ? maxAge : 86400_000),
        now,
      };
      if (opts.ctx?.state.adminLogin !== operatorId) {
        await sequelize.query(
          'UPDATE admin_sessions SET data = :data, expires_at = :expires WHERE sid_hash = :h AND operator_id = :operatorId',
          { replacements },
        );
        return;
      }
      // AdminJS saves the new session twice (its own save() and koa-session's commit), concurrently: an upsert.
      const upsert =
        sequelize.getDialect() === 'mysql'
          ? 'ON DUPLICATE KEY UPDATE operator_id = VALUES(operator_id), data = VALUES(data), expires_at = VALUES(expires_at)'
          : 'ON CONFLICT(sid_hash) DO UPDATE SET operator_id = excluded.operator_id, data = excluded.data, expires_at = excluded.expires_at';
      await sequelize.query(
        `INSERT INTO admin_sessions (sid_hash, operator_id, data, expires_at, created_at) VALUES (:h, :operatorId, :data, :expires, :now) ${upsert}`,
        { replacements },
      );
      if (Math.random() < 0.05)
        await sequelize.query('DELETE FROM admin_sessions WHERE expires_at < :now', { replacements: { now } });
    },
    destroy,
  };
}
