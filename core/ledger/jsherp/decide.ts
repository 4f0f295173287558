import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JsherpCandidate } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { normalizeCode } from '../../customers/codes.js';
import { customerNotFound } from '../../customers/view.js';
import { importCustomers, type ImportReport } from '../../data/import.js';
import { DomainError } from '../../errors.js';
import { assertCan } from '../../permissions.js';
import type { JshDb } from './connection.js';
import { customerInput } from './customers-step.js';
import { matchCustomers, saveLinks } from './links.js';
import { readCustomers } from './read.js';
import { isDeleted } from '../../customers/lifecycle.js';

/** What waits for a person: ambiguous matches first, then the unmatched, by jshERP id. */
export async function listCandidates(core: Core, actor: Actor, tenantId: number): Promise<JsherpCandidate[]> {
  assertCan(actor.operator, 'view');
  return core.models.JsherpCandidate.findAll({
    where: { tenantId },
    order: [
      ['kind', 'ASC'],
      ['jshId', 'ASC'],
    ],
  });
}

/**
 * A person's decision: our customer `code` is jshERP customer `jshId`. Both must be free; the
 * jshERP row must be a live customer of the tenant. Audited as jsherp.link.
 */
export async function decideLink(
  core: Core,
  actor: Actor,
  db: JshDb,
  rawCode: string,
  jshId: number,
): Promise<{ code: string; jshId: number; jshName: string }> {
  assertCan(actor.operator, 'edit');
  const code = normalizeCode(rawCode);
  const [jsh] = await readCustomers(db, { ids: [jshId] });
  if (!jsh)
    throw new DomainError(
      'NOT_FOUND',
      `jshERP 租户 ${db.tenantId} 中没有 id 为 ${jshId} 的客户 (或已删除)。用 steward connect jsherp --links 查看待确认的客户。`,
      { jshId },
    );
  return withTransaction(core.models.sequelize, async (t) => {
    const customer = await core.models.Customer.findOne({ where: { code }, transaction: t });
    if (!customer || isDeleted(customer.status)) throw customerNotFound(code);
    const taken = await core.models.JsherpLink.findOne({
      where: { tenantId: db.tenantId, customerId: customer.id },
      transaction: t,
    });
    if (taken)
      throw new DomainError('CONFLICT', `客户 ${code} 已关联 jshERP 客户 #${taken.jshId}; 一个客户只能关联一个。`, {
        code,
        jshId: Number(taken.jshId),
      });
    const other = await core.models.JsherpLink.findOne({ where: { tenantId: db.tenantId, jshId }, transaction: t });
    if (other)
      throw new DomainError('CONFLICT', `jshERP 客户 #${jshId}「${jsh.name}」已关联客户 ${other.customerCode}。`, {
        code: other.customerCode,
        jshId,
      });
    await saveLinks(core, db.tenantId, [{ jshId, customerId: customer.id, code, by: 'person' }], t);
    await appendAudit(core, t, actor, {
      action: 'jsherp.link',
      customerId: customer.id,
      customerCode: code,
      info: { tenantId: db.tenantId, jshId },
    });
    // Its older documents carry no new ids: the next sync reconciles in full to bring them in.
    await core.models.JsherpState.update({ lastFullAt: null }, { where: { tenantId: db.tenantId }, transaction: t });
    return { code, jshId, jshName: jsh.name };
  });
}

function csvCell(v: string | null): string {
  return `"${(v ?? '').replace(/"/g, '""')}"`;
}

/**
 * Offers the unmatched jshERP customers as an import (dry run unless `commit`): the same import
 * as every other door (validation, rule codes, batch record, undo, audit). After a commit the new
 * customers are linked to the rows they came from.
 */
export async function importUnmatched(
  core: Core,
  actor: Actor,
  db: JshDb,
  opts: { commit: boolean },
): Promise<{ report: ImportReport; linked: number; candidates: number }> {
  const waiting = await core.models.JsherpCandidate.findAll({
    where: { tenantId: db.tenantId, kind: 'unmatched' },
    order: [['jshId', 'ASC']],
  });
  const jsh = await readCustomers(db, { ids: waiting.map((c) => Number(c.jshId)) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-jsherp-'));
  const file = path.join(dir, 'jshERP-未关联客户.csv');
  const lines = [
    '客户名称,联系人,手机,地址,备注',
    ...jsh.map((c) => {
      const i = customerInput(c);
      return [i.name, i.contact, i.phone, i.address, i.note].map(csvCell).join(',');
    }),
  ];
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  try {
    const report = await importCustomers(core, actor, file, {
      commit: opts.commit,
      fileName: `jshERP 租户 ${db.tenantId} 未关联客户`,
    });
    let linked = 0;
    if (report.committed) {
      const matches = await matchCustomers(core, db.tenantId, jsh);
      const links = matches.flatMap((m) =>
        m.kind === 'link' ? [{ jshId: m.jsh.id, customerId: m.customerId, code: m.code, by: 'created' as const }] : [],
      );
      await saveLinks(core, db.tenantId, links);
      linked = links.length;
      await core.models.JsherpState.update({ lastFullAt: null }, { where: { tenantId: db.tenantId } });
    }
    return { report, linked, candidates: waiting.length };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
