import { Op, type Transaction } from 'sequelize';
import type { Customer } from '../../models/index.js';
import type { Core } from '../context.js';
import { blindIndex } from '../privacy.js';
import { normalizeName, normalizePhone } from '../text.js';
import { liveStatus } from './lifecycle.js';

export interface DuplicateCandidate {
  id: number;
  code: string;
  name: string;
  status: string;
  matchedOn: ('phone' | 'name')[];
}

/** Existing (not deleted) customers with the same phone or the same normalised name. */
export async function duplicateCandidates(
  core: Core,
  input: { name?: string | null; phone?: string | null },
  opts: { excludeId?: number; transaction?: Transaction } = {},
): Promise<DuplicateCandidate[]> {
  const nameNorm = input.name ? normalizeName(input.name) : null;
  const phoneHash = input.phone ? blindIndex(core.keys, normalizePhone(input.phone)) : null;
  const or: Record<string, unknown>[] = [];
  if (nameNorm) or.push({ nameNorm });
  if (phoneHash) or.push({ phoneHash });
  if (!or.length) return [];
  const rows = await core.models.Customer.findAll({
    where: { [Op.or]: or, status: liveStatus(), ...(opts.excludeId ? { id: { [Op.ne]: opts.excludeId } } : {}) },
    attributes: ['id', 'code', 'name', 'status', 'nameNorm', 'phoneHash'],
    limit: 20,
    transaction: opts.transaction,
  });
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    name: r.name,
    status: r.status,
    matchedOn: [
      ...(phoneHash && r.phoneHash === phoneHash ? ['phone' as const] : []),
      ...(nameNorm && r.nameNorm === nameNorm ? ['name' as const] : []),
    ],
  }));
}

/** duplicateCandidates for many inputs at once (bulk import): the same rule, one query per 500 inputs. */
export async function duplicateCandidatesMany(
  core: Core,
  inputs: { name?: string | null; phone?: string | null }[],
  opts: { transaction?: Transaction } = {},
): Promise<DuplicateCandidate[][]> {
  const keys = inputs.map((i) => ({
    nameNorm: i.name ? normalizeName(i.name) : null,
    phoneHash: i.phone ? blindIndex(core.keys, normalizePhone(i.phone)) : null,
  }));
  const byName = new Map<string, Customer[]>();
  const byPhone = new Map<string, Customer[]>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const names = [...new Set(chunk.map((k) => k.nameNorm).filter((v): v is string => Boolean(v)))];
    const phones = [...new Set(chunk.map((k) => k.phoneHash).filter((v): v is string => Boolean(v)))];
    const or: Record<string, unknown>[] = [];
    if (names.length) or.push({ nameNorm: names });
    if (phones.length) or.push({ phoneHash: phones });
    if (!or.length) continue;
    const rows = await core.models.Customer.findAll({
      where: { [Op.or]: or, status: liveStatus() },
      attributes: ['id', 'code', 'name', 'status', 'nameNorm', 'phoneHash'],
      transaction: opts.transaction,
    });
    for (const r of rows) {
      for (const [map, key] of [
        [byName, r.nameNorm],
        [byPhone, r.phoneHash],
      ] as const) {
        if (!key) continue;
        const list = map.get(key) ?? [];
        if (!list.some((x) => x.id === r.id)) list.push(r);
        map.set(key, list);
      }
    }
  }
  return keys.map(({ nameNorm, phoneHash }) => {
    const found = new Map<number, DuplicateCandidate>();
    for (const [rows, on] of [
      [phoneHash ? byPhone.get(phoneHash) : undefined, 'phone'],
      [nameNorm ? byName.get(nameNorm) : undefined, 'name'],
    ] as const) {
      for (const r of rows ?? []) {
        const c = found.get(r.id) ?? { id: r.id, code: r.code, name: r.name, status: r.status, matchedOn: [] };
        c.matchedOn.push(on);
        found.set(r.id, c);
      }
    }
    return [...found.values()].slice(0, 20);
  });
}
