import { beforeAll, expect, it } from '@jest/globals';
import { consoleInbox, consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { dismissDuplicate } from '../../core/customers/duplicates/dismiss.js';
import { approveMerge } from '../../core/customers/merge/act.js';
import { requestMerge } from '../../core/customers/merge/request.js';
import type { CustomerInput } from '../../core/customers/schema.js';
import { inactiveReviewJob } from '../../jobs/inactive-review.js';
import { runJob } from '../../jobs/runner.js';
import { eachDialect, type Harness } from '../helpers/db.js';

let bot: BotRuntime;
let admin: Actor;
const c: Record<string, string> = {};
const say = async (who: string, text: string) =>
  (await consoleSay(bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');
const inbox = async (who: string) =>
  (await consoleInbox(bot.deps, { as: who, door: 'wecom', group: false }))
    .map((r) => `${r.title ?? ''}\n${r.text}`)
    .join('\n');

/** 张三, 李四 and 赵销售 (sales) and an admin on WeCom; pairs z1–z2 (by name) and l1–l2 (by phone); m2 merged into m1. */
function setupPairs(h: Harness): void {
  const add = async (key: string, input: CustomerInput) => {
    c[key] = (await createCustomer(h.core, admin, input, { allowDuplicates: true })).customer.code;
  };

  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
    admin = await h.actor('管理员', ['admin']);
    await h.operator('钱管理', ['admin'], { wecom: 'boss' });
    const zhang = (await h.operator('张三', ['sales'], { wecom: 'zhangsan' })).id;
    const li = (await h.operator('李四', ['sales'], { wecom: 'lisi' })).id;
    await h.operator('赵销售', ['sales'], { wecom: 'zhao' });
    await add('z1', { name: '东方商贸有限公司', ownerId: zhang });
    await add('z2', { name: '东方 商贸', ownerId: li });
    await add('l1', { name: '南山五金', phone: '13912340001', ownerId: li });
    await add('l2', { name: '北岭建材', phone: '139-1234-0001', ownerId: li });
    await add('m1', { name: '西湖茶庄', ownerId: zhang });
    await add('m2', { name: '西湖茶庄有限公司', ownerId: zhang });
    const { merge } = await requestMerge(h.core, admin, { keep: c.m1!, absorb: [c.m2!], reason: '重复录入' });
    await approveMerge(h.core, await h.actor('审批人', ['approver']), merge.id);
  });
}

eachDialect('疑似重复 in chat (read-only)', (h) => {
  setupPairs(h);

  it('lists every pair for an admin, and only their own for a salesperson, with the merge command to send', async () => {
    const all = await say('boss', '疑似重复');
    expect(all).toContain('疑似重复客户 2 对 (同手机 1, 同名称 1):');
    expect(all).toContain(
      `1. ${c.l1} 南山五金 (李四) ≈ ${c.l2} 北岭建材 (李四) — 同手机\n   是同一客户: 合并客户 ${c.l1} ${c.l2}`,
    );
    expect(all).toContain(`2. ${c.z1} 东方商贸有限公司 (张三) ≈ ${c.z2} 东方 商贸 (李四) — 同名称`);
    expect(all).toContain('不是同一客户的, 请在后台「疑似重复」里点「忽略」');
    // Neither the phone number nor the merged pair is shown.
    expect(all).not.toContain('13912340001');
    expect(all).not.toContain(c.m2);
    const mine = await say('zhangsan', '疑似重复');
    expect(mine).toContain('(只列出与你负责的客户有关的)\n疑似重复客户 1 对');
    expect(mine).toContain(c.z1);
    expect(mine).not.toContain(c.l1);
    expect(await say('zhao', '疑似重复')).toContain('没有发现疑似重复客户。');
    expect(await say('boss', '帮助')).toContain('• 疑似重复 [编码] — 疑似重复客户');
  });

  it("with a code: that customer's pairs; an old code leads to its survivor; an unknown one says so", async () => {
    expect(await say('lisi', `疑似重复 ${c.z2}`)).toBe(
      `与 ${c.z2} 东方 商贸 疑似重复的客户 1 个:\n1. ${c.z1} 东方商贸有限公司 (张三) — 同名称\n   是同一客户: 合并客户 ${c.z1} ${c.z2}\n不是同一客户的, 请在后台「疑似重复」里点「忽略」, 之后不再提示。`,
    );
    expect(await say('lisi', `疑似重复 ${c.m2!.toLowerCase()}`)).toBe(
      `${c.m2} 已并入 ${c.m1}。\n没有发现与 ${c.m1} 西湖茶庄 疑似重复的客户。`,
    );
    expect(await say('lisi', '疑似重复 C-NONE-1')).toContain('没有找到「C-NONE-1」对应的客户');
    // A part of a name works too, as everywhere else.
    expect(await say('lisi', '疑似重复 南山')).toContain(
      `与 ${c.l1} 南山五金 疑似重复的客户 1 个:\n1. ${c.l2} 北岭建材 (李四) — 同手机`,
    );
  });
});

eachDialect('疑似重复 in the weekly review digest per owner', (h) => {
  setupPairs(h);
  const review = (dryRun = false) =>
    runJob(h.core, inactiveReviewJob, { notifier: bot.deps.notifier, trigger: 'manual', dryRun });

  it('the weekly review sends each owner a 疑似重复 section, even without order data; dismissed pairs stop appearing', async () => {
    const dry = await review(true);
    expect(dry.claimed && dry.run.summary).toContain('; 疑似重复 2 对, 将发给 2 人。');
    expect(await inbox('zhangsan')).toBe('');
    const r = await review();
    expect(r.claimed && r.run.status).toBe('succeeded');
    expect(r.claimed && r.run.summary).toContain('; 疑似重复 2 对, 已发给 2 人。');
    const zhang = await inbox('zhangsan');
    expect(zhang).toContain(
      `疑似重复客户\n张三 你好, 你负责的客户中有 1 对疑似重复 (同手机、同名称, 或与已并入的客户相同):\n1. ${c.z1} 东方商贸有限公司 (张三) ≈ ${c.z2} 东方 商贸 (李四) — 同名称\n   是同一客户: 合并客户 ${c.z1} ${c.z2}`,
    );
    expect(zhang).not.toContain(c.l1);
    const li = await inbox('lisi');
    expect(li).toContain('李四 你好, 你负责的客户中有 2 对疑似重复');
    expect(li).toContain(`${c.l1} 南山五金 (李四) ≈ ${c.l2} 北岭建材 (李四) — 同手机`);
    expect(await inbox('zhao')).not.toContain('疑似重复');

    await dismissDuplicate(h.core, admin, c.z1!, c.z2!, '不是同一家');
    const again = await review();
    expect(again.claimed && again.run.summary).toContain('; 疑似重复 1 对, 已发给 1 人。');
    expect(await inbox('zhangsan')).not.toContain('疑似重复');
    expect(await inbox('lisi')).toContain('李四 你好, 你负责的客户中有 1 对疑似重复');
    expect(await say('boss', '疑似重复')).toContain('疑似重复客户 1 对 (同手机 1), 已忽略 1 对:');
  });
});
