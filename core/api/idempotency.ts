import { Op, UniqueConstraintError } from 'sequelize';
import type { Core } from '../context.js';
import { DomainError } from '../errors.js';

/** Keys are kept this long; a retry after that is a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/**
 * A key still `processing` after this long was left by an instance that died mid-request. Its
 * change may or may not have committed, so it is never run again under that key: the caller is
 * told to check and to use a new key (a re-run could create a customer or an order twice).
 */
export const ABANDONED_AFTER_MS = 10 * 60_000;

export interface IdempotencyRequest {
  tokenId: number;
  key: string;
  method: string;
  path: string;
  /** sha256 of method, path and raw body. */
  requestHash: string;
}

/** Either this request owns the key now, or the stored answer to run it again. */
export type IdempotencyClaim = { kind: 'claimed'; id: number } | { kind: 'replay'; status: number; body: string };

/**
 * Claims an Idempotency-Key by inserting its row: the unique (tokenId, idemKey) index lets one
 * request win on any instance; the others read the row and get the stored answer, a 409 while it
 * is still being processed, or a 422 if they carry another body under the same key.
 */
export async function claimIdempotency(core: Core, req: IdempotencyRequest): Promise<IdempotencyClaim> {
  const { ApiIdempotency } = core.models;
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = core.now();
    try {
      const row = await ApiIdempotency.create({
        tokenId: req.tokenId,
        idemKey: req.key,
        method: req.method,
        path: req.path.slice(0, 191),
        requestHash: req.requestHash,
        state: 'processing',
        status: null,
        response: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      });
      return { kind: 'claimed', id: row.id };
    } catch (err) {
      // A unique violation is a lost race (or a retry), not a failure.
      if (!(err instanceof UniqueConstraintError)) throw err;
    }
    const existing = await ApiIdempotency.findOne({ where: { tokenId: req.tokenId, idemKey: req.key } });
    if (!existing) continue;
    if (existing.expiresAt.getTime() <= now.getTime()) {
      await ApiIdempotency.destroy({ where: { id: existing.id, state: existing.state } });
      continue;
    }
    if (existing.requestHash !== req.requestHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key「${req.key}」已用于另一个请求 (${existing.method} ${existing.path}, 内容不同)。同一个键只能重试完全相同的请求; 新请求请换一个新的键。`,
        { key: req.key },
      );
    }
    if (
      (existing.state !== 'done' || existing.status === null) &&
      now.getTime() - existing.createdAt.getTime() > ABANDONED_AFTER_MS
    ) {
      throw new DomainError(
        'IDEMPOTENCY_OUTCOME_UNKNOWN',
        `使用 Idempotency-Key「${req.key}」的请求 (${existing.method} ${existing.path}) 在处理中中断, 不知道是否已生效。请先查询确认 (例如 GET 该客户或单据), 未生效时再用一个新的键重试。`,
        { key: req.key, since: existing.createdAt.toISOString() },
      );
    }
    if (existing.state !== 'done' || existing.status === null) {
      throw new DomainError(
        'IDEMPOTENCY_IN_PROGRESS',
        `使用 Idempotency-Key「${req.key}」的同一请求正在处理中, 请稍后用同一个键重试。`,
        { key: req.key },
      );
    }
    return { kind: 'replay', status: existing.status, body: existing.response ?? '' };
  }
  throw new DomainError(
    'IDEMPOTENCY_IN_PROGRESS',
    `Idempotency-Key「${req.key}」正被并发使用, 请稍后用同一个键重试。`,
    { key: req.key },
  );
}

/** Stores the answer under a claimed key, for the retries to come. */
export async function finishIdempotency(core: Core, id: number, status: number, body: string): Promise<void> {
  await core.models.ApiIdempotency.update({ state: 'done', status, response: body }, { where: { id } });
}

/** Gives a claimed key back (the request failed on our side), so a retry runs it afresh. */
export async function releaseIdempotency(core: Core, id: number): Promise<void> {
  await core.models.ApiIdempotency.destroy({ where: { id, state: 'processing' } });
}

/** Deletes keys past their 24 h; returns how many. */
export async function sweepIdempotency(core: Core): Promise<number> {
  return core.models.ApiIdempotency.destroy({ where: { expiresAt: { [Op.lte]: core.now() } } });
}
