import type { DuplicateDismissal } from '../../../models/index.js';
import type { Core } from '../../context.js';
import { dismissalOf } from './dismiss.js';
import { findDuplicatePairs, pairKey, type DuplicatePair } from './scan.js';

/** One pair as the back office shows it, whatever became of it. */
export interface PairState {
  pair: DuplicatePair;
  /** open: still 疑似重复; dismissed: 忽略; gone: no longer alike (edited, merged or deleted). */
  state: 'open' | 'dismissed' | 'gone';
  dismissal: DuplicateDismissal | null;
}

/** Parses `<id>-<id>`; null for anything else. */
export function parsePairKey(raw: string): [number, number] | null {
  const m = /^(\d{1,10})-(\d{1,10})$/.exec(raw.trim());
  if (!m) return null;
  const [x, y] = [Number(m[1]), Number(m[2])];
  return x !== y ? [Math.min(x, y), Math.max(x, y)] : null;
}

/** The pair behind a key (signals, dismissal), or null when the key names no two customers. */
export async function pairState(core: Core, rawKey: string): Promise<PairState | null> {
  const ids = parsePairKey(rawKey);
  if (!ids) return null;
  const rows = await core.models.Customer.findAll({
    where: { id: ids },
    attributes: ['id', 'code', 'name', 'status', 'ownerId'],
  });
  if (rows.length !== 2) return null;
  const key = pairKey(ids[0], ids[1]);
  const dismissal = await dismissalOf(core, ids[0], ids[1]);
  const found = (await findDuplicatePairs(core, { customerId: ids[0], includeDismissed: true })).pairs.find(
    (p) => p.key === key,
  );
  if (found) return { pair: found, state: dismissal ? 'dismissed' : 'open', dismissal };
  const owners = new Map(
    (
      await core.models.Operator.findAll({
        where: { id: rows.map((r) => r.ownerId).filter((v): v is number => v !== null) },
        attributes: ['id', 'displayName'],
      })
    ).map((o) => [o.id, o.displayName]),
  );
  const [a, b] = [ids[0], ids[1]]
    .map((id) => rows.find((r) => r.id === id)!)
    .map((r) => ({
      id: r.id,
      code: r.code,
      name: r.name,
      status: r.status,
      ownerId: r.ownerId,
      owner: r.ownerId === null ? null : (owners.get(r.ownerId) ?? null),
    }));
  return { pair: { key, a: a!, b: b!, signals: [] }, state: dismissal ? 'dismissed' : 'gone', dismissal };
}
