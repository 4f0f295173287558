import { Op } from 'sequelize';
import type { Core } from '../context.js';
import { parseRuleCode } from './codes.js';

/**
 * Fills in how codes were made for rows that do not say (made before 0017, or by a bulk import):
 * a code the configured rule would produce counts as automatic and gets its place in the
 * sequence; anything else as typed by hand. Pages by id; a no-op (one indexed count) once done.
 */
export async function fillCodeColumns(core: Core): Promise<number> {
  const { Customer, sequelize } = core.models;
  if (!(await Customer.count({ where: { codeOrigin: null } }))) return 0;
  let lastId = 0;
  let filled = 0;
  for (;;) {
    const rows = await Customer.findAll({
      where: { codeOrigin: null, id: { [Op.gt]: lastId } },
      attributes: ['id', 'code'],
      order: [['id', 'ASC']],
      limit: 1000,
      raw: true,
    });
    if (!rows.length) return filled;
    lastId = rows.at(-1)!.id;
    const manual: number[] = [];
    const auto: Array<{ id: number; scope: string; seq: number }> = [];
    for (const r of rows) {
      const at = parseRuleCode(core, r.code);
      if (at) auto.push({ id: r.id, ...at });
      else manual.push(r.id);
    }
    if (manual.length) await Customer.update({ codeOrigin: 'manual' }, { where: { id: manual, codeOrigin: null } });
    if (auto.length) {
      // One statement per page: CASE keeps a 100k-row backfill at a hundred round trips.
      const cases = () => `CASE id ${auto.map(() => 'WHEN ? THEN ?').join(' ')} END`;
      const values = (col: 'scope' | 'seq') => auto.flatMap((a) => [a.id, a[col]]);
      await sequelize.query(
        `UPDATE customers SET code_origin = 'auto', code_scope = ${cases()}, code_seq = ${cases()} WHERE code_origin IS NULL AND id IN (${auto.map(() => '?').join(',')})`,
        {
          replacements: [...values('scope'), ...values('seq'), ...auto.map((a) => a.id)],
        },
      );
    }
    filled += rows.length;
  }
}
