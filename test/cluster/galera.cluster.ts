import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { verifyAudit } from '../../core/audit/compare.js';
import { seedDemo } from '../../core/demo/seed.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { JOBS, startScheduler } from '../../jobs/index.js';
import type { RunResult } from '../../jobs/runner.js';
import { FakeMessenger } from '../helpers/fake-messenger.js';
import { openReply, sealed, textXml } from '../helpers/wecom.js';
import {
  clusterEnv,
  errorLines,
  galera,
  onNode,
  prepareInstance,
  reuse,
  startCluster,
  startInstance,
  type Instance,
} from './galera-instances.js';

/*
 * Three app instances on a three-node Galera cluster on loopback (test/cluster/galera.sh), one
 * instance per node, as `npm run test:cluster` runs it. GALERA_RUNNING=1 reuses a cluster already
 * started under GALERA_DIR (for working on this file); otherwise the cluster is started and removed here.
 * The tests run in order on one cluster: the kill -9 test and the jobs test depend on what came before.
 */

const p99 = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.ceil(ms.length * 0.99) - 1]!;

let fake: FakeMessenger;
const inst: Instance[] = [];
/** A fourth instance whose DATABASE_URL lists node 3 first, then node 1 (failover). */
let listed: Instance;
let seq = 0;
const msgId = () => `66${Date.now()}${String(++seq).padStart(4, '0')}`;
let stopJobs: (() => Promise<void>)[] = [];
let jobsFrom = 0;
const attempts: { n: number; job: string; result: RunResult }[] = [];

/** A WeCom app text to one instance; its answer and how long it took. */
async function say(
  to: Instance,
  from: string,
  content: string,
  id = msgId(),
): Promise<{ status: number; text: string; ms: number }> {
  const s = sealed(textXml(from, content, id));
  const t0 = performance.now();
  const res = await fetch(`${to.running.url}/webhooks/wecom?${s.query}`, { method: 'POST', body: s.body });
  const body = await res.text();
  return {
    status: res.status,
    text: res.status === 200 && body ? (openReply(body).Content ?? '') : body,
    ms: performance.now() - t0,
  };
}

/** The three instances (migrated at once) and `listed`, with stdout quiet while they start. */
async function startInstances(env: Record<string, string>): Promise<void> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    // Started at once on an empty cluster: migrations, the key canary and the audit anchor must not race.
    const cores = await Promise.all([1, 2, 3].map((n) => prepareInstance(n, env)));
    // serve() one after another: its ensureAdmin() first-boot race is fixed on the back-office
    // branch (admin/auth); once merged, these can start at once too.
    for (const [i, core] of cores.entries()) inst.push(await startInstance(i + 1, core));
    listed = await startInstance(
      4,
      await prepareInstance(4, env, 'mysql://root@127.0.0.1:23303,127.0.0.1:23301/steward'),
    );
  } finally {
    process.stdout.write = write;
  }
}

/** The two cheap jobs on a schedule on every instance, each attempt recorded. */
function startJobs(): void {
  const jobs = JOBS.filter((j) => j.name === 'approval-expiry' || j.name === 'reactivate-due');
  const notifier = {
    toOperator: async () => undefined,
    toGroup: async () => undefined,
    approvalDecided: async () => undefined,
    linksWanted: () => false,
    reviewLink: () => '',
    hasTeamGroup: async () => false,
  };
  jobsFrom = Date.now();
  stopJobs = inst.map((i) =>
    startScheduler(i.core, {
      jobs,
      notifier,
      onAttempt: (job, result) => attempts.push({ n: i.n, job: job.name, result }),
    }),
  );
}

beforeAll(async () => {
  await startCluster();
  fake = await new FakeMessenger().start();
  await startInstances(clusterEnv(fake.url));
  await seedDemo(inst[0]!.core);
  startJobs();
}, 240_000);

afterAll(async () => {
  for (const stop of stopJobs) await stop().catch(() => undefined);
  for (const i of [...inst, listed]) await i?.running.stop().catch(() => undefined);
  await fake?.stop();
  if (!reuse) galera('stop');
}, 60_000);

it('three instances migrated at once on an empty cluster all come up', async () => {
  for (const i of inst)
    expect(await (await fetch(`${i.running.url}/healthz`)).json()).toMatchObject({
      status: 'ok',
      migrations: 'up-to-date',
    });
});

// Each instance takes code numbers 20 at a time (CODE_BLOCK_SIZE) and appends to its node's audit
// lane, so concurrent creates on three nodes no longer all update one counter row and one chain head.
it('60 concurrent creates spread over the three instances: 60 unique codes, 0 errors, p99 under 2 s; the chain verifies on every node', async () => {
  const names = Array.from(
    { length: 60 },
    (_, i) =>
      `${['杭州', '宁波', '温州', '绍兴', '嘉兴', '湖州'][i % 6]}${['瑞丰', '金鼎', '恒通', '宏达', '永盛'][Math.floor(i / 6) % 5]}${['五金', '建材'][Math.floor(i / 30)]}第${i + 1}分公司`,
  );
  const t0 = performance.now();
  const replies = await Promise.all(names.map((name, i) => say(inst[i % 3]!, 'demo-sales', `新建客户 名称=${name}`)));
  if (process.env.CLUSTER_DEBUG)
    process.stderr.write(`${JSON.stringify(replies.map((r) => [Math.round(r.ms), r.text.slice(0, 30)]))}\n`);
  // No answer is an error; one slower than the 2 s reply window goes out through the messenger.
  expect(replies.filter((r) => r.status !== 200 || (r.text && !r.text.startsWith('已新建客户 ')))).toEqual([]);
  const late = replies.filter((r) => !r.text).length;
  // The late ones finish behind their answer; wait for their rows (and answers queued with them).
  let rows = await inst[0]!.core.models.Customer.findAll({ where: { name: names } });
  for (let i = 0; i < 300 && rows.length < 60; i++) {
    await new Promise((r) => setTimeout(r, 100));
    rows = await inst[0]!.core.models.Customer.findAll({ where: { name: names } });
  }
  const wall = performance.now() - t0;
  expect(fake.calls.filter((c) => /出错|不可用/.test(JSON.stringify(c.body)))).toEqual([]);
  expect(rows.length).toBe(60);
  expect(new Set(rows.map((r) => r.code)).size).toBe(60);
  const p = p99(replies.map((r) => r.ms));
  process.stderr.write(
    `cluster creates: 60 over 3 instances in ${wall.toFixed(0)} ms (${(60_000 / wall).toFixed(1)}/s); reply p99 ${p.toFixed(0)} ms; ${late} answered through the messenger\n`,
  );
  if (process.env.CLUSTER_STRICT_P99 !== '0') expect(p).toBeLessThan(2000);
  for (const i of inst) {
    await i.core.models.sequelize.query('SET SESSION wsrep_sync_wait = 1').catch(() => undefined);
    const v = await verifyAudit(i.core);
    expect({ node: i.n, problems: v.problems, ok: v.chain.ok }).toEqual({ node: i.n, problems: [], ok: true });
  }
}, 120_000);

it('the same chat message delivered to all three at once: one effect, no 5xx', async () => {
  const code = (await inst[0]!.core.models.Customer.findOne({
    where: { status: 'active' },
    order: [['id', 'DESC']],
  }))!.code;
  const id = msgId();
  const replies = await Promise.all(inst.map((i) => say(i, 'demo-admin', `保留客户 ${code} 老客户`, id)));
  expect(replies.filter((r) => r.status >= 500)).toEqual([]);
  await new Promise((r) => setTimeout(r, 300));
  expect(await inst[1]!.core.models.CustomerKeep.count({ where: { customerCode: code } })).toBe(1);
  expect(await inst[2]!.core.models.AuditEvent.count({ where: { customerCode: code, action: 'customer.keep' } })).toBe(
    1,
  );
});

it('two approvals of one request on two nodes at once: exactly one delete, the other hears 「该申请已处理」', async () => {
  const created = await say(inst[0]!, 'demo-sales', '新建客户 名称=双审批测试商贸有限公司');
  const code = /已新建客户 (\S+)/.exec(created.text)![1]!;
  const sales = await inst[0]!.core.models.Operator.findOne({ where: { displayName: '王销售' } });
  const request = await requestDeletion(inst[0]!.core, { operator: sales!, door: 'cli' }, code, '重复录入');
  const replies = await Promise.all([inst[0]!, inst[1]!].map((i) => say(i, 'demo-approver', `同意 ${request.id}`)));
  expect(replies.map((r) => r.status)).toEqual([200, 200]);
  const texts = replies.map((r) => r.text).sort();
  expect(texts[0]).toMatch(new RegExp(`已同意审批单 #${request.id}: 客户 ${code} 已删除`));
  expect(texts[1]).toMatch(new RegExp(`该申请已处理: 审批单 #${request.id}`));
  await onNode(3, async (c) => {
    await c.query('SET SESSION wsrep_sync_wait = 1');
    const [rows] = await c.query('SELECT COUNT(*) AS n FROM recycle_entries WHERE customer_code = ?', [code]);
    expect((rows as { n: number }[])[0]!.n).toBe(1);
    const [deleted] = await c.query(
      "SELECT COUNT(*) AS n FROM audit_events WHERE customer_code = ? AND action = 'customer.delete'",
      [code],
    );
    expect((deleted as { n: number }[])[0]!.n).toBe(1);
  });
});

it('a 确认 that lands on another instance right after its question finds the question (causal read)', async () => {
  const rows = await inst[0]!.core.models.Customer.findAll({
    where: { status: 'active' },
    order: [['id', 'DESC']],
    limit: 6,
  });
  for (const [k, c] of rows.entries()) {
    const asked = await say(inst[k % 3]!, 'demo-admin', `停用客户 ${c.code} 信息错误`);
    expect(asked.text).toContain(c.code);
    const done = await say(inst[(k + 1) % 3]!, 'demo-admin', `确认 ${c.code}`);
    expect(done.text).toContain('已停用');
  }
});

it('kill -9 of one node: the others keep answering, its instance says 「数据库暂时不可用」 and /healthz 503; after rejoin all converge', async () => {
  const load = Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      say(inst[i % 2]!, 'demo-sales', `新建客户 名称=断电测试${['甲', '乙', '丙', '丁'][i % 4]}${i}号商行`),
    ),
  );
  galera('kill', '3');
  const during = await load;
  // While the cluster evicts the dead node (evs.suspect_timeout) commits wait a few seconds: a slow
  // answer goes out through the messenger instead of the reply, but none is an error.
  expect(during.filter((r) => r.status !== 200 || /出错|不可用/.test(r.text))).toEqual([]);
  const orphan = await say(inst[2]!, 'demo-sales', '新建客户 名称=孤岛节点测试商行');
  expect(orphan).toMatchObject({ status: 200, text: '数据库暂时不可用, 请稍后重试。' });
  expect((await fetch(`${inst[2]!.running.url}/healthz`)).status).toBe(503);
  expect((await say(inst[0]!, 'demo-sales', '帮助')).status).toBe(200);
  // The instance whose DATABASE_URL lists node 3 then node 1 moves to node 1: at most its
  // connections already open to node 3 fail once, then it answers as before.
  let moved = '';
  for (let i = 0; i < 10 && !moved.startsWith('已新建客户'); i++)
    moved = (await say(listed, 'demo-sales', `新建客户 名称=切换节点测试${i}号商行`)).text;
  expect(moved).toMatch(/^已新建客户 /);
  expect((await fetch(`${listed.running.url}/healthz`)).status).toBe(200);

  galera('restart', '3');
  const sums = await Promise.all(
    [1, 2, 3].map((n) =>
      onNode(n, async (c) => {
        await c.query('SET SESSION wsrep_sync_wait = 1');
        const [rows] = await c.query('CHECKSUM TABLE customers, audit_events, audit_head');
        return rows;
      }),
    ),
  );
  expect(sums[1]).toEqual(sums[0]);
  expect(sums[2]).toEqual(sums[0]);
  // The orphaned instance reconnects by itself.
  let back = '';
  for (let i = 0; i < 20 && !back.startsWith('已新建客户'); i++)
    back = (await say(inst[2]!, 'demo-sales', `新建客户 名称=恢复后测试${i}号商行`)).text;
  expect(back).toMatch(/^已新建客户 /);
}, 180_000);

// Runs last: the two jobs have run every 10 s on all three instances since start-up, through the
// kill -9 above. (10-s slots for a minute instead of 1-min slots for three keep the cluster part
// of CI under 4 minutes; the claim is the same (job, slot) row either way.)
it('jobs on a schedule on all three instances: each (job, slot) ran exactly once, and no lost race was logged as an error', async () => {
  const wait = jobsFrom + 65_000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  for (const stop of stopJobs) await stop();
  stopJobs = [];
  const rows = await onNode(1, async (c) => {
    await c.query('SET SESSION wsrep_sync_wait = 1');
    const [r] = await c.query(
      "SELECT job, slot, COUNT(*) AS n FROM job_runs WHERE job IN ('approval-expiry', 'reactivate-due') AND slot NOT LIKE 'manual:%' GROUP BY job, slot ORDER BY slot",
    );
    return r as { job: string; slot: string; n: number }[];
  });
  for (const job of ['approval-expiry', 'reactivate-due']) {
    const slots = rows.filter((r) => r.job === job);
    if (process.env.CLUSTER_DEBUG) process.stderr.write(`${job}: ${JSON.stringify(slots)}\n`);
    // About six slots in the minute; while the cluster evicts the killed node, commits stall for a
    // few seconds and noOverlap may skip a slot on every instance (skipped, never doubled).
    expect(slots.length).toBeGreaterThanOrEqual(5);
    expect(slots.filter((r) => Number(r.n) !== 1)).toEqual([]);
    // Every instance saw every slot; the ones it did not claim it lost, as a lost race.
    const claimed = attempts.filter((a) => a.job === job && a.result.claimed).length;
    expect(claimed).toBe(slots.length);
  }
  const races = errorLines.filter(
    (l) =>
      /ER_DUP_ENTRY|ER_LOCK_DEADLOCK|Deadlock|Duplicate entry|job could not be started/.test(l) &&
      !/ECONNREFUSED|PROTOCOL_CONNECTION_LOST|WSREP|数据库暂时不可用/.test(l),
  );
  expect(races).toEqual([]);
}, 120_000);
