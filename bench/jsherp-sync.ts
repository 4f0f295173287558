// `npm run bench -- jsherp-sync [--customers 100000] [--keep]`
// A jshERP database (tenant 63) with 100k customers and 1M documents (800k jsh_depot_head: three
// 销售订单, four 销售, one 销售退货 per customer, 20 % with an open order; 100k 收款 heads and
// 100k items), and our side with the same 100k customers, on MariaDB (BENCH_DATABASE_URL).
// Times the initial sync (link, open orders, receivables, last order dates) and an incremental
// sync after 1,000 changes, each against a raw SELECT of the same rows in the same run.
import mysql from 'mysql2/promise';
import { jobActor, type Core } from '../core/context.js';
import type { JsherpState } from '../models/index.js';
import { openJshDb, syncJsherp, syncSummary, type JshDb } from '../core/ledger/jsherp/index.js';
import { createJshDatabase, dropJshDatabase } from '../test/jsherp/jsh-schema.js';
import {
  BENCH_URL,
  closeBenchCore,
  fmt,
  freshMysqlDatabase,
  numberArgs,
  openBenchCore,
  settleServer,
  timed,
} from './_shared.js';

const args = numberArgs({ customers: 100_000 });
const T = 63;
const N = args.customers;

async function step(label: string, fn: () => Promise<unknown>): Promise<number> {
  const ms = await timed(fn);
  console.log(`  ${label.padEnd(52)} ${fmt(ms / 1000, 2)} s`);
  return ms;
}

/** jshERP's side, with MariaDB's SEQUENCE engine: 100k customers and 1M document rows. */
async function seedJsh(c: mysql.Connection): Promise<void> {
  const seq = `seq_1_to_${N}`;
  await step(`jsh: ${fmt(N)} customers`, () =>
    c.query(`INSERT INTO jsh_supplier (id, supplier, type, enabled, begin_need_get, telephone, tenant_id, delete_flag)
    SELECT seq, CONCAT('客户', LPAD(seq, 7, '0')), '客户', 1, seq % 50, CONCAT('138', LPAD(seq, 8, '0')), ${T}, '0' FROM ${seq}`),
  );
  await step(`jsh: ${fmt(N * 8)} depot heads`, async () => {
    for (let k = 0; k < 8; k++) {
      const [type, sub, prefix] =
        k < 3 ? ['其它', '销售订单', 'XSDD'] : k < 7 ? ['出库', '销售', 'XSCK'] : ['入库', '销售退货', 'XSTH'];
      const status = k === 2 ? "IF(seq % 5 = 0, '1', '2')" : k < 3 ? "'2'" : "'1'";
      const amount = k < 3 ? '200 + seq % 13' : k < 7 ? '100 + (seq % 7) * 10' : '20';
      const change = k < 3 ? '0' : k < 7 ? '50' : '-10';
      await c.query(`INSERT INTO jsh_depot_head (type, sub_type, number, organ_id, oper_time, total_price, discount_last_money, other_money, deposit, change_amount, status, tenant_id, delete_flag)
        SELECT '${type}', '${sub}', CONCAT('${prefix}${k}', LPAD(seq, 8, '0')), seq, DATE_SUB('2026-11-30 10:00:00', INTERVAL (seq % 300) + ${k} * 3 DAY), ${amount}, ${amount}, 0, 0, ${change}, ${status}, ${T}, '0' FROM ${seq}`);
    }
  });
  await step(`jsh: ${fmt(N)} 收款 heads + ${fmt(N)} items`, async () => {
    await c.query(`INSERT INTO jsh_account_head (id, type, organ_id, change_amount, total_price, bill_no, bill_time, status, tenant_id, delete_flag)
      SELECT seq, '收款', seq, 30, 30, CONCAT('SK', LPAD(seq, 8, '0')), '2026-11-01 10:00:00', '1', ${T}, '0' FROM ${seq}`);
    await c.query(
      `INSERT INTO jsh_account_item (header_id, each_amount, tenant_id, delete_flag) SELECT seq, 30, ${T}, '0' FROM ${seq}`,
    );
  });
}

/** Our side: the same customers by name, as an earlier import would have left them. */
async function seedOurs(core: Core): Promise<void> {
  await step(`ours: ${fmt(N)} customers`, () =>
    core.models.sequelize.query(`INSERT INTO customers (code, name, name_norm, status, version, created_at, updated_at)
    SELECT CONCAT('B', LPAD(seq, 7, '0')), CONCAT('客户', LPAD(seq, 7, '0')), CONCAT('客户', LPAD(seq, 7, '0')), 'active', 1, NOW(), NOW() FROM seq_1_to_${N}`),
  );
}

/** The floor: the same rows read with plain SELECTs and nothing done with them. */
async function rawSelect(db: JshDb, where: { depot: string; account: string; supplier: string }): Promise<number> {
  let rows = 0;
  for (const sql of [
    `SELECT * FROM jsh_supplier WHERE tenant_id = ${T} AND ${where.supplier}`,
    `SELECT * FROM jsh_depot_head WHERE tenant_id = ${T} AND ${where.depot}`,
    `SELECT h.*, i.* FROM jsh_account_head h JOIN jsh_account_item i ON i.header_id = h.id WHERE h.tenant_id = ${T} AND ${where.account}`,
  ]) {
    const [r] = await db.pool.query(sql);
    rows += (r as unknown[]).length;
  }
  return rows;
}

/** 1,000 changes: 400 new shipments, 300 orders completed, 300 new receipts. */
async function change(c: mysql.Connection): Promise<string[]> {
  const completed: string[] = [];
  for (let i = 0; i < 400; i++) {
    const organ = 1 + ((i * 7919) % N);
    await c.query(
      `INSERT INTO jsh_depot_head (type, sub_type, number, organ_id, oper_time, total_price, discount_last_money, other_money, deposit, change_amount, status, tenant_id, delete_flag) VALUES ('出库', '销售', ?, ?, '2026-12-01 09:00:00', 99, 99, 0, 0, 0, '1', ${T}, '0')`,
      [`XSCKN${i}`, organ],
    );
  }
  for (let i = 0; i < 300; i++) completed.push(`XSDD2${String(5 * (i + 1)).padStart(8, '0')}`);
  await c.query(`UPDATE jsh_depot_head SET status = '2' WHERE tenant_id = ${T} AND number IN (?)`, [completed]);
  for (let i = 0; i < 300; i++) {
    const organ = 1 + ((i * 104729) % N);
    const [r] = await c.query(
      `INSERT INTO jsh_account_head (type, organ_id, change_amount, total_price, bill_no, bill_time, status, tenant_id, delete_flag) VALUES ('收款', ?, 10, 10, ?, '2026-12-01 10:00:00', '1', ${T}, '0')`,
      [organ, `SKN${i}`],
    );
    await c.query(
      `INSERT INTO jsh_account_item (header_id, each_amount, tenant_id, delete_flag) VALUES (?, 10, ${T}, '0')`,
      [(r as mysql.ResultSetHeader).insertId],
    );
  }
  return completed;
}

/** A plain connection to the jshERP database, for seeding and changing it. */
function jshConnection(jshUrl: string): Promise<mysql.Connection> {
  const u = new URL(jshUrl);
  return mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: 'steward_bench_jsh',
    socketPath: u.searchParams.get('socketPath') ?? undefined,
  });
}

/** The incremental baseline: a raw SELECT of what changed since the sync's high-water marks (300 orders completed). */
async function changedRowsBaseline(db: JshDb, state: JsherpState) {
  let changedRows = 0;
  const completed = Array.from({ length: 300 }, (_, i) => `'XSDD2${String(5 * (i + 1)).padStart(8, '0')}'`).join(',');
  const floor2 = await step('baseline: raw SELECT of the changed rows', async () => {
    changedRows = await rawSelect(db, {
      supplier: `id > ${state.lastSupplierId}`,
      depot: `(id > ${state.lastDepotId} OR number IN (${completed}))`,
      account: `h.id > ${state.lastAccountId}`,
    });
  });
  return { changedRows, floor2 };
}

async function main(): Promise<void> {
  console.log(`jsherp-sync: ${fmt(N)} customers, ${fmt(N * 10)} jshERP document rows (MariaDB ${BENCH_URL})`);
  const core = await openBenchCore(await freshMysqlDatabase(), {
    JSHERP_DATABASE_URL: 'mysql://unused@127.0.0.1/x',
    JSHERP_TENANT_ID: String(T),
  });
  const jshUrl = await createJshDatabase(BENCH_URL, 'steward_bench_jsh');
  const c = await jshConnection(jshUrl);
  const db = openJshDb(jshUrl, T);
  const actor = jobActor('jsherp-sync');
  try {
    await seedJsh(c);
    await seedOurs(core);
    await settleServer();
    let rows = 0;
    const floor = await step('baseline: raw SELECT of the same rows', async () => {
      rows = await rawSelect(db, { supplier: "type = '客户'", depot: '1', account: '1' });
    });
    let summary = '';
    const initial = await step('initial sync (syncJsherp, full)', async () => {
      summary = syncSummary(await syncJsherp(core, actor, db));
    });
    console.log(`    ${summary}`);
    const state = (await core.models.JsherpState.findByPk(T))!;
    await change(c);
    await settleServer();
    const { changedRows, floor2 } = await changedRowsBaseline(db, state);
    const incremental = await step('incremental sync after 1,000 changes', async () => {
      summary = syncSummary(await syncJsherp(core, actor, db));
    });
    console.log(`    ${summary}`);
    const events = await core.models.LedgerEvent.count();
    console.log(
      `\n  initial:     ${fmt(initial / 1000, 1)} s for ${fmt(rows)} rows; raw SELECT ${fmt(floor / 1000, 2)} s (${fmt(initial / floor, 1)}×). goal < 60 s: ${initial < 60_000 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `  incremental: ${fmt(incremental)} ms; raw SELECT of ${fmt(changedRows)} changed rows ${fmt(floor2)} ms. goal < 2 s: ${incremental < 2000 ? 'met' : 'NOT met'}`,
    );
    console.log(`  ledger events written in total: ${fmt(events)}`);
  } finally {
    await c.end();
    await db.close();
    if (!args.keep) await dropJshDatabase(jshUrl);
    await closeBenchCore(core, args.keep);
  }
}

await main();
