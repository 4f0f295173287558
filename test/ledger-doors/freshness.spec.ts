import http from 'node:http';
import { beforeAll, expect, it } from '@jest/globals';
import { consoleSay } from '../../bot/console.js';
import { Notifier } from '../../bot/notify/notifier.js';
import type { OutboxPayload } from '../../bot/notify/payload.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Reply } from '../../bot/types.js';
import { buildApp } from '../../cli/server/app.js';
import type { Actor } from '../../core/context.js';
import { applyLedger } from '../../core/ledger/apply.js';
import { findInactive } from '../../core/review/inactive.js';
import { inactiveReviewJob } from '../../jobs/inactive-review.js';
import { monthlyReport } from '../../jobs/monthly-report.js';
import { runJob } from '../../jobs/runner.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';

const DAY = 86400_000;

let bot: BotRuntime;
let admin: Actor;
const codes: string[] = [];
const t0 = new Date('2026-11-30T02:00:00Z');
const erp: Actor = {
  door: 'api',
  operator: { id: null, displayName: 'erp-token', active: true, roleList: () => ['admin'] },
};
const say = async (text: string) =>
  (await consoleSay(bot.deps, { as: 'boss', door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');

/** /healthz as a probe sees it, the inactive review run by hand, and what an operator got in the console. */
function probes(h: Harness) {
  const healthz = async () => {
    const server = http.createServer((await buildApp(h.core)).callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/healthz`);
      return { status: res.status, body: (await res.json()) as { status: string; ledger: Record<string, unknown> } };
    } finally {
      server.close();
    }
  };
  const review = async (dryRun = false) => {
    const r = await runJob(h.core, inactiveReviewJob, { notifier: new Notifier(h.core), trigger: 'manual', dryRun });
    if (!r.claimed) throw new Error('not claimed');
    return r.run;
  };
  const inbox = async (a: Actor): Promise<Reply[]> =>
    (
      await h.core.models.BotOutbox.findAll({
        where: { door: 'console', targetId: `op:${a.operator.id}` },
        order: [['id', 'ASC']],
      })
    )
      .map((r) => JSON.parse(r.payload) as OutboxPayload)
      .flatMap((p) => (p.kind === 'message' ? [p.reply] : []));
  return { healthz, review, inbox };
}

/** The ERP pushes one closed order of 2025-06-01 for `customerCode`. */
function erpPushesAnOldOrder(h: Harness, customerCode: string, number = 'ERP-OLD-1') {
  return applyLedger(
    h.core,
    erp,
    [
      {
        type: 'order',
        number,
        customerCode,
        date: '2025-06-01',
        total: '99.00',
        status: 'closed',
      },
    ],
    { source: 'api' },
  );
}

/** Three customers of 王销售, created 400 days before t0, and no order data at all; each block gets its own database. */
function setupNoOrderData(h: Harness): void {
  beforeAll(async () => {
    codes.length = 0;
    h.setNow(t0);
    bot = createBot(h.core, { dispatch: false });
    admin = { operator: await h.operator('老板', ['admin'], { wecom: 'boss' }), door: 'cli' };
    const sales = await h.operator('王销售', ['sales'], { wecom: 'wang' });
    for (let i = 0; i < 3; i++) {
      const c = await newCustomer(h, admin, { ownerId: sales.id });
      await h.core.models.sequelize.query('UPDATE customers SET created_at = ? WHERE id = ?', {
        replacements: [new Date(t0.getTime() - 400 * DAY), c.id],
      });
      codes.push(c.code);
    }
  });
}

eachDialect('the review, 统计, the monthly report and /healthz say when no order data arrives', (h) => {
  setupNoOrderData(h);
  const { healthz, review, inbox } = probes(h);

  it('with no order ever received: nobody is flagged, and every place says 尚未接入进销存订单数据', async () => {
    const result = await findInactive(h.core, admin);
    expect(result).toMatchObject({
      customers: [],
      notice: '尚未接入进销存订单数据',
      ledger: { hasOrders: false, stale: true, source: null },
    });
    const chat = await say('不活跃客户');
    expect(chat).toContain('尚未接入进销存订单数据, 无法判断客户是否活跃, 本次不标记任何客户为不活跃或「从未下单」。');
    expect(chat).not.toContain('从未下单 (建档');
    for (const code of codes) expect(chat).not.toContain(code);
    expect((await review(true)).summary).toBe(
      '试运行: 尚未接入进销存订单数据, 本次不标记任何客户为不活跃或「从未下单」。',
    );
    const run = await review();
    expect(run.summary).toBe('尚未接入进销存订单数据, 本次不标记任何客户为不活跃或「从未下单」。');
    const told = (await inbox(admin)).map((r) => r.text).join('\n');
    expect(told).toContain('尚未接入进销存订单数据');
    for (const code of codes) expect(told).not.toContain(code);
    expect(await say('统计')).toContain('⚠️ 尚未接入进销存订单数据: 不活跃客户审查暂停, 不标记任何客户。');
    expect(
      await consoleSay(bot.deps, { as: 'wang', door: 'wecom', group: false }, { text: '全部停用' }).then(
        (r) => r[0]!.text,
      ),
    ).toBe('尚未接入进销存订单数据, 无法判断客户是否活跃, 不能批量停用。');
    const report = await monthlyReport(h.core, admin);
    expect(report[0]!.text.startsWith('⚠️ 尚未接入进销存订单数据')).toBe(true);
    expect(await healthz()).toEqual({
      status: 200,
      body: expect.objectContaining({
        status: 'ok',
        ledger: {
          source: null,
          lastReceivedAt: null,
          lastOrderReceivedAt: null,
          stale: true,
          notice: '尚未接入进销存订单数据',
        },
      }),
    });
  });
});

eachDialect('the review, 统计 and /healthz once order data arrives, and when it goes quiet', (h) => {
  setupNoOrderData(h);
  const { healthz, review } = probes(h);

  it('once the ERP pushes orders, the review runs: the quiet and the never-ordered are flagged', async () => {
    h.setNow(new Date(t0.getTime() + DAY));
    const pushed = await erpPushesAnOldOrder(h, codes[0]!);
    expect(pushed.counts.created).toBe(1);
    const result = await findInactive(h.core, admin);
    expect(result.notice).toBeNull();
    expect(result.customers.map((c) => c.code).sort()).toEqual([...codes].sort());
    const chat = await say('不活跃客户');
    expect(chat).toContain(`${codes[0]} `);
    expect(chat).toContain('最近下单 2025-06-01');
    expect(chat).toContain('从未下单 (建档');
    const health = await healthz();
    expect(health.body.ledger).toEqual({
      source: 'api',
      lastReceivedAt: new Date(t0.getTime() + DAY).toISOString(),
      lastOrderReceivedAt: new Date(t0.getTime() + DAY).toISOString(),
      stale: false,
      notice: null,
    });
    expect(await say('统计')).toMatch(
      /进销存数据: 最近收到单据 2026-12-01 10:00 \(来源: ERP 推送 \(API\)\), 最近订单 2026-12-01 10:00。/,
    );
  });

  it('when the feed goes quiet for longer than the review window, it says so and flags nobody', async () => {
    // The feed's last delivery, a day after t0 (an order of its own for the first customer, as in the test above).
    h.setNow(new Date(t0.getTime() + DAY));
    expect((await erpPushesAnOldOrder(h, codes[0]!, 'ERP-OLD-2')).counts.created).toBe(1);
    h.setNow(new Date(t0.getTime() + 182 * DAY));
    const result = await findInactive(h.core, admin);
    expect(result).toMatchObject({
      customers: [],
      notice: '最近 180 天没有收到订单数据',
      ledger: { hasOrders: true, stale: true, source: 'api' },
    });
    const chat = await say('不活跃客户');
    expect(chat).toContain('最近 180 天没有收到订单数据, 无法判断客户是否活跃');
    expect(chat).toContain('最近一次收到订单数据: 2026-12-01 10:00 (来源 api)');
    expect((await review()).summary).toBe('最近 180 天没有收到订单数据, 本次不标记任何客户为不活跃或「从未下单」。');
    expect((await healthz()).body.ledger).toMatchObject({
      source: 'api',
      stale: true,
      notice: '最近 180 天没有收到订单数据',
    });
    const report = await monthlyReport(h.core, admin);
    expect(report[0]!.text).toContain('⚠️ 最近 180 天没有收到订单数据');
  });
});
