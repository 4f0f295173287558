import { afterAll, beforeAll, expect } from '@jest/globals';
import { consoleSay } from '../../bot/console.js';
import { jobActor } from '../../core/context.js';
import { operatorByIdentity } from '../../core/operators.js';
import { findInactive } from '../../core/review/inactive.js';
import { inactiveReviewJob } from '../../jobs/inactive-review.js';
import { MAX_CARDS } from '../../jobs/review-digest.js';
import { runJob } from '../../jobs/runner.js';
import type { Operator } from '../../models/index.js';
import { startBotApp, type BotApp } from '../helpers/bot-app.js';
import type { Harness } from '../helpers/db.js';

export interface Card {
  card_type: string;
  task_id: string;
  main_title: { title: string };
  sub_title_text: string;
  button_list: { text: string; key: string }[];
}

/** The block's bot app, demo-sales (王销售), demo-sales2 (赵销售) and their inactive customers' codes. */
export const r = {
  app: undefined as unknown as BotApp,
  sales: undefined as unknown as Operator,
  sales2: undefined as unknown as Operator,
  mine: {} as Record<'sales' | 'sales2', string[]>,
};
export const cardsTo = (user: string) =>
  r.app.fake
    .to('/cgi-bin/message/send')
    .filter((c) => c.body.touser === user && c.body.msgtype === 'template_card')
    .map((c) => c.body.template_card as Card);
export const as = (userId: string) => ({ as: userId, door: 'wecom' as const, group: false });

/** The scheduled review, run now. */
export const review = (h: Harness) =>
  runJob(h.core, inactiveReviewJob, { notifier: r.app.bot.deps.notifier, trigger: 'schedule', slot: h.core.now() });

/** The bot app on the demo data (its own database per block); `r.mine` holds the inactive customers of each. */
export function setupDemoReview(h: Harness, opts: { firstReview?: boolean } = {}): void {
  beforeAll(async () => {
    r.app = await startBotApp(h);
    r.sales = (await operatorByIdentity(h.core, 'wecom', 'demo-sales'))!;
    r.sales2 = (await operatorByIdentity(h.core, 'wecom', 'demo-sales2'))!;
    const all = (await findInactive(h.core, jobActor('test'), { figures: 0 })).customers;
    r.mine = {
      sales: all.filter((c) => c.ownerId === r.sales.id).map((c) => c.code),
      sales2: all.filter((c) => c.ownerId === r.sales2.id).map((c) => c.code),
    };
    if (opts.firstReview) await firstReview(h);
  });
  afterAll(async () => r.app?.close());
}

/** The first review, two seconds after the demo seed's own deactivations (MariaDB keeps whole seconds), delivered. */
export async function firstReview(h: Harness): Promise<void> {
  h.setNow(new Date(Date.now() + 2000));
  const run = await review(h);
  expect(run.claimed && run.run.status).toBe('succeeded');
  const shown = (list: string[]) => Math.min(list.length, MAX_CARDS);
  await r.app.fake.waitFor(
    () =>
      cardsTo('demo-sales').length === shown(r.mine.sales) + 1 &&
      cardsTo('demo-sales2').length === shown(r.mine.sales2) + 1 &&
      r.app.fake.to('/cgi-bin/webhook/send').length > 0,
  );
}

/** From the digest: 王销售 停用s the first and 保留s the second of theirs; 赵销售 全部停用s. */
export async function decideFromTheDigest(): Promise<void> {
  const say = async (who: string, input: { text: string } | { click: string }) =>
    (await consoleSay(r.app.bot.deps, as(who), input)).map((x) => x.text).join('\n');
  const [first, second] = r.mine.sales;
  await say('demo-sales', { click: `deactivate:${first}` });
  expect(await say('demo-sales', { text: `确认 ${first}` })).toContain(`已停用`);
  expect(await say('demo-sales', { click: `keep:${second}` })).toContain(`已保留客户 ${second}`);
  await say('demo-sales2', { click: 'deactivate-all' });
  expect(await say('demo-sales2', { text: '确认 全部停用' })).toContain(`已停用 ${r.mine.sales2.length} 个客户`);
}
