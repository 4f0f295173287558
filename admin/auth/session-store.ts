import crypto from 'node:crypto';
import type Koa from 'koa';
import { QueryTypes } from 'sequelize';
import type { Core } from '../../core/context.js';
import { pruneExpiredSessions, sessionIdHash, storeNewSession } from '../../core/credentials/sessions.js';

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
      await storeNewSession(core, {
        sidHash: replacements.h,
        operatorId,
        data: replacements.data,
        expiresAt: replacements.expires,
      });
      // Housekeeping must never fail a login: a lost lock race just leaves the rows for next time.
      await pruneExpiredSessions(core).catch((err: unknown) =>
        core.logger.warn({ err }, 'expired back-office sessions not pruned'),
      );
    },
    destroy,
  };
}
