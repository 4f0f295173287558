import crypto from 'node:crypto';
import { UniqueConstraintError } from 'sequelize';
import type { ApiToken } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError, validationError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { parseScopes, type ApiScope } from './scopes.js';

/** Tokens look like `stw_<43 base64url characters>`: recognisable in logs and secret scanners. */
export const TOKEN_PREFIX = 'stw_';
const TOKEN_SHAPE = /^stw_[A-Za-z0-9_-]{43}$/;
const NAME_SHAPE = /^[\p{L}\p{N}._-]{1,64}$/u;
/** How long a verified token is trusted without asking the database again (per instance). */
export const TOKEN_CACHE_MS = 2_000;
/** lastUsedAt is written at most this often per token and instance. */
export const LAST_USED_EVERY_MS = 60_000;

/** A token as lists show it: never the token or its hash. */
export interface ApiTokenInfo {
  id: number;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  /** 有效 / 已过期 / 已吊销 */
  state: 'active' | 'expired' | 'revoked';
}

export interface CreateTokenInput {
  name: string;
  scopes: string | readonly string[];
  /** YYYY-MM-DD (local midnight in STEWARD_TIMEZONE), an ISO time, or a Date. */
  expires?: string | Date | null;
}

/** sha256 hex of a token: what the database keeps. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

function stateOf(core: Core, t: Pick<ApiToken, 'revokedAt' | 'expiresAt'>): ApiTokenInfo['state'] {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && t.expiresAt.getTime() <= core.now().getTime()) return 'expired';
  return 'active';
}

function info(core: Core, t: ApiToken): ApiTokenInfo {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes.split(',') as ApiScope[],
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
    createdBy: t.createdBy,
    createdAt: t.createdAt,
    state: stateOf(core, t),
  };
}

/** Minutes `timeZone` is ahead of UTC at `instant`. */
function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (k: string) => Number(parts.find((p) => p.type === k)!.value);
  return Math.round(
    (Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) -
      instant.getTime()) /
      60_000,
  );
}

/** Parses an expiry; a bare date means the start of that day where the company is. */
export function parseExpiry(core: Core, raw: string | Date | null | undefined): Date | null {
  if (raw === null || raw === undefined || raw === '') return null;
  let at: Date;
  if (raw instanceof Date) at = raw;
  else if (/^\d{4}-\d{2}-\d{2}$/.test(raw.trim())) {
    const guess = new Date(`${raw.trim()}T00:00:00Z`);
    at = new Date(guess.getTime() - zoneOffsetMinutes(guess, core.config.STEWARD_TIMEZONE) * 60_000);
  } else at = new Date(raw);
  if (Number.isNaN(at.getTime()))
    throw validationError([{ field: 'expires', message: `过期时间「${String(raw)}」格式不对, 应为 YYYY-MM-DD` }]);
  if (at.getTime() <= core.now().getTime())
    throw validationError([{ field: 'expires', message: '过期时间必须晚于现在' }]);
  return at;
}

/**
 * Creates a token. The token itself is returned once and never stored: only its sha256.
 * Admins only (the 'integrations' permission: who may connect other systems).
 */
export async function createApiToken(
  core: Core,
  actor: Actor,
  input: CreateTokenInput,
): Promise<{ token: string; info: ApiTokenInfo }> {
  assertCan(actor.operator, 'integrations');
  const name = (input.name ?? '').trim();
  if (!NAME_SHAPE.test(name))
    throw validationError([
      { field: 'name', message: '令牌名称只能用字母、数字、中文和 . _ -, 最长 64 个字, 例如 erp' },
    ]);
  const scopes = parseScopes(input.scopes);
  const expiresAt = parseExpiry(core, input.expires);
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  const row = await withTransaction(core.models.sequelize, async (t) => {
    if (await core.models.ApiToken.count({ where: { name }, transaction: t })) throw nameTaken(name);
    let created: ApiToken;
    try {
      created = await core.models.ApiToken.create(
        {
          name,
          tokenHash: hashToken(token),
          prefix: token.slice(0, 12),
          scopes: scopes.join(','),
          expiresAt,
          lastUsedAt: null,
          revokedAt: null,
          createdBy: actor.operator.displayName,
          createdAt: core.now(),
        },
        { transaction: t },
      );
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw nameTaken(name);
      throw err;
    }
    await appendAudit(core, t, actor, {
      action: 'api-token.create',
      info: { name, scopes, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return created;
  });
  forget(core);
  return { token, info: info(core, row) };
}

function nameTaken(name: string): DomainError {
  return new DomainError(
    'CONFLICT',
    `已有名为「${name}」的令牌。请换一个名称, 或先吊销旧令牌 (steward api-token revoke ${name})。`,
    { field: 'name', name },
  );
}

/** Every token, newest first, without secrets. */
export async function listApiTokens(core: Core, actor: Actor): Promise<ApiTokenInfo[]> {
  assertCan(actor.operator, 'integrations');
  const rows = await core.models.ApiToken.findAll({
    order: [
      ['createdAt', 'DESC'],
      ['id', 'DESC'],
    ],
  });
  return rows.map((r) => info(core, r));
}

/** Revokes a token by name; this instance forgets it at once, others within TOKEN_CACHE_MS. */
export async function revokeApiToken(core: Core, actor: Actor, name: string): Promise<ApiTokenInfo> {
  assertCan(actor.operator, 'integrations');
  const row = await withTransaction(core.models.sequelize, async (t) => {
    const found = await core.models.ApiToken.findOne({
      where: { name: (name ?? '').trim() },
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    if (!found)
      throw new DomainError('NOT_FOUND', `找不到名为「${name}」的令牌。用 steward api-token list 查看全部令牌。`, {
        name,
      });
    if (found.revokedAt)
      throw new DomainError('CONFLICT', `令牌「${found.name}」已于 ${found.revokedAt.toISOString()} 吊销。`, {
        name: found.name,
      });
    await found.update({ revokedAt: core.now() }, { transaction: t });
    await appendAudit(core, t, actor, { action: 'api-token.revoke', info: { name: found.name } });
    return found;
  });
  forget(core);
  return info(core, row);
}

/** What a request learns about its bearer token. */
export type TokenCheck =
  | { ok: true; id: number; name: string; scopes: ApiScope[] }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired' };

interface Cached {
  row: { id: number; name: string; scopes: ApiScope[]; expiresAt: number | null; revoked: boolean } | null;
  fetchedAt: number;
}

interface TokenCache {
  byHash: Map<string, Cached>;
  /** Reads under way, one per hash: the requests that find an entry expired share it. */
  loading: Map<string, Promise<Cached>>;
  touched: Map<number, number>;
  /** Bumped by forget(): a read that started before a revoke here must not put its row back. */
  generation: number;
}

const caches = new WeakMap<Core, TokenCache>();

function cacheOf(core: Core): TokenCache {
  let c = caches.get(core);
  if (!c) caches.set(core, (c = { byHash: new Map(), loading: new Map(), touched: new Map(), generation: 0 }));
  return c;
}

/** Reads a token by hash into the cache. */
async function load(core: Core, cache: TokenCache, hash: string, now: number): Promise<Cached> {
  const generation = cache.generation;
  const row = await core.models.ApiToken.findOne({
    where: { tokenHash: hash },
    attributes: ['id', 'name', 'scopes', 'expiresAt', 'revokedAt'],
    raw: true,
  });
  // Unknown hashes are cached too, but the map is bounded: a flood of made-up tokens cannot grow it.
  if (cache.byHash.size > 10_000) cache.byHash.clear();
  const hit: Cached = {
    fetchedAt: now,
    row: row
      ? {
          id: row.id,
          name: row.name,
          scopes: row.scopes.split(',') as ApiScope[],
          expiresAt: row.expiresAt ? new Date(row.expiresAt).getTime() : null,
          revoked: !!row.revokedAt,
        }
      : null,
  };
  if (cache.generation === generation) cache.byHash.set(hash, hit);
  return hit;
}

/** Drops this instance's verified tokens (after a create or revoke here). */
export function forget(core: Core): void {
  const cache = cacheOf(core);
  cache.generation++;
  cache.byHash.clear();
  cache.loading.clear();
}

/**
 * Checks a bearer token. Verified (and unknown) tokens are cached for TOKEN_CACHE_MS so the
 * steady state costs no database round trip; lastUsedAt is written at most once a minute.
 */
export async function verifyApiToken(core: Core, raw: string): Promise<TokenCheck> {
  if (!TOKEN_SHAPE.test(raw)) return { ok: false, reason: 'malformed' };
  const hash = hashToken(raw);
  const cache = cacheOf(core);
  const now = core.now().getTime();
  let hit = cache.byHash.get(hash);
  // Either direction: a clock set back (tests, NTP) must not keep a stale entry alive.
  if (!hit || Math.abs(now - hit.fetchedAt) > TOKEN_CACHE_MS) {
    // One read per expiry, not one per request in flight: at 64 connections every request that
    // arrived while the read ran queued its own, a burst on the pool every TOKEN_CACHE_MS.
    let pending = cache.loading.get(hash);
    if (!pending) {
      const started = load(core, cache, hash, now).finally(() => {
        if (cache.loading.get(hash) === started) cache.loading.delete(hash);
      });
      cache.loading.set(hash, (pending = started));
    }
    hit = await pending;
  }
  const t = hit.row;
  if (!t) return { ok: false, reason: 'unknown' };
  if (t.revoked) return { ok: false, reason: 'revoked' };
  if (t.expiresAt !== null && t.expiresAt <= now) return { ok: false, reason: 'expired' };
  touch(core, cache.touched, t.id, now);
  return { ok: true, id: t.id, name: t.name, scopes: t.scopes };
}

function touch(core: Core, touched: Map<number, number>, id: number, now: number): void {
  const last = touched.get(id);
  if (last !== undefined && Math.abs(now - last) < LAST_USED_EVERY_MS) return;
  touched.set(id, now);
  // Fire and forget: a failed stamp must not fail the request; the next minute tries again.
  core.models.ApiToken.update({ lastUsedAt: core.now() }, { where: { id } }).catch((err: unknown) => {
    touched.delete(id);
    core.logger.warn({ err, tokenId: id }, 'api token lastUsedAt not written');
  });
}
