import { Op } from 'sequelize';
import type { AuditEvent, AuditHead } from '../../models/index.js';
import type { Core } from '../context.js';
import { decrypt } from '../privacy.js';
import { ANCHOR_ACTION, eventHash, GENESIS_HASH, linkHash, personalMatchesDiff, RESTORE_ACTION } from './hash.js';

/** A whole-database restore the chain records (see core/data/backup/restore.ts). */
export interface RestoreNote {
  eventId: number;
  at: string;
  by: string;
  backup: string;
  headBefore: { id: number; hash: string; count: number };
  headAfter: { id: number; hash: string; count: number };
}

/** The result of walking the chain. */
export interface ChainReport {
  ok: boolean;
  checked: number;
  brokenAt?: number;
  reason?: string;
  /** The newest event of all lanes (the head), when the chain holds any. */
  head?: { id: number; hash: string };
  /** Restores recorded in the chain, oldest first. */
  restores?: RestoreNote[];
}

/** Why event `e` does not verify, or null when it links correctly. `keyed` says whether the key already applies. */
function linkProblem(core: Core, prev: string, e: AuditEvent, keyed: boolean): 'keyed' | 'legacy' | string {
  if (e.prevHash !== prev) return `第 ${e.id} 条的 prevHash 与上一条不符 (事件被删除或插入)`;
  if (e.hash === linkHash(core.keys.auditKey, prev, e)) return 'keyed';
  const unkeyed = e.hash === eventHash(prev, e);
  if (unkeyed && !keyed) return 'legacy';
  if (unkeyed)
    return `第 ${e.id} 条的 hash 不是用审计密钥 (STEWARD_AUDIT_KEY) 签的: 这条事件是不知道密钥的人写入或改写的 (事件被伪造或改动)`;
  return `第 ${e.id} 条的内容与其 hash 不符 (事件被改动)`;
}

/** Why an event's encrypted personal data does not belong to it, or null. */
function personalProblem(core: Core, e: AuditEvent): string | null {
  if (!e.pii) return null;
  let pii: { salt: string; values: Record<string, unknown> };
  try {
    pii = JSON.parse(decrypt(core.keys, e.pii) ?? 'null') as typeof pii;
  } catch {
    return `第 ${e.id} 条的加密个人数据无法解密 (被改动, 或不是用本系统的 STEWARD_DATA_KEY 加密的)`;
  }
  if (!pii || !personalMatchesDiff(e.diff, pii))
    return `第 ${e.id} 条的加密个人数据与该事件记录的承诺值不符 (个人数据被调换或改动)`;
  return null;
}

function restoreNote(e: AuditEvent): RestoreNote | null {
  const info = (JSON.parse(e.diff) as { info?: Partial<RestoreNote> }).info;
  if (!info?.headBefore || !info.headAfter) return null;
  return {
    eventId: e.id,
    at: e.at.toISOString(),
    by: e.operatorName,
    backup: String(info.backup ?? ''),
    headBefore: info.headBefore,
    headAfter: info.headAfter,
  };
}

interface LaneWalk {
  ok: true;
  checked: number;
  last: { id: number; hash: string } | null;
  restores: RestoreNote[];
}

/** How far a lane's walk has come. */
interface LaneState {
  prev: string;
  lastId: number;
  checked: number;
  keyed: boolean;
  legacy: number;
  firstId: number | null;
  restores: RestoreNote[];
}

/** A keyed link right after legacy ones must be the anchor (or a restore): otherwise the chain was rewritten. */
function missingAnchor(s: LaneState, link: string, e: AuditEvent): string | null {
  if (link !== 'keyed' || s.keyed || s.legacy === 0 || e.action === ANCHOR_ACTION || e.action === RESTORE_ACTION)
    return null;
  return `第 ${e.id} 条之前的 ${s.legacy} 条事件没有用审计密钥锚定 (链被改写)`;
}

/** Checks one event against the lane so far and moves past it; the reason it breaks the lane, or null. */
function stepLane(core: Core, lane: number, s: LaneState, e: AuditEvent): string | null {
  s.firstId ??= e.id;
  const link = linkProblem(core, s.prev, e, s.keyed || lane !== 1);
  if (link !== 'keyed' && link !== 'legacy') return link;
  const unanchored = missingAnchor(s, link, e);
  if (unanchored) return unanchored;
  if (link === 'keyed') s.keyed = true;
  else s.legacy++;
  const pii = personalProblem(core, e);
  if (pii) return pii;
  if (e.action === RESTORE_ACTION) {
    const note = restoreNote(e);
    if (note) s.restores.push(note);
  }
  s.prev = e.hash;
  s.lastId = e.id;
  s.checked++;
  return null;
}

/** What is wrong with a fully walked lane as a whole (never keyed, or its head missing or behind), or null. */
function laneEndProblem(
  lane: number,
  s: LaneState,
  headOf: AuditHead | undefined,
): { id: number; reason: string } | null {
  if (s.checked > 0 && !s.keyed)
    return {
      id: s.firstId!,
      reason: `链中 ${s.checked} 条事件没有一条是用审计密钥签的: 整条链被改写, 或还没有锚定 (启动程序时会自动锚定)`,
    };
  if (s.checked > 0 && !headOf)
    return { id: s.lastId, reason: `第 ${lane} 道链没有链头记录 (audit_head 中的行被删除)` };
  if (headOf && headOf.hash !== s.prev) return { id: headOf.lastId, reason: '链尾与记录的链头不符 (末尾的事件被删除)' };
  return null;
}

/** Walks one lane in id order; the first broken link ends it. Only lane 1 may hold pre-key (legacy) links. */
async function walkLane(core: Core, lane: number, headOf: AuditHead | undefined): Promise<LaneWalk | ChainReport> {
  const s: LaneState = {
    prev: GENESIS_HASH,
    lastId: 0,
    checked: 0,
    keyed: false,
    legacy: 0,
    firstId: null,
    restores: [],
  };
  const broken = (id: number, reason: string): ChainReport => ({ ok: false, checked: s.checked, brokenAt: id, reason });
  for (;;) {
    const rows = await core.models.AuditEvent.findAll({
      where: { lane, id: { [Op.gt]: s.lastId } },
      order: [['id', 'ASC']],
      limit: 1000,
    });
    if (rows.length === 0) break;
    for (const e of rows) {
      const reason = stepLane(core, lane, s, e);
      if (reason) return broken(e.id, reason);
    }
  }
  const end = laneEndProblem(lane, s, headOf);
  if (end) return broken(end.id, end.reason);
  return {
    ok: true,
    checked: s.checked,
    last: s.checked ? { id: s.lastId, hash: s.prev } : null,
    restores: s.restores,
  };
}

/**
 * Walks the whole chain, lane by lane (one lane per database node, see lane.ts), each in id order,
 * and reports the first broken link. Links are HMACs under STEWARD_AUDIT_KEY; unkeyed sha256
 * links are accepted only in lane 1 before the anchor event that brought an older chain under
 * the key. Each event's encrypted personal data must match the commitments in its hashed diff,
 * so personal data moved between events is caught too.
 */
export async function verifyAuditChain(core: Core): Promise<ChainReport> {
  const { AuditEvent, AuditHead } = core.models;
  const heads = new Map((await AuditHead.findAll()).map((h) => [h.id, h]));
  const used = (await AuditEvent.findAll({ attributes: ['lane'], group: ['lane'], raw: true })).map((r) =>
    Number(r.lane),
  );
  const lanes = [...new Set([...heads.keys(), ...used])].sort((a, b) => a - b);
  let checked = 0;
  let head: { id: number; hash: string } | undefined;
  const restores: RestoreNote[] = [];
  for (const lane of lanes) {
    const walk = await walkLane(core, lane, heads.get(lane));
    if (!walk.ok) return { ...walk, checked: checked + walk.checked };
    checked += walk.checked;
    restores.push(...(walk as LaneWalk).restores);
    const last = (walk as LaneWalk).last;
    if (last && (!head || last.id > head.id)) head = last;
  }
  restores.sort((a, b) => a.eventId - b.eventId);
  return { ok: true, checked, ...(head ? { head } : {}), ...(restores.length ? { restores } : {}) };
}
