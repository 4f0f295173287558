import { Op, type Transaction } from 'sequelize';
import type { Core } from '../context.js';
import { blindIndex } from '../privacy.js';
import { normalizeName, normalizePhone } from '../text.js';

export interface DuplicateCandidate {
  id: number;
  code: string;
  name: string;
  status: string;
  matchedOn: ('phone' | 'name')[];
}

/** Existing (not deleted) customers with the same phone or the same normalised name. */
export async function duplicateCandidates(core: Core, input: { name?: string | null; phone?: string | null }, opts: { excludeId?: number; transaction?: Transaction } = {}): Promise<DuplicateCandidate[]> {
  const nameNorm = input.name ? normalizeName(input.name) : null;
  const phoneHash = input.phone ? blindIndex(core.keys, normalizePhone(input.phone)) : null;
  const or: Record<string, unknown>[] = [];
  if (nameNorm) or.push({ nameNorm });
  if (phoneHash) or.push({ phoneHash });
  if (!or.length) return [];
  const rows = await core.models.Customer.findAll({
    where: { [Op.or]: or, status: { [Op.ne]: 'deleted' }, ...(opts.excludeId ? { id: { [Op.ne]: opts.excludeId } } : {}) },
    attributes: ['id', 'code', 'name', 'status', 'nameNorm', 'phoneHash'],
    limit: 20,
    transaction: opts.transaction,
  });
  return rows.map((r) => ({
    id: r.id, code: r.code, name: r.name, status: r.status,
    matchedOn: [...(phoneHash && r.phoneHash === phoneHash ? ['phone' as const] : []), ...(nameNorm && r.nameNorm === nameNorm ? ['name' as const] : [])],
  }));
}
