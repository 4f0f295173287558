import { Op } from 'sequelize';
import type { Core } from '../context.js';
import { toHalfWidth } from '../text.js';
import { ruleRegex } from './codes.js';

export interface CodeReport {
  rule: string;
  /** Codes the current rule would not produce (legacy or hand-typed). */
  offRule: string[];
  /** Groups of codes that differ only by case, width or separators. */
  nearDuplicates: string[][];
}

/** The key two codes share when they differ only by case, width or separators. */
export function codeKey(code: string): string {
  return toHalfWidth(code)
    .toUpperCase()
    .replace(/[\s\-_./]/g, '');
}

/** Lists off-rule codes and near-duplicates so people can tidy legacy data. Streams in pages. */
export async function codeReport(core: Core): Promise<CodeReport> {
  const rule = core.config.CODE_RULE;
  const re = ruleRegex(rule);
  const offRule: string[] = [];
  const groups = new Map<string, string[]>();
  let lastId = 0;
  for (;;) {
    const rows = await core.models.Customer.findAll({
      where: { id: { [Op.gt]: lastId } },
      attributes: ['id', 'code'],
      order: [['id', 'ASC']],
      limit: 5000,
      raw: true,
    });
    if (!rows.length) break;
    for (const { id, code } of rows) {
      lastId = id;
      if (!re.test(code)) offRule.push(code);
      const key = codeKey(code);
      groups.set(key, [...(groups.get(key) ?? []), code]);
    }
  }
  return { rule, offRule, nearDuplicates: [...groups.values()].filter((g) => g.length > 1) };
}
