import path from 'node:path';
import { beforeAll, expect, it } from '@jest/globals';
import { consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import { VALUE_FIX_HINT } from '../../bot/import/report.js';
import type { Actor } from '../../core/context.js';
import { saveListEntry } from '../../core/lists/manage.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { tempDir, writeCsv } from '../data/fixtures.js';

const dir = tempDir('steward-chat-map-');
const keyOf = (text: string) => /确认导入 ([A-Z0-9]{4})/.exec(text)?.[1] ?? null;

let bot: BotRuntime;
let admin: Actor;
let seq = 0;
const say = async (who: string, text: string) =>
  (await consoleSay(bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');
/** A tag no other test uses, for file names, customer names and list values. */
const tag = () => `映${process.pid % 1000}x${++seq}`;
/** A CSV with `rows` of [名称, 客户分类, 区域]. */
const sheet = (name: string, rows: string[][]) =>
  writeCsv(path.join(dir, `${name}.csv`), [['客户名称', '客户分类', '区域'], ...rows]);

/** The customers with these names, by name. */
const customersNamed = (h: Harness) => (names: string[]) =>
  h.core.models.Customer.findAll({ where: { name: names }, order: [['name', 'ASC']] });

/** An admin, and on WeCom a salesperson (map-sales) and an admin (map-admin); each block gets its own database. */
function setupChatImport(h: Harness): void {
  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
    admin = await h.actor('映射管理员', ['admin']);
    await h.operator('映射销售', ['sales'], { wecom: 'map-sales' });
    await h.operator('映射主管', ['admin'], { wecom: 'map-admin' });
  });
}

eachDialect("chat import: 映射 answers the dry run (the CLI's --map-value), which runs again before 确认导入", (h) => {
  setupChatImport(h);
  const customers = customersNamed(h);

  it('映射 re-runs the dry run with the mapping and a new key; 确认导入 writes the rows with the mapped value', async () => {
    const t = tag();
    const names = [`${t}甲商行`, `${t}乙商行`, `${t}丙商行`, `${t}丁商行`];
    const file = sheet(t, [
      [names[0]!, `零售${t}`, ''],
      [names[1]!, `零售${t}`, ''],
      [names[2]!, `零售${t}`, ''],
      [names[3]!, '批发商', ''],
    ]);
    const dry = await say('map-sales', `导入客户 ${file}`);
    expect(dry).toContain('新增 1 · 更新 0 · 不变 0 · 跳过 0 · 错误 3 行');
    expect(dry).toContain(`客户分类「零售${t}」出现 3 行 (第 2、3、4 行), 不在客户分类表中`);
    expect(dry).toContain(`聊天里回复「映射 客户分类:零售${t}=`);
    expect(dry).toContain(VALUE_FIX_HINT);
    const first = keyOf(dry)!;

    const mapped = await say('map-sales', `映射 客户分类:零售${t}=零售商`);
    expect(mapped).toContain(`已按「客户分类:零售${t}=零售商」重新试运行「${t}.csv」(尚未写入):`);
    expect(mapped).toContain('新增 4 · 更新 0 · 不变 0 · 跳过 0 · 错误 0 行');
    expect(mapped).not.toContain('(已取消待确认的操作');
    const key = keyOf(mapped)!;
    expect(key).not.toBe(first);
    expect(mapped).toContain(`确认无误请在 5 分钟内回复「确认导入 ${key}」写入`);
    expect(await customers(names)).toHaveLength(0);

    expect(await say('map-sales', `确认导入 ${key}`)).toMatch(
      /^已导入「映\d+x\d+\.csv」: 新增 4, 更新 0, 不变 0, 跳过 0。/,
    );
    expect(Object.fromEntries((await customers(names)).map((c) => [c.name, c.category]))).toEqual({
      [names[0]!]: '零售商',
      [names[1]!]: '零售商',
      [names[2]!]: '零售商',
      [names[3]!]: '批发商',
    });
  });
});

eachDialect('chat import: a file that needs every row mapped, and a bad mapping', (h) => {
  setupChatImport(h);
  const customers = customersNamed(h);

  it('a file whose every row needs a mapping waits for 映射 (both lists in one answer) instead of being thrown away', async () => {
    const t = tag();
    await saveListEntry(h.core, admin, 'region', null, { name: `华南${t}` });
    const names = [`${t}一号店`, `${t}二号店`];
    const file = sheet(
      t,
      names.map((n) => [n, `小店${t}`, `南方${t}`]),
    );
    const dry = await say('map-sales', `导入客户 ${file}`);
    expect(dry).toContain('错误 2 行');
    expect(dry).toContain('现在没有可以写入的行 (2 行出错), 还不能确认导入。');
    expect(dry).toContain(VALUE_FIX_HINT);

    const half = await say('map-sales', `映射 客户分类:小店${t}=零售商`);
    expect(half).toContain(`区域「南方${t}」出现 2 行`);
    expect(half).toContain('现在没有可以写入的行');
    const both = await say('map-sales', `映射 区域:南方${t}=华南${t}`);
    expect(both).toContain(`已按「客户分类:小店${t}=零售商、区域:南方${t}=华南${t}」重新试运行`);
    expect(both).toContain('新增 2 · 更新 0 · 不变 0 · 跳过 0 · 错误 0 行');
    expect(await say('map-sales', `确认导入 ${keyOf(both)}`)).toContain('新增 2');
    expect((await customers(names)).map((c) => [c.category, c.region])).toEqual([
      ['零售商', `华南${t}`],
      ['零售商', `华南${t}`],
    ]);
  });

  it('a bad mapping is refused in Chinese and the pending import stays; 新建缺失 is for admins only and does not cancel it', async () => {
    const t = tag();
    const names = [`${t}坏对应`, `${t}好对应`];
    const file = sheet(t, [
      [names[0]!, `杂货${t}`, ''],
      [names[1]!, '电商', ''],
    ]);
    const key = keyOf(await say('map-sales', `导入客户 ${file}`))!;
    const bad = await say('map-sales', `映射 客户分类:杂货${t}=小卖部${t}`);
    expect(bad).toContain(`值对应「客户分类:杂货${t}=小卖部${t}」: 客户分类「小卖部${t}」不在客户分类表中`);
    expect(bad).toContain(`之前的预检仍然有效 (确认码 ${key}, 5 分钟内)`);
    expect(await say('map-sales', '映射 杂货=零售商')).toContain(
      '值对应的写法是「客户分类:文件里的值=表中的名称」或「区域:…=…」',
    );
    expect(await say('map-sales', '新建缺失')).toBe(
      '映射销售 没有「管理客户分类和区域」权限, 无法使用「新建缺失」。请联系管理员开通。',
    );
    // Still the same pending import: its key partially imports the good row.
    expect(await say('map-sales', `确认导入 ${key} 部分`)).toContain('新增 1');
    expect((await customers(names)).map((c) => c.name)).toEqual([names[1]]);
    expect(await h.core.models.ListEntry.count({ where: { name: `小卖部${t}` } })).toBe(0);
  });
});

eachDialect("chat import: 新建缺失 (the CLI's --create-missing), and 映射 with no file waiting", (h) => {
  setupChatImport(h);
  const customers = customersNamed(h);

  it('新建缺失 (admin): the dry run lists what will be added; 确认导入 adds the entry and the rows together', async () => {
    const t = tag();
    const names = [`${t}团购一`, `${t}团购二`];
    const file = sheet(
      t,
      names.map((n) => [n, `团购${t}`, '']),
    );
    await say('map-admin', `导入客户 ${file}`);
    const rerun = await say('map-admin', '新建缺失');
    expect(rerun).toContain(`已按「新建缺失」重新试运行「${t}.csv」(尚未写入):`);
    expect(rerun).toContain(`客户分类「团购${t}」出现 2 行 (第 2、3 行), 不在客户分类表中, 将新增到客户分类表`);
    expect(rerun).toContain('新增 2 · 更新 0 · 不变 0 · 跳过 0 · 错误 0 行');
    expect(await h.core.models.ListEntry.count({ where: { name: `团购${t}` } })).toBe(0);
    expect(await say('map-admin', `确认导入 ${keyOf(rerun)}`)).toContain('新增 2');
    expect(
      await h.core.models.ListEntry.count({ where: { listKey: 'category', name: `团购${t}`, active: true } }),
    ).toBe(1);
    expect((await customers(names)).map((c) => c.category)).toEqual([`团购${t}`, `团购${t}`]);
  });

  it('映射 without a file waiting says how it is used', async () => {
    expect(await say('map-sales', '映射 客户分类:零售=零售商')).toBe(
      '现在没有待确认的导入。「映射」用在文件导入的预检之后: 先在单聊里发送文件, 再按预检报告回复, 例如「映射 客户分类:零售=零售商」。',
    );
  });
});
