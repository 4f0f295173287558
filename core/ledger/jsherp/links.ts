import type { Transaction } from 'sequelize';
import type { JsherpLinkedBy } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import type { Core } from '../../context.js';
import { chunks, insertRows, selectRows } from '../../data/sql.js';
import { blindIndex } from '../../privacy.js';
import { normalizeName, normalizePhone } from '../../text.js';
import type { JshCustomer } from './read.js';

/** One of our customers as the matcher sees it. */
interface Ours {
  id: number;
  code: string;
  name_norm: string;
  phone_hash: string | null;
}

/** What the matcher decided for one jshERP customer. */
export type MatchResult =
  | { jsh: JshCustomer; kind: 'link'; customerId: number; code: string; by: JsherpLinkedBy }
  | { jsh: JshCustomer; kind: 'ambiguous'; matches: { code: string; by: 'name' | 'phone' }[] }
  | { jsh: JshCustomer; kind: 'unmatched' };

/** A jshERP customer's phones, normalised as ours are before the blind index. */
export function jshPhones(c: Pick<JshCustomer, 'telephone' | 'phoneNum'>): string[] {
  return [c.telephone, c.phoneNum]
    .filter((p): p is string => Boolean(p))
    .map((p) => normalizePhone(p))
    .filter((p) => /^\+?\d{5,20}$/.test(p));
}

/** Saved links of the tenant: jsh id → our customer; all of them, or those of some jshERP ids. */
export async function loadLinks(
  core: Core,
  tenantId: number,
  jshIds?: number[],
): Promise<Map<number, { customerId: number; code: string }>> {
  const sql =
    'SELECT l.jsh_id, l.customer_id, c.code FROM jsherp_links l JOIN customers c ON c.id = l.customer_id WHERE l.tenant_id = ?';
  type Row = { jsh_id: number | string; customer_id: number; code: string };
  const rows: Row[] = [];
  if (!jshIds) rows.push(...(await selectRows<Row>(core.models.sequelize, sql, [tenantId])));
  else
    for (const part of chunks([...new Set(jshIds)]))
      rows.push(...(await selectRows<Row>(core.models.sequelize, `${sql} AND l.jsh_id IN (?)`, [tenantId, part])));
  return new Map(rows.map((r) => [Number(r.jsh_id), { customerId: r.customer_id, code: r.code }]));
}

/**
 * Matches jshERP customers to ours that are not linked yet: by normalised name, then by phone
 * (blind index). Never guesses: several candidates, or two of theirs claiming one of ours, is
 * 'ambiguous' and waits for a person.
 */
export async function matchCustomers(core: Core, tenantId: number, jsh: JshCustomer[]): Promise<MatchResult[]> {
  if (!jsh.length) return [];
  const ours = await selectRows<Ours>(
    core.models.sequelize,
    "SELECT id, code, name_norm, phone_hash FROM customers WHERE status <> 'deleted' AND id NOT IN (SELECT customer_id FROM jsherp_links WHERE tenant_id = ?)",
    [tenantId],
  );
  const byName = new Map<string, Ours[]>();
  const byPhone = new Map<string, Ours[]>();
  for (const o of ours) {
    byName.set(o.name_norm, [...(byName.get(o.name_norm) ?? []), o]);
    if (o.phone_hash) byPhone.set(o.phone_hash, [...(byPhone.get(o.phone_hash) ?? []), o]);
  }
  const results = jsh.map((c): MatchResult => {
    const named = byName.get(normalizeName(c.name)) ?? [];
    if (named.length === 1) return { jsh: c, kind: 'link', customerId: named[0]!.id, code: named[0]!.code, by: 'name' };
    // The blind index costs an HMAC per phone: only when the name did not decide.
    const phoned = [
      ...new Map(
        jshPhones(c)
          .flatMap((p) => byPhone.get(blindIndex(core.keys, p)!) ?? [])
          .map((o) => [o.id, o]),
      ).values(),
    ];
    if (named.length > 1) {
      // The phone may tell namesakes apart; only a single survivor counts.
      const both = named.filter((o) => phoned.some((p) => p.id === o.id));
      if (both.length === 1) return { jsh: c, kind: 'link', customerId: both[0]!.id, code: both[0]!.code, by: 'phone' };
      return { jsh: c, kind: 'ambiguous', matches: named.map((o) => ({ code: o.code, by: 'name' as const })) };
    }
    if (phoned.length === 1)
      return { jsh: c, kind: 'link', customerId: phoned[0]!.id, code: phoned[0]!.code, by: 'phone' };
    if (phoned.length > 1)
      return { jsh: c, kind: 'ambiguous', matches: phoned.map((o) => ({ code: o.code, by: 'phone' as const })) };
    return { jsh: c, kind: 'unmatched' };
  });
  // Two of theirs claiming one of ours: neither is linked without a person.
  const claims = new Map<number, number>();
  for (const r of results) if (r.kind === 'link') claims.set(r.customerId, (claims.get(r.customerId) ?? 0) + 1);
  return results.map((r) =>
    r.kind === 'link' && claims.get(r.customerId)! > 1
      ? { jsh: r.jsh, kind: 'ambiguous', matches: [{ code: r.code, by: r.by === 'phone' ? 'phone' : 'name' }] }
      : r,
  );
}

/**
 * A customer already 停用 here when it is linked must not stay orderable in jshERP: queue the same
 * `disable` write a 停用 would have queued (applied by the write-back worker like any other).
 */
async function disableStoppedOnLink(
  core: Core,
  tenantId: number,
  links: { jshId: number; customerId: number; code: string }[],
  t: Transaction,
): Promise<void> {
  if (!core.config.JSHERP_WRITE_BACK) return;
  const byCustomer = new Map(links.map((l) => [l.customerId, l]));
  for (let i = 0; i < links.length; i += 500) {
    const ids = links.slice(i, i + 500).map((l) => l.customerId);
    const stopped = await core.models.Customer.findAll({
      where: { id: ids, status: 'inactive' },
      attributes: ['id', 'code'],
      transaction: t,
    });
    for (const c of stopped) {
      await core.models.JsherpWrite.create(
        {
          tenantId,
          jshId: byCustomer.get(c.id)!.jshId,
          customerId: c.id,
          customerCode: c.code,
          action: 'disable',
          notBefore: core.now(),
          approvalId: null,
          requestedBy: '关联时同步停用状态',
          result: null,
          error: null,
          createdAt: core.now(),
          doneAt: null,
        },
        { transaction: t },
      );
    }
  }
}

/** Saves links (multi-row INSERTs) and drops the candidates they settle, in one transaction. */
export async function saveLinks(
  core: Core,
  tenantId: number,
  links: { jshId: number; customerId: number; code: string; by: JsherpLinkedBy }[],
  t?: Transaction,
): Promise<void> {
  if (!links.length) return;
  await withTransaction(
    core.models.sequelize,
    async (tx) => {
      const now = core.now();
      await insertRows(
        core.models.JsherpLink,
        links.map((l) => ({
          tenantId,
          jshId: l.jshId,
          customerId: l.customerId,
          customerCode: l.code,
          linkedBy: l.by,
          linkedAt: now,
          wroteDeleteFlag: false,
        })),
        { transaction: tx, chunk: 1000 },
      );
      await disableStoppedOnLink(core, tenantId, links, tx);
      if (!(await core.models.JsherpCandidate.count({ where: { tenantId }, transaction: tx }))) return;
      for (let i = 0; i < links.length; i += 500) {
        await core.models.JsherpCandidate.destroy({
          where: { tenantId, jshId: links.slice(i, i + 500).map((l) => l.jshId) },
          transaction: tx,
        });
      }
    },
    t,
  );
}

/** Records (or refreshes) what waits for a person; candidates that are now linked or gone are dropped. */
export async function saveCandidates(
  core: Core,
  tenantId: number,
  pending: MatchResult[],
  opts: { replaceAll: boolean },
): Promise<void> {
  const rows = pending
    .filter((r) => r.kind !== 'link')
    .map((r) => ({
      tenantId,
      jshId: r.jsh.id,
      jshName: r.jsh.name.slice(0, 255),
      kind: r.kind as 'ambiguous' | 'unmatched',
      matches: r.kind === 'ambiguous' ? JSON.stringify(r.matches) : null,
      foundAt: core.now(),
    }));
  await withTransaction(core.models.sequelize, async (t) => {
    if (opts.replaceAll) await core.models.JsherpCandidate.destroy({ where: { tenantId }, transaction: t });
    else if (rows.length)
      await core.models.JsherpCandidate.destroy({
        where: { tenantId, jshId: rows.map((r) => r.jshId) },
        transaction: t,
      });
    if (rows.length) await insertRows(core.models.JsherpCandidate, rows, { transaction: t });
  });
}
