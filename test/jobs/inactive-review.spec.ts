import { expect, it } from '@jest/globals';
import { consoleInbox, consoleSay } from '../../bot/console.js';
import { inactiveReviewJob } from '../../jobs/inactive-review.js';
import { runJob } from '../../jobs/runner.js';
import { MAX_CARDS } from '../../jobs/review-digest.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { clickXml, openReply, sealed } from '../helpers/wecom.js';
import { allText } from './fixtures.js';
import { codeSentTo, PageBrowser } from '../bot/approvals/approval-page-browser.js';
import {
  as,
  cardsTo,
  decideFromTheDigest,
  firstReview,
  r,
  review,
  setupDemoReview,
  type Card,
} from './inactive-review-setup.js';

eachDialect("inactive-review: the dry run, and the first review's digests to each owner", (h) => {
  // Nothing is decided in this block: both tests see every demo customer that went quiet.
  setupDemoReview(h);

  it('a dry run only reports: nothing is queued or sent', async () => {
    const outbox = await h.core.models.BotOutbox.count();
    const run = await runJob(h.core, inactiveReviewJob, {
      notifier: r.app.bot.deps.notifier,
      trigger: 'manual',
      dryRun: true,
    });
    expect(run.claimed && run.run.summary).toBe(
      `试运行: 超过 180 天未下单的启用客户 ${r.mine.sales.length + r.mine.sales2.length} 个 (王销售 ${r.mine.sales.length}, 赵销售 ${r.mine.sales2.length}); 将给 2 人发送审查清单, 未发送任何消息。`,
    );
    expect(await h.core.models.BotOutbox.count()).toBe(outbox);
  });

  digestsToEachOwner(h);
});

eachDialect('inactive-review: decisions from the first digest (cards, 全部停用, the DingTalk link)', (h) => {
  // The first review is sent before the tests; each test decides on customers of its own.
  setupDemoReview(h, { firstReview: true });
  decisionsFromTheDigest(h);
  theSignedLinkOnDingTalk(h);
});

eachDialect('inactive-review: the next review after decisions, and its group summary', (h) => {
  setupDemoReview(h);
  theNextReview(h);
});

/** The first review: cards to each owner, DingTalk text, the group summary and the console inbox. */
function digestsToEachOwner(h: Harness): void {
  it('each demo salesperson gets their own customers as WeCom cards with 停用/保留, DingTalk text with the typed commands, and the console inbox', async () => {
    // The demo's quiet ones (went quiet 400+ days ago, or never ordered) are all there.
    expect(r.mine.sales.length).toBeGreaterThanOrEqual(5);
    expect(r.mine.sales2.length).toBeGreaterThanOrEqual(5);
    // Two seconds after the demo seed's own deactivations; delivered: every card and the group summary.
    await firstReview(h);
    const cards = cardsTo('demo-sales');
    expect(cards[0]!.main_title.title).toBe('不活跃客户审查');
    expect(cards[0]!.button_list).toEqual([{ text: '全部停用', style: 1, key: 'deactivate-all' }]);
    const perCustomer = cards.slice(1);
    expect(perCustomer.map((c) => c.button_list.map((b) => b.key))).toEqual(
      r.mine.sales.slice(0, MAX_CARDS).map((code) => [`deactivate:${code}`, `keep:${code}`]),
    );
    for (const c of perCustomer) {
      expect(c.card_type).toBe('button_interaction');
      expect(c.button_list.map((b) => b.text)).toEqual(['停用', '保留']);
      expect(c.sub_title_text).toMatch(
        /^C\d{8} .+ · (最近下单 \d{4}-\d\d-\d\d \(\d+ 天前\)|从未下单 \(建档 \d{4}-\d\d-\d\d\)) · 累计销售 ¥[\d,]+\.\d\d · (无未收款|未收 ¥[\d,]+\.\d\d)\n停用客户 C\d{8} 长期无交易 \/ 保留客户 C\d{8}$/,
      );
    }
    expect(
      cardsTo('demo-sales2')
        .slice(1)
        .map((c) => c.button_list[0]!.key),
    ).toEqual(r.mine.sales2.slice(0, MAX_CARDS).map((code) => `deactivate:${code}`));
    // DingTalk 1:1 has no callback buttons: the text carries the commands to type.
    const ding = r.app.fake
      .to('/v1.0/robot/oToMessages/batchSend')
      .filter((c) => (c.body.userIds as string[])[0] === 'demo-sales');
    const dingText = ding
      .map((c) => JSON.parse(String(c.body.msgParam)) as Record<string, string>)
      .map((p) => p.content ?? p.text)
      .join('\n');
    for (const code of r.mine.sales) expect(dingText).toContain(`停用客户 ${code} 长期无交易 / 保留客户 ${code}`);
    // …and its cards are actionCards whose buttons open the signed review page.
    const card = JSON.parse(String(ding.find((c) => c.body.msgKey === 'sampleActionCard2')!.body.msgParam)) as Record<
      string,
      string
    >;
    expect([card.actionTitle1, card.actionTitle2]).toEqual(['停用', '保留']);
    expect(card.actionURL1).toMatch(new RegExp(`^${r.app.url}/review/C\\d{8}\\?t=[\\w-]+\\.[\\w-]+$`));
    const group = (r.app.fake.to('/cgi-bin/webhook/send').at(-1)!.body as { markdown: { content: string } }).markdown
      .content;
    expect(group).toContain(`超过 180 天未下单的启用客户共 ${r.mine.sales.length + r.mine.sales2.length} 个`);
    expect(group).toContain(`• 王销售: 待处理 ${r.mine.sales.length} 个`);
    expect(group).toContain('这是第一次审查。');
    expect(group).toContain('<@demo-sales>');
    const inbox = allText(await consoleInbox(r.app.bot.deps, as('demo-sales')));
    for (const code of r.mine.sales) expect(inbox).toContain(code);
    for (const code of r.mine.sales2) expect(inbox).not.toContain(code);
  });
}

/** 停用 and 保留 from the cards, and 全部停用 after 确认. */
function decisionsFromTheDigest(h: Harness): void {
  it('停用 from the digest card: the tap proposes, the confirm card deactivates with reason 长期无交易', async () => {
    const code = r.mine.sales[0]!;
    const card = cardsTo('demo-sales').find((c) => c.button_list[0]!.key === `deactivate:${code}`)!;
    const tap = sealed(clickXml('demo-sales', `deactivate:${code}`, card.task_id));
    const res = await r.app.request(`/webhooks/wecom?${tap.query}`, { method: 'POST', body: tap.body });
    expect(openReply(res.text).MsgType).toBe('update_button');
    await r.app.fake.waitFor(() => cardsTo('demo-sales').some((c) => c.button_list[0]!.key === `confirm:${code}`));
    const confirmCard = cardsTo('demo-sales').find((c) => c.button_list[0]!.key === `confirm:${code}`)!;
    expect(confirmCard.sub_title_text).toContain(`将停用客户 ${code}`);
    expect(confirmCard.sub_title_text).toContain('原因: 长期无交易');
    expect((await h.core.models.Customer.findOne({ where: { code } }))!.status).toBe('active');
    const ok = sealed(clickXml('demo-sales', `confirm:${code}`, confirmCard.task_id));
    await r.app.request(`/webhooks/wecom?${ok.query}`, { method: 'POST', body: ok.body });
    const row = await h.core.models.Customer.findOne({ where: { code } });
    expect([row!.status, row!.deactivationReason]).toEqual(['inactive', '长期无交易']);
  });

  it('保留 from the digest is recorded and audited; 全部停用 lists, then acts only after 确认', async () => {
    const kept = r.mine.sales[1]!;
    const reply = await consoleSay(r.app.bot.deps, as('demo-sales'), { click: `keep:${kept}` });
    expect(reply[0]!.text).toMatch(new RegExp(`^已保留客户 ${kept} .+, \\d{4}-\\d\\d-\\d\\d 前的不活跃审查不再提醒。`));
    expect(await h.core.models.CustomerKeep.count({ where: { customerCode: kept } })).toBe(1);
    expect(await h.core.models.AuditEvent.count({ where: { customerCode: kept, action: 'customer.keep' } })).toBe(1);

    const proposal = await consoleSay(r.app.bot.deps, as('demo-sales2'), { click: 'deactivate-all' });
    expect(proposal[0]!.text).toContain(
      `将停用以下 ${r.mine.sales2.length} 个超过 180 天未下单的客户, 原因: 长期无交易`,
    );
    for (const code of r.mine.sales2) expect(proposal[0]!.text).toContain(code);
    expect(proposal[0]!.buttons!.map((b) => b.id)).toEqual(['confirm:全部停用', 'cancel']);
    expect(await h.core.models.Customer.count({ where: { code: r.mine.sales2, status: 'active' } })).toBe(
      r.mine.sales2.length,
    );
    const done = await consoleSay(r.app.bot.deps, as('demo-sales2'), { text: '确认 全部停用' });
    expect(done[0]!.text).toContain(`已停用 ${r.mine.sales2.length} 个客户 (原因: 长期无交易)`);
    expect(
      await h.core.models.Customer.count({
        where: { code: r.mine.sales2, status: 'inactive', deactivationReason: '长期无交易' },
      }),
    ).toBe(r.mine.sales2.length);
  });
}

/** A second review leaves the decided customers out and counts them in the group summary. */
function theNextReview(h: Harness): void {
  it('the next review leaves out what was decided and the group summary counts it per manager', async () => {
    // The first review, then 王销售 停用s one and 保留s one, 赵销售 全部停用s (as the decisions tests do).
    await firstReview(h);
    await decideFromTheDigest();
    // A minute later (a week later some demo customers would cross the 180-day line).
    h.setNow(new Date(Date.now() + 60_000));
    // A first-review message sent again late is not this review's: delivery is at least once, and a
    // send whose answer came after its timeout (a stalled test process) is tried again. A card is
    // known by its task_id, anything else by its whole body.
    const keyOf = (body: Record<string, unknown>) =>
      (body.template_card as Card | undefined)?.task_id ?? JSON.stringify(body);
    const earlier = new Set(r.app.fake.calls.map((c) => keyOf(c.body)));
    const calls = r.app.fake.calls.length;
    const run = await review(h);
    expect(run.claimed && run.run.summary).toContain('上次审查以来已处理');
    const remaining = r.mine.sales.length - 2;
    const fromThisReview = () => r.app.fake.calls.slice(calls).filter((c) => !earlier.has(keyOf(c.body)));
    const groupPosts = () => fromThisReview().filter((c) => c.path === '/cgi-bin/webhook/send');
    await r.app.fake.waitFor(
      () =>
        cardsTo('demo-sales').filter((c) => !earlier.has(c.task_id)).length === Math.min(remaining, MAX_CARDS) + 1 &&
        groupPosts().length > 0,
    );
    expect(fromThisReview().filter((c) => c.body.touser === 'demo-sales2')).toEqual([]);
    const group = (groupPosts().at(-1)!.body as { markdown: { content: string } }).markdown.content;
    expect(group).toContain(`• 王销售: 待处理 ${remaining} 个; 上次审查以来已停用 1、保留 1`);
    expect(group).toContain(`• 赵销售: 待处理 0 个; 上次审查以来已停用 ${r.mine.sales2.length}、保留 0`);
    expect(group).toMatch(
      new RegExp(`以来共处理 ${r.mine.sales2.length + 2} 个 \\(停用 ${r.mine.sales2.length + 1}, 保留 1\\)`),
    );
    h.setNow(null);
  });
}

/** The DingTalk actionCard link: the signed review page acts once; a tampered link is refused. */
function theSignedLinkOnDingTalk(h: Harness): void {
  it('DingTalk: the signed link opens the review page, acts once, and a tampered link is refused', async () => {
    const code = r.mine.sales[2]!;
    const msg = r.app.fake
      .to('/v1.0/robot/oToMessages/batchSend')
      .map((c) => JSON.parse(String(c.body.msgParam)) as Record<string, string>)
      .filter((p) => p.actionURL2 && p.text?.includes(`${code} `))
      .at(-1)!;
    const url = new URL(msg.actionURL2!);
    const page = await r.app.request(`${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`不活跃客户 ${code}`);
    expect(page.text).toContain('>发送验证码</button>');
    const token = url.searchParams.get('t')!;
    const forged = await r.app.request(url.pathname, {
      method: 'POST',
      body: new URLSearchParams({ t: `${token.slice(0, -2)}xx`, decision: 'deactivate' }).toString(),
    });
    expect([forged.status, forged.text.includes('链接签名无效')]).toEqual([403, true]);
    // Who clicks is proven by a one-time code sent to the link's owner in chat (test/bot/approvals/approval-page-review.spec.ts).
    const browser = new PageBrowser(r.app.url);
    await browser.get(`${url.pathname}${url.search}`);
    const csrf = browser.csrf();
    await browser.post(`${url.pathname}/code`, { t: token, csrf });
    expect(browser.last).toContain('保留 90 天');
    const kept = await browser.post(url.pathname, {
      t: token,
      csrf,
      decision: 'keep',
      code: await codeSentTo(h.core, r.sales.id),
    });
    expect(kept.status).toBe(200);
    expect(kept.text).toContain(`已保留客户 ${code}`);
    const again = await browser.post(url.pathname, { t: token, csrf, decision: 'deactivate' });
    expect([again.status, again.text.includes('这个链接已经用过了')]).toEqual([409, true]);
    const event = await h.core.models.AuditEvent.findOne({ where: { customerCode: code, action: 'customer.keep' } });
    expect([event!.door, event!.operatorName]).toEqual(['page', '王销售']);
    expect((await h.core.models.Customer.findOne({ where: { code } }))!.status).toBe('active');
  });
}
