import { beforeAll, expect, it } from '@jest/globals';
import path from 'node:path';
import { eventHash, GENESIS_HASH, linkHash, verifyAuditChain } from '../../core/audit.js';
import { anchorAuditChain } from '../../core/audit/anchor.js';
import { appendCheckpointFile, checkpointText, takeCheckpoint } from '../../core/audit/checkpoint.js';
import { verifyAudit } from '../../core/audit/compare.js';
import type { Actor } from '../../core/context.js';
import { takeBackup } from '../../core/data/backup/backup.js';
import { clearTables, loadBackup } from '../../core/data/backup/load.js';
import { readManifest } from '../../core/data/backup/manifest.js';
import { restoreBackup } from '../../core/data/backup/restore.js';
import { auditCheckpointJob } from '../../jobs/audit-checkpoint.js';
import { auditVerify } from '../../cli/commands/audit.js';
import type { AuditEvent } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';

const NOT_KEYED = (id: number) =>
  `审计链损坏: 第 ${id} 条的 hash 不是用审计密钥 (STEWARD_AUDIT_KEY) 签的: 这条事件是不知道密钥的人写入或改写的 (事件被伪造或改动)`;

/** Puts rows (as read before a tamper) and the head back, so each test starts from a sound chain. */
async function putBackRows(h: Harness, rows: AuditEvent[]): Promise<void> {
  const q = (sql: string, replacements: unknown[]) => h.core.models.sequelize.query(sql, { replacements });
  for (const r of rows)
    await q('UPDATE audit_events SET operator_name = ?, pii = ?, prev_hash = ?, hash = ? WHERE id = ?', [
      r.operatorName,
      r.pii,
      r.prevHash,
      r.hash,
      r.id,
    ]);
  const last = rows.at(-1)!;
  await q('UPDATE audit_head SET hash = ?, last_id = ? WHERE id = 1', [last.hash, last.id]);
  expect((await verifyAudit(h.core)).problems).toEqual([]);
}

/** What a database writer with a dump does: every table replaced by the backup's rows, nothing recorded. */
async function restoreRawFrom(h: Harness, dir: string): Promise<void> {
  const manifest = readManifest(dir);
  await withTransaction(h.core.models.sequelize, async (t) => {
    await clearTables(h.core.models, t);
    await loadBackup(h.core.models, dir, manifest, null, t);
  });
}

/** The daily checkpoint job, run now: the signed head to the admins' chat and the append-only file. */
async function runCheckpointJob(h: Harness, admin: Actor) {
  const sent: { title: string; text: string }[] = [];
  const notifier = {
    toOperator: async (_o: unknown, m: { title: string; text: string }) => {
      sent.push(m);
    },
    toGroup: async () => undefined,
    approvalDecided: async () => undefined,
  };
  const run = await auditCheckpointJob.run({
    core: h.core,
    actor: admin,
    notifier: notifier as never,
    dryRun: false,
    log: h.core.logger,
  });
  return { run, sent };
}

/** An admin, and four customers with personal data: a chain of keyed events. */
async function seedChain(h: Harness): Promise<Actor> {
  const admin = await h.actor('链管理员', ['admin']);
  for (let i = 0; i < 4; i++) await newCustomer(h, admin, { phone: `1391234000${i}`, contact: `联系人${i}` });
  return admin;
}

eachDialect('an audit trail a database writer cannot rewrite', (h) => {
  beforeAll(async () => {
    await seedChain(h);
  });
  const q = (sql: string, replacements: unknown[]) => h.core.models.sequelize.query(sql, { replacements });
  const events = () => h.core.models.AuditEvent.findAll({ order: [['id', 'ASC']] });
  const head = async () => (await h.core.models.AuditHead.findByPk(1))!;
  const putBack = (rows: AuditEvent[]) => putBackRows(h, rows);

  it('a sound chain verifies: keyed links, nothing to report', async () => {
    const v = await verifyAudit(h.core);
    expect(v.problems).toEqual([]);
    expect(v.chain).toMatchObject({ ok: true, checked: (await events()).length });
    const all = await events();
    for (const e of all) expect(e.hash).toBe(linkHash(h.core.keys.auditKey, e.prevHash, e));
  });

  it('tamper 1: an appended event hashed correctly (sha256) but without the key is named', async () => {
    const before = await events();
    const top = await head();
    const row = {
      at: new Date(),
      operatorId: null,
      operatorName: '伪造者',
      door: 'cli' as const,
      action: 'customer.edit',
      customerId: null,
      customerCode: 'C-FAKE',
      diff: '{"after":{"note":"伪造"}}',
    };
    const forged = await h.core.models.AuditEvent.create({
      ...row,
      pii: null,
      prevHash: top.hash,
      hash: eventHash(top.hash, row),
    });
    await q('UPDATE audit_head SET hash = ?, last_id = ? WHERE id = 1', [forged.hash, forged.id]);
    expect((await verifyAudit(h.core)).problems).toEqual([NOT_KEYED(forged.id)]);
    await forged.destroy();
    await putBack(before);
  });

  it("tamper 3: one event's encrypted personal data swapped onto another is named", async () => {
    const before = await events();
    const [a, b] = before.filter((e) => e.pii).slice(-2) as [AuditEvent, AuditEvent];
    await q('UPDATE audit_events SET pii = ? WHERE id = ?', [a.pii, b.id]);
    expect((await verifyAudit(h.core)).problems).toEqual([
      `审计链损坏: 第 ${b.id} 条的加密个人数据与该事件记录的承诺值不符 (个人数据被调换或改动)`,
    ]);
    await putBack(before);
  });
});

eachDialect('an audit trail a database writer cannot rewrite: rewritten rows and a truncated tail', (h) => {
  beforeAll(async () => {
    await seedChain(h);
  });
  const q = (sql: string, replacements: unknown[]) => h.core.models.sequelize.query(sql, { replacements });
  const events = () => h.core.models.AuditEvent.findAll({ order: [['id', 'ASC']] });
  const putBack = (rows: AuditEvent[]) => putBackRows(h, rows);

  it('tamper 2: a row rewritten with every later hash recomputed is named at the rewritten row', async () => {
    const before = await events();
    const victim = before[Math.floor(before.length / 2)]!;
    let prev = victim.prevHash;
    for (const e of before.filter((x) => x.id >= victim.id)) {
      const operatorName = e.id === victim.id ? '别人' : e.operatorName;
      const hash = eventHash(prev, { ...e.get(), operatorName });
      await q('UPDATE audit_events SET operator_name = ?, prev_hash = ?, hash = ? WHERE id = ?', [
        operatorName,
        prev,
        hash,
        e.id,
      ]);
      prev = hash;
    }
    await q('UPDATE audit_head SET hash = ? WHERE id = 1', [prev]);
    expect((await verifyAudit(h.core)).problems).toEqual([NOT_KEYED(victim.id)]);
    await putBack(before);
  });

  it('tamper 4: the tail truncated and the head moved back: the chain alone looks whole, the checkpoint (from chat, via the CLI) names the missing events', async () => {
    const before = await events();
    const cp = await takeCheckpoint(h.core);
    const kept = before.at(-3)!;
    const gone = before.slice(-2);
    await h.core.models.AuditEvent.destroy({ where: { id: gone.map((g) => g.id) } });
    await q('UPDATE audit_head SET hash = ?, last_id = ? WHERE id = 1', [kept.hash, kept.id]);
    expect(await verifyAuditChain(h.core)).toMatchObject({ ok: true });
    let out = '';
    const code = await auditVerify(h.core, { checkpoint: checkpointText(cp) }, (s) => {
      out += s;
    });
    expect(code).toBe(1);
    expect(out).toContain(
      `✗ 链被截断或回滚: 校验点 (${cp.at}, 命令行给出的校验点) 记录链头为第 ${cp.id} 条 (共 ${cp.count} 条), 数据库里的链只到第 ${kept.id} 条 (共 ${cp.count - 2} 条)。事件 #${gone[0]!.id}–#${gone[1]!.id} 不在链中, 且链中没有还原记录说明 (可能被删除, 或数据库被回滚到旧备份)。`,
    );
    for (const g of gone) await h.core.models.AuditEvent.create(g.get());
    await putBack(before);
    let ok = '';
    expect(
      await auditVerify(h.core, { checkpoint: JSON.stringify(cp) }, (s) => {
        ok += s;
      }),
    ).toBe(0);
    expect(ok).toContain('审计链完整');
  });
});

eachDialect('an audit trail a database writer cannot rewrite: a rollback to an old backup', (h) => {
  let admin: Actor;
  beforeAll(async () => {
    admin = await seedChain(h);
  });
  const events = () => h.core.models.AuditEvent.findAll({ order: [['id', 'ASC']] });
  const head = async () => (await h.core.models.AuditHead.findByPk(1))!;
  const restoreRaw = (dir: string) => restoreRawFrom(h, dir);

  it('tamper 5: a rollback to an old backup is reported; a restore through steward is recorded and explained', async () => {
    const backup = await takeBackup(h.core, admin);
    expect(readManifest(backup.path).auditCheckpoint).toMatchObject({
      id: (await head()).lastId,
      hash: (await head()).hash,
    });
    await newCustomer(h, admin, { phone: '13912345999' });
    await newCustomer(h, admin);
    // The daily job: the signed head to the admins' chat and the append-only file.
    const { run, sent } = await runCheckpointJob(h, admin);
    const top = await head();
    expect(run.summary).toMatch(new RegExp(`^已记录校验点: 链头第 ${top.lastId} 条`));
    expect(sent[0]).toMatchObject({ title: '审计校验点' });
    expect(sent[0]!.text).toContain(`审计链校验点: 链头为第 ${top.lastId} 条事件`);

    // A database writer loads the old backup's rows straight into the tables: nothing records it.
    const atTop = await takeBackup(h.core, admin);
    await restoreRaw(backup.path);
    const rolled = await head();
    const v = await verifyAudit(h.core);
    expect(v.chain.ok).toBe(true);
    expect(v.problems).toEqual([expect.stringContaining(`链被截断或回滚: 校验点 (`)]);
    expect(v.problems[0]).toContain(`记录链头为第 ${top.lastId} 条`);
    expect(v.problems[0]).toContain(`数据库里的链只到第 ${rolled.lastId} 条`);
    expect(v.problems[0]).toContain(`事件 #${rolled.lastId + 1}–#${top.lastId} 不在链中`);

    // Undo the raw rollback (load a backup of the state before it), then roll back through steward restore.
    await restoreRaw(atTop.path);
    expect((await head()).lastId).toBe(top.lastId);
    expect((await verifyAudit(h.core)).problems).toEqual([]);
    const result = await restoreBackup(h.core, admin, backup.path, { replace: true });
    const restore = (await events()).at(-1)!;
    expect(restore.action).toBe('audit.restore');
    const info = JSON.parse(restore.diff).info;
    expect(info).toMatchObject({
      backup: path.basename(backup.path),
      by: '链管理员',
      headBefore: { id: top.lastId, hash: top.hash },
      headAfter: { id: rolled.lastId, hash: rolled.hash },
    });
    expect(result.safetyBackup).toBeTruthy();
    const after = await verifyAudit(h.core);
    expect(after.problems).toEqual([]);
    expect(after.notes).toContain(
      `第 ${restore.id} 条记录: ${restore.at.toISOString()} 链管理员 从备份「${path.basename(backup.path)}」还原了整个数据库, 链头由 #${top.lastId} (共 ${info.headBefore.count} 条) 回到 #${rolled.lastId} (共 ${info.headAfter.count} 条), 事件 #${rolled.lastId + 1}–#${top.lastId} 因还原而不在链中。`,
    );
    expect(after.notes.join('\n')).toMatch(/其中 \d+ 个的链头因还原而不在链中, 已由还原记录说明/);
  });
});

eachDialect('an audit trail a database writer cannot rewrite: the chain from before the audit key', (h) => {
  beforeAll(async () => {
    await seedChain(h);
  });
  const q = (sql: string, replacements: unknown[]) => h.core.models.sequelize.query(sql, { replacements });
  const events = () => h.core.models.AuditEvent.findAll({ order: [['id', 'ASC']] });

  it('an unkeyed chain from before STEWARD_AUDIT_KEY is anchored once; rewriting it afterwards is caught', async () => {
    // Rebuild the chain as an older version wrote it: sha256 links, no key.
    const before = await events();
    let prev = GENESIS_HASH;
    for (const e of before) {
      const hash = eventHash(prev, e);
      await q('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?', [prev, hash, e.id]);
      prev = hash;
    }
    await q('UPDATE audit_head SET hash = ? WHERE id = 1', [prev]);
    expect((await verifyAuditChain(h.core)).reason).toBe(
      `链中 ${before.length} 条事件没有一条是用审计密钥签的: 整条链被改写, 或还没有锚定 (启动程序时会自动锚定)`,
    );
    const anchorId = (await anchorAuditChain(h.core))!;
    expect(await anchorAuditChain(h.core)).toBeNull();
    const anchor = (await h.core.models.AuditEvent.findByPk(anchorId))!;
    expect(JSON.parse(anchor.diff).info.legacyHead).toEqual({
      id: before.at(-1)!.id,
      hash: prev,
      count: before.length,
    });
    expect(await verifyAuditChain(h.core)).toMatchObject({ ok: true, checked: before.length + 1 });
    const victim = before[1]!;
    await q('UPDATE audit_events SET operator_name = ? WHERE id = ?', ['别人', victim.id]);
    expect((await verifyAuditChain(h.core)).reason).toBe(`第 ${victim.id} 条的内容与其 hash 不符 (事件被改动)`);
    await q('UPDATE audit_events SET operator_name = ? WHERE id = ?', [victim.operatorName, victim.id]);
    expect((await verifyAuditChain(h.core)).ok).toBe(true);
    appendCheckpointFile(h.core.config, await takeCheckpoint(h.core), 'test');
  });
});
