import { beforeAll, expect, it } from '@jest/globals';
import { GENESIS_HASH, linkHash, verifyAuditChain } from '../../core/audit.js';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { editCustomer } from '../../core/customers/edit.js';
import { revealCustomer } from '../../core/customers/reveal.js';
import { deactivate, reactivate } from '../../core/customers/status.js';
import { approve, reject } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { purgeEntry, restoreCustomer } from '../../core/deletion/recycle.js';
import { withTransaction } from '../../models/tx.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { expectRefused, newCustomer } from './fixtures.js';

let admin: Actor;
let approver: Actor;
/** How many audit events there are, and the newest one. */
const auditReads = (h: Harness) => ({
  count: () => h.core.models.AuditEvent.count(),
  last: async () => (await h.core.models.AuditEvent.findOne({ order: [['id', 'DESC']] }))!,
});

/** An admin (DingTalk) and an approver (back office); each block gets its own database. */
function setupActors(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('审计管理员', ['admin'], 'dingtalk');
    approver = await h.actor('审计审批人', ['approver'], 'admin');
  });
}

eachDialect('audit trail: one linked event per change', (h) => {
  setupActors(h);

  const { count, last } = auditReads(h);

  it('append exactly one event per change, linked to the one before', async () => {
    const at = new Date('2026-07-01T08:09:10.123Z');
    h.setNow(at);
    const steps: [string, () => Promise<unknown>][] = [];
    const c = await newCustomer(h, admin, { phone: '13866667777' });
    steps.push(
      ['customer.edit', () => editCustomer(h.core, admin, c.code, { note: '审计' })],
      ['customer.deactivate', () => deactivate(h.core, admin, c.code, { reason: '客户要求' })],
      ['customer.reactivate', () => reactivate(h.core, admin, c.code)],
      ['customer.reveal', () => revealCustomer(h.core, admin, c.code, '核对电话')],
      ['deletion.request', () => requestDeletion(h.core, admin, c.code, '测试')],
      [
        'customer.delete',
        async () =>
          approve(h.core, approver, (await h.core.models.ApprovalRequest.findOne({ where: { customerId: c.id } }))!.id),
      ],
      ['customer.restore', () => restoreCustomer(h.core, approver, c.code)],
    );
    for (const [action, step] of steps) {
      const before = await last();
      const n = await count();
      await step();
      expect(await count()).toBe(n + 1);
      const e = await last();
      expect(e).toMatchObject({ action, customerId: c.id, customerCode: c.code, prevHash: before.hash });
      expect(e.hash).toBe(linkHash(h.core.keys.auditKey, before.hash, e));
    }
    const e = await last();
    expect(e.at.toISOString()).toBe(at.toISOString());
    expect(e).toMatchObject({
      operatorName: '审计审批人',
      door: 'admin',
      operatorId: (await h.operator('审计审批人', ['approver'])).id,
    });
    h.setNow(null);
  });

  it('record a rejection too', async () => {
    const c = await newCustomer(h, admin);
    const req = await requestDeletion(h.core, admin, c.code, '测试拒绝');
    const n = await count();
    await reject(h.core, approver, req.id, '不同意');
    expect(await count()).toBe(n + 1);
    expect(JSON.parse((await last()).diff)).toMatchObject({ info: { requestId: req.id, note: '不同意' } });
  });
});

eachDialect('audit trail: rollbacks and purges keep the chain valid', (h) => {
  setupActors(h);

  const { count, last } = auditReads(h);

  it('leave no event behind when the change fails or its transaction rolls back', async () => {
    const taken = await newCustomer(h, admin, { code: 'AUD-1' });
    const n = await count();
    const head = (await h.core.models.AuditHead.findByPk(1))!.hash;
    await expectRefused(createCustomer(h.core, admin, { name: '重复编码', code: 'aud-1' }), 'CODE_TAKEN');
    await expectRefused(editCustomer(h.core, admin, taken.code, { note: 'x', version: 99 }), 'STALE_VERSION');
    await expect(
      withTransaction(h.core.models.sequelize, async (t) => {
        await createCustomer(h.core, admin, { name: '回滚客户有限公司' }, { transaction: t });
        throw new Error('the caller failed after the create');
      }),
    ).rejects.toThrow('the caller failed');
    expect(await count()).toBe(n);
    expect(await h.core.models.Customer.count({ where: { name: '回滚客户有限公司' } })).toBe(0);
    expect((await h.core.models.AuditHead.findByPk(1))!.hash).toBe(head);
    const next = await newCustomer(h, admin);
    expect((await last()).prevHash).toBe(head);
    expect(next.code).toMatch(/^C\d{8}$/);
    expect(await verifyAuditChain(h.core)).toMatchObject({ ok: true, checked: await count() });
  });

  it('keep the chain valid when purge redacts old events, and record the redaction', async () => {
    const c = await newCustomer(h, admin, { phone: '13912121212', contact: '钱多多' });
    const req = await requestDeletion(h.core, admin, c.code, '清除测试');
    const { recycleEntryId } = await approve(h.core, approver, req.id);
    const { redactedEvents } = await purgeEntry(h.core, admin, recycleEntryId!, { force: true });
    expect(redactedEvents).toBe(1);
    const purge = await last();
    expect(purge).toMatchObject({ action: 'customer.purge', customerId: c.id });
    expect(JSON.parse(purge.diff)).toMatchObject({ info: { redactedEvents: 1 } });
    expect(await verifyAuditChain(h.core)).toMatchObject({ ok: true, checked: await count() });
  });
});

eachDialect('audit trail: parallel changes, and tampering caught', (h) => {
  setupActors(h);
  /** Events of the test's own: one customer created per event, so the chain has at least `n` links. */
  const someEvents = async (n: number) => {
    for (let i = 0; i < n; i += 1) await newCustomer(h, admin);
  };

  it('never fork the chain under parallel changes', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => createCustomer(h.core, admin, { name: `并发审计客户${i}` })),
    );
    const rows = await h.core.models.AuditEvent.findAll({ order: [['id', 'ASC']] });
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(rows.length);
    expect(await verifyAuditChain(h.core)).toMatchObject({ ok: true });
  });

  it('catch a row edited directly in the database, naming the first broken id', async () => {
    await someEvents(3);
    const rows = await h.core.models.AuditEvent.findAll({ order: [['id', 'ASC']] });
    const victim = rows[Math.floor(rows.length / 2)]!;
    const { sequelize } = h.core.models;
    await sequelize.query('UPDATE audit_events SET diff = ? WHERE id = ?', {
      replacements: ['{"after":{"note":"悄悄改掉"}}', victim.id],
    });
    const report = await verifyAuditChain(h.core);
    expect(report).toMatchObject({ ok: false, brokenAt: victim.id });
    expect(report.reason).toContain('被改动');
    await sequelize.query('UPDATE audit_events SET diff = ? WHERE id = ?', { replacements: [victim.diff, victim.id] });
    expect((await verifyAuditChain(h.core)).ok).toBe(true);

    await sequelize.query('UPDATE audit_events SET operator_name = ? WHERE id = ?', {
      replacements: ['别人', victim.id],
    });
    expect(await verifyAuditChain(h.core)).toMatchObject({ ok: false, brokenAt: victim.id });
    await sequelize.query('UPDATE audit_events SET operator_name = ? WHERE id = ?', {
      replacements: [victim.operatorName, victim.id],
    });
    expect((await verifyAuditChain(h.core)).ok).toBe(true);
  });

  it('catch a deleted event: in the middle, and the last one', async () => {
    await someEvents(6);
    const { AuditEvent } = h.core.models;
    const rows = await AuditEvent.findAll({ order: [['id', 'ASC']], raw: true });
    const middle = rows[3]!;
    await AuditEvent.destroy({ where: { id: middle.id } });
    const gap = await verifyAuditChain(h.core);
    expect(gap).toMatchObject({ ok: false, brokenAt: rows[4]!.id });
    expect(gap.reason).toContain('prevHash');
    await AuditEvent.create(middle);

    const tail = rows.at(-1)!;
    await AuditEvent.destroy({ where: { id: tail.id } });
    const cut = await verifyAuditChain(h.core);
    expect(cut).toMatchObject({ ok: false, brokenAt: tail.id });
    expect(cut.reason).toContain('末尾的事件被删除');
    await AuditEvent.create(tail);
    expect((await verifyAuditChain(h.core)).ok).toBe(true);
  });
});
