import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { verifyAuditChain } from '../../core/audit.js';
import { takeCheckpoint } from '../../core/audit/checkpoint.js';
import { verifyAudit } from '../../core/audit/compare.js';
import { openCore } from '../../core/boot.js';
import { loadConfig } from '../../core/config.js';
import type { Core } from '../../core/context.js';
import { createLogger } from '../../core/logger.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';

/** A second instance writing to lane 2, and three customers created on each instance. */
async function startSecondLane(h: Harness): Promise<Core> {
  const second = openCore(loadConfig({ ...h.core.config.env, AUDIT_LANE: '2' }), createLogger('silent'));
  const admin = await h.actor('两道链管理员', ['admin']);
  for (let i = 0; i < 3; i++) {
    await newCustomer(h, admin);
    await newCustomer({ ...h, core: second }, admin);
  }
  return second;
}

/*
 * Two instances on one database, as two Galera nodes would be: the second appends to lane 2
 * (AUDIT_LANE pins what the node's auto_increment_offset gives on a cluster). Each lane is a chain
 * of its own; verification walks them all, and tampering with either lane is named.
 */
eachDialect('the audit chain in lanes, one per database node', (h) => {
  let second: Core;
  const q = (sql: string, replacements: unknown[] = []) => h.core.models.sequelize.query(sql, { replacements });
  const lane = (n: number) => h.core.models.AuditEvent.findAll({ where: { lane: n }, order: [['id', 'ASC']] });

  beforeAll(async () => {
    second = await startSecondLane(h);
  });
  afterAll(async () => second?.models.sequelize.close());

  it("writes each instance's events into its own lane and head, and the whole chain verifies", async () => {
    const [one, two] = [await lane(1), await lane(2)];
    expect(two.length).toBe(3);
    expect(one.length).toBeGreaterThanOrEqual(3);
    // Each lane links to its own previous event, never to the other lane's.
    for (const events of [one, two])
      for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect((await h.core.models.AuditHead.findByPk(2))!.lastId).toBe(two.at(-1)!.id);
    expect(await verifyAuditChain(h.core)).toMatchObject({ ok: true, checked: one.length + two.length });
    expect((await verifyAudit(second)).problems).toEqual([]);
  });

  it('names an event deleted from the middle of lane 2, and a lane-2 tail cut back with its head moved', async () => {
    const two = await lane(2);
    const victim = two[1]!;
    await q('DELETE FROM audit_events WHERE id = ?', [victim.id]);
    expect(await verifyAuditChain(h.core)).toMatchObject({
      ok: false,
      brokenAt: two[2]!.id,
      reason: `第 ${two[2]!.id} 条的 prevHash 与上一条不符 (事件被删除或插入)`,
    });
    await h.core.models.AuditEvent.create(victim.get({ plain: true }));
    expect((await verifyAuditChain(h.core)).ok).toBe(true);

    const checkpoint = await takeCheckpoint(h.core);
    const last = two.at(-1)!;
    await q('DELETE FROM audit_events WHERE id = ?', [last.id]);
    expect(await verifyAuditChain(h.core)).toMatchObject({
      ok: false,
      reason: '链尾与记录的链头不符 (末尾的事件被删除)',
    });
    // A writer who also moves lane 2's head back passes the chain walk, but not the checkpoint.
    await q('UPDATE audit_head SET hash = ?, last_id = ? WHERE id = 2', [two.at(-2)!.hash, two.at(-2)!.id]);
    expect((await verifyAuditChain(h.core)).ok).toBe(true);
    const v = await verifyAudit(h.core, [{ checkpoint, source: '管理员群消息' }]);
    expect(v.ok).toBe(false);
    expect(v.problems.join('\n')).toMatch(/管理员群消息/);
    await h.core.models.AuditEvent.create(last.get({ plain: true }));
    await q('UPDATE audit_head SET hash = ?, last_id = ? WHERE id = 2', [last.hash, last.id]);
    expect((await verifyAudit(h.core, [{ checkpoint, source: '管理员群消息' }])).problems).toEqual([]);
  });

  it('names a lane whose head row was removed', async () => {
    const head = (await h.core.models.AuditHead.findByPk(2))!.get({ plain: true });
    await q('DELETE FROM audit_head WHERE id = 2');
    expect(await verifyAuditChain(h.core)).toMatchObject({
      ok: false,
      reason: '第 2 道链没有链头记录 (audit_head 中的行被删除)',
    });
    await h.core.models.AuditHead.create(head);
    expect((await verifyAuditChain(h.core)).ok).toBe(true);
  });
});
