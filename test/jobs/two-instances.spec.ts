import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Notifier } from '../../bot/notify/notifier.js';
import { buildMounts } from '../../cli/server/mounts.js';
import { serve, type Running } from '../../cli/server/serve.js';
import { openCore, prepareDatabase } from '../../core/boot.js';
import type { Core } from '../../core/context.js';
import { seedDemo } from '../../core/demo/seed.js';
import { createLogger } from '../../core/logger.js';
import { startScheduler } from '../../jobs/index.js';
import { inactiveReviewJob } from '../../jobs/inactive-review.js';
import { runJob, type RunResult } from '../../jobs/runner.js';
import type { Job } from '../../jobs/types.js';
import { DINGTALK } from '../helpers/bot-app.js';
import { testConfig, testDialects, type DialectTarget } from '../helpers/db.js';
import { FakeMessenger } from '../helpers/fake-messenger.js';
import { until } from '../helpers/until.js';
import { openReply, sealed, textXml, WECOM } from '../helpers/wecom.js';
import { operatorByIdentity } from '../../core/operators.js';

interface Instance {
  name: string;
  core: Core;
  running: Running;
  attempts: RunResult[];
}

/** A job every instance schedules each second; `runs` counts executions across instances. */
const tick: Job & { runs: number } = {
  name: 't-two-instances',
  title: '双实例测试',
  schedule: '* * * * * *',
  runs: 0,
  async run() {
    tick.runs++;
    await new Promise((r) => setTimeout(r, 40));
    return { summary: `第 ${tick.runs} 次` };
  },
};

/** One server as `steward serve` starts it (bot doors, dispatcher, scheduler), on its own port and pool. */
async function startInstance(name: string, url: string, env: Record<string, string>): Promise<Instance> {
  const config = testConfig(url, { ...env, HOST: '127.0.0.1' });
  const core = openCore(config, createLogger(config.LOG_LEVEL));
  await prepareDatabase(core);
  const attempts: RunResult[] = [];
  const running = await serve(core, {
    mounts: await buildMounts(core),
    port: 0,
    startJobs: () =>
      startScheduler(core, { notifier: new Notifier(core), jobs: [tick], onAttempt: (_j, r) => attempts.push(r) }),
  });
  return { name, core, running, attempts };
}

let fake: FakeMessenger;
let a: Instance;
let b: Instance;
let seq = 0;
const msgId = () => `77${Date.now()}${String(++seq).padStart(4, '0')}`;
const write = process.stdout.write.bind(process.stdout);

async function say(to: Instance, from: string, content: string, id = msgId()): Promise<string> {
  const s = sealed(textXml(from, content, id));
  const res = await fetch(`${to.running.url}/webhooks/wecom?${s.query}`, { method: 'POST', body: s.body });
  expect(res.status).toBe(200);
  return openReply(await res.text()).Content ?? '';
}

async function quiet(owner: string, offset: number): Promise<string> {
  const op = await operatorByIdentity(a.core, 'wecom', owner);
  const rows = await a.core.models.Customer.findAll({
    where: { ownerId: op!.id, status: 'active' },
    order: [['id', 'ASC']],
  });
  return rows[offset]!.code;
}

/** Instance A (which seeds the demo data) and instance B on one fresh database, with a fake WeCom/DingTalk. */
function setupTwoInstances(target: DialectTarget): void {
  beforeAll(async () => {
    tick.runs = 0;
    fake = await new FakeMessenger().start();
    const url = await target.url();
    const key = () => crypto.randomBytes(32).toString('base64');
    // Both instances share the configuration, as two pods of one deployment would.
    const env = {
      ...WECOM,
      ...DINGTALK,
      WECOM_API_BASE: fake.url,
      DINGTALK_API_BASE: fake.url,
      DINGTALK_OAPI_BASE: fake.url,
      STEWARD_DATA_KEY: key(),
      STEWARD_INDEX_KEY: key(),
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    };
    // serve() prints its start-up banner; keep the test output readable.
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      a = await startInstance('A', url, env);
      await seedDemo(a.core);
      b = await startInstance('B', url, env);
    } finally {
      process.stdout.write = write;
    }
  });

  afterAll(async () => {
    if (target.name === 'mariadb' && a) await b?.running.stop();
    if (target.name === 'mariadb' && a)
      await a.core.models.sequelize
        .query(`DROP DATABASE IF EXISTS \`${a.core.models.sequelize.getDatabaseName()}\``)
        .catch(() => undefined);
    for (const i of [b, a]) await i?.running.stop();
    await fake?.stop();
  });
}

for (const target of testDialects()) {
  describe(`two instances on one ${target.name} database`, () => {
    setupTwoInstances(target);

    it('listen on two ports against the same database', async () => {
      expect(a.running.url).not.toBe(b.running.url);
      for (const i of [a, b])
        expect(await (await fetch(`${i.running.url}/healthz`)).json()).toMatchObject({
          status: 'ok',
          migrations: 'up-to-date',
        });
    });

    it('a webhook retry that lands on the other instance has no second effect', async () => {
      const code = await quiet('demo-sales', 0);
      const id = msgId();
      const first = await say(a, 'demo-sales', `保留客户 ${code} 老客户`, id);
      expect(first).toContain(`已保留客户 ${code}`);
      const retry = await say(b, 'demo-sales', `保留客户 ${code} 老客户`, id);
      expect(retry).toBe(first);
      expect(await b.core.models.CustomerKeep.count({ where: { customerCode: code } })).toBe(1);
      expect(await b.core.models.AuditEvent.count({ where: { customerCode: code, action: 'customer.keep' } })).toBe(1);
    });

    it('a confirmation started on one instance is confirmed on the other', async () => {
      const code = await quiet('demo-sales', 1);
      expect(await say(a, 'demo-sales', `停用客户 ${code} 客户要求`)).toContain(
        `请在 5 分钟内回复「确认 ${code}」继续`,
      );
      expect(await say(b, 'demo-sales', `确认 ${code}`)).toContain(`已停用客户 ${code}`);
      const row = await a.core.models.Customer.findOne({ where: { code } });
      expect([row!.status, row!.deactivationReason]).toEqual(['inactive', '客户要求']);
    });

    // The schedulers and the dispatchers of both instances run all along, on the same database.
    scheduledWorkRunsOnce();
  });
}

/** Cron slots and queued messages: both instances try, exactly one acts. */
function scheduledWorkRunsOnce(): void {
  it('each cron slot runs once although both schedulers fire it', async () => {
    const start = Date.now();
    // Until both schedulers have tried two more slots (they fire every second), not a fixed pause.
    const triedByBoth = () => {
      const slots = (i: typeof a) => new Set(i.attempts.map((r) => (r.claimed ? r.run.slot : r.slot)));
      const inB = slots(b);
      return [...slots(a)].filter((s) => inB.has(s)).length;
    };
    const earlier = triedByBoth();
    await until(() => triedByBoth() >= earlier + 2, 10_000, 'two more slots tried by both instances');
    const rows = (await a.core.models.JobRun.findAll({ where: { job: tick.name } })).filter(
      (r) => r.startedAt.getTime() >= start - 2000,
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rows.map((r) => r.slot)).size).toBe(rows.length);
    // The schedulers keep ticking: a run may be in the table before its attempt is reported,
    // so compare id sets instead of counts taken at slightly different moments.
    const claimedIds = () => [...a.attempts, ...b.attempts].flatMap((r) => (r.claimed ? [r.run.id] : []));
    const before = claimedIds();
    const ids = (await a.core.models.JobRun.findAll({ where: { job: tick.name } })).map((r) => r.id);
    expect(before.every((id) => ids.includes(id))).toBe(true);
    for (let waited = 0; !ids.every((id) => claimedIds().includes(id)) && waited < 5000; waited += 50)
      await new Promise((r) => setTimeout(r, 50));
    const claimed = claimedIds();
    for (const id of ids) expect([id, claimed.filter((c) => c === id).length]).toEqual([id, 1]);
    expect(tick.runs).toBeGreaterThanOrEqual(ids.length);
    // Both schedulers fired the same slots; wherever both tried, exactly one ran it.
    const bySlot = new Map<string, boolean[]>();
    for (const r of [...a.attempts, ...b.attempts]) {
      const slot = r.claimed ? r.run.slot : r.slot;
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), r.claimed]);
    }
    const contested = [...bySlot.values()].filter((v) => v.length === 2);
    expect(contested.length).toBeGreaterThanOrEqual(2);
    for (const v of contested) expect(v.filter(Boolean)).toHaveLength(1);
    expect([...bySlot.values()].every((v) => v.length <= 2 && v.filter(Boolean).length === 1)).toBe(true);
  });

  it('a review digest queued once is sent once, although both dispatchers poll the outbox', async () => {
    const before = fake.to('/cgi-bin/message/send').length;
    const r = await runJob(a.core, inactiveReviewJob, { notifier: new Notifier(a.core), trigger: 'manual' });
    expect(r.claimed && r.run.status).toBe('succeeded');
    const queued = await a.core.models.BotOutbox.count({
      where: { door: 'wecom', targetKind: 'user', ref: 'job:inactive-review' },
    });
    expect(queued).toBeGreaterThan(2);
    await fake.waitFor(() => fake.to('/cgi-bin/message/send').length - before >= queued, 15_000);
    await new Promise((r2) => setTimeout(r2, 1500));
    const sent = fake
      .to('/cgi-bin/message/send')
      .slice(before)
      .filter((c) => c.body.msgtype === 'template_card')
      .map((c) => (c.body.template_card as { task_id: string }).task_id);
    expect(sent).toHaveLength(queued);
    expect(new Set(sent).size).toBe(sent.length);
  });
}
