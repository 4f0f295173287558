import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { consoleSay } from '../../bot/console.js';
import { dryRunReply } from '../../bot/import/report.js';
import { importCustomers } from '../../core/data/import.js';
import { tempDir, writeCsv } from '../data/fixtures.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { saveListEntry } from '../../core/lists/manage.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { startApi, type ApiHarness } from '../helpers/api-app.js';
import { setupBackOffice, type ActionAnswer, type ListAnswer } from './doors-helpers.js';
import { uniqueName } from '../core/fixtures.js';

type ImportAnswer = {
  report: { failedRowCount: number; valueProblems: string[]; errors: unknown[] };
  token: string | null;
};

const dir = tempDir('steward-lists-doors-');
/** Four rows with 客户分类 零售商店 (in no list) and one good row. */
const unknownFile = (name: string) =>
  writeCsv(path.join(dir, name), [
    ['客户名称', '客户分类'],
    ...[1, 2, 3, 4].map((i) => [`${name}${i}号`, '零售商店']),
    [`${name}好`, '批发'],
  ]);
const SUMMARY = '客户分类「零售商店」出现 4 行 (第 2、3、4、5 行), 不在客户分类表中 (是不是「零售商」?)';

let admin: Actor;
let bot: BotRuntime;
const say = async (text: string) =>
  (await consoleSay(bot.deps, { as: 'list-sales', door: 'wecom', group: false }, { text }))
    .map((r) => r.text)
    .join('\n');
let api: ApiHarness;
let token: string;

/** Aliases 批发 and 零售 on two categories, and the region 华南 (华南区); a salesperson on WeCom. */
function setupListAliases(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('门分类管理员', ['admin']);
    await h.operator('门销售', ['sales'], { wecom: 'list-sales' });
    const wholesale = (await h.core.models.ListEntry.findOne({ where: { name: '批发商' } }))!;
    await saveListEntry(h.core, admin, 'category', wholesale.id, { aliases: ['批发'] });
    const retail = (await h.core.models.ListEntry.findOne({ where: { name: '零售商' } }))!;
    await saveListEntry(h.core, admin, 'category', retail.id, { aliases: ['零售'] });
    await saveListEntry(h.core, admin, 'region', null, { name: '华南', aliases: ['华南区'] });
  });
}

/** The HTTP API with a token that reads and writes customers. */
function setupApi(h: Harness): void {
  beforeAll(async () => {
    api = await startApi(h);
    token = await api.token(['customers:read', 'customers:write']);
  });
  afterAll(async () => api?.close());
}

eachDialect('company lists through every door: chat, HTTP API, back office', (h) => {
  setupListAliases(h);

  describe('chat', () => chatDoor(h));
  describe('HTTP API', () => apiDoor(h));
  describe('HTTP API: the OpenAPI document', () => {
    setupApi(h);

    it('documents 客户分类 as company data, not an enum', async () => {
      const doc = await api.call('GET', '/api/v1/openapi.json', {});
      const text = JSON.stringify(doc.body);
      expect(text).toContain('公司自己的列表');
      expect(text).not.toContain('"enum":["经销商"');
    });
  });

  describe('back office: the import and the customer form', () => backOfficeCustomers(h));
});

/** 帮助, 分类列表, 新建客户 / 修改客户, a file sent in chat and 客户 分类=… */
function chatDoor(h: Harness): void {
  beforeAll(() => {
    bot = createBot(h.core, { dispatch: false });
  });

  it('帮助 and 分类列表 show the current names (aliases in brackets)', async () => {
    const help = await say('帮助');
    expect(help).toContain('客户分类: 经销商、批发商、零售商、终端客户、电商、其他\n区域: 华南');
    expect(help).toContain('• 分类列表 — 查看客户分类和区域的可选值');
    expect(await say('帮助 新建客户')).toContain(
      '客户分类: 经销商、批发商 (批发)、零售商 (零售)、终端客户、电商、其他\n区域: 华南 (华南区)',
    );
    expect(await say('分类列表')).toBe(
      '客户分类: 经销商、批发商 (批发)、零售商 (零售)、终端客户、电商、其他\n区域: 华南 (华南区)\n新建或修改客户时写名称或别名都可以, 例如: 新建客户 上海某某商行 分类=批发 区域=华东。按分类查客户: 客户 分类=零售。',
    );
  });

  it('新建客户 / 修改客户 accept an alias and store the name; an unknown value gets the choices and a suggestion', async () => {
    const name = uniqueName('聊天别名');
    expect(await say(`新建客户 ${name} 分类=批发 区域=华南区`)).toMatch(/^已新建客户 \S+ /);
    const row = (await h.core.models.Customer.findOne({ where: { name } }))!;
    expect([row.category, row.region]).toEqual(['批发商', '华南']);
    expect(await say(`修改客户 ${row.code} 分类=零售`)).toContain('零售商');
    expect((await row.reload()).category).toBe('零售商');
    expect(await say(`修改客户 ${row.code} 分类=零食`)).toBe(
      '输入有误 — 客户分类「零食」不在客户分类表中 (是不是「零售商」?)。可选: 经销商、批发商、零售商、终端客户、电商、其他; 如需新增请联系管理员。',
    );
    const card = await say(`客户 ${row.code}`);
    expect(card).toContain('分类: 零售商  区域: 华南');
  });

  it('a file sent in chat gets the same once-per-value summary in its dry-run report', async () => {
    const report = await importCustomers(h.core, admin, unknownFile('聊天文件'), { fileName: '聊天文件.csv' });
    const text = dryRunReply(report).text;
    expect(text).toContain('新增 1 · 更新 0 · 不变 0 · 跳过 0 · 错误 4 行');
    expect(text).toContain(`· ${SUMMARY}`);
    expect(text).not.toContain('第 2 行 客户分类');
  });

  it('客户 分类=… lists customers by a name or alias', async () => {
    const name = uniqueName('按分类查');
    await createCustomer(h.core, admin, { name, category: '电商', region: '华南' });
    const reply = await say('客户 分类=电商 区域=华南区');
    expect(reply).toMatch(/^客户分类「电商」、区域「华南」的客户共 \d+ 个:/);
    expect(reply).toContain(name);
    expect(await say('客户 区域=火星')).toContain('区域「火星」不在区域表中');
  });
}

/** Create, update and the list filter take an alias; unknown values are a 422. */
function apiDoor(h: Harness): void {
  setupApi(h);

  it('create and update accept an alias; an unknown value is a 422 with the Chinese message, never a 500', async () => {
    const created = await api.call('POST', '/api/v1/customers', {
      token,
      body: { name: uniqueName('接口别名'), category: '批发', region: '华南区' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ category: '批发商', region: '华南' });
    const bad = await api.call('POST', '/api/v1/customers', {
      token,
      body: { name: uniqueName('接口坏'), category: '朋友' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({
      code: 'VALIDATION',
      details: {
        errors: [
          {
            field: 'category',
            message:
              '客户分类「朋友」不在客户分类表中。可选: 经销商、批发商、零售商、终端客户、电商、其他; 如需新增请联系管理员。',
          },
        ],
      },
    });
    const edited = await api.call('PATCH', `/api/v1/customers/${created.body.code}`, {
      token,
      body: { category: '零售' },
      headers: { 'if-match': `"${created.body.version}"` },
    });
    expect([edited.status, edited.body.category]).toEqual([200, '零售商']);
  });

  it('the list filter takes a name or alias; an unknown one is a 422', async () => {
    // A customer of its own to find: 零售商 in 华南.
    await createCustomer(h.core, admin, { name: uniqueName('接口筛选'), category: '零售商', region: '华南' });
    const res = await api.call(
      'GET',
      `/api/v1/customers?category=${encodeURIComponent('零售')}&region=${encodeURIComponent('华南区')}&limit=200`,
      { token },
    );
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(
      res.body.items.every((c: { category: string; region: string }) => c.category === '零售商' && c.region === '华南'),
    ).toBe(true);
    const bad = await api.call('GET', `/api/v1/customers?category=${encodeURIComponent('土豪')}`, { token });
    expect([bad.status, bad.body.error.message]).toEqual([
      422,
      expect.stringContaining('客户分类「土豪」不在客户分类表中'),
    ]);
  });
}

/** The import's value summary and 值对应, and the customer form and filter with aliases. */
function backOfficeCustomers(h: Harness): void {
  const as = setupBackOffice(h);

  it("the import shows the unknown values once each, and takes 值对应 lines (the CLI's --map-value)", async () => {
    const upload = async (name: string, fields: Record<string, string> = {}) => {
      const form = new FormData();
      form.set('file', new Blob([new Uint8Array(fs.readFileSync(unknownFile(name)))]), `${name}.csv`);
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      return (
        await as['list-wang']!.request('POST', '/admin/api/resources/import_batches/actions/importFile', form)
      ).json<ImportAnswer & { notice: { message: string; type: string } }>();
    };
    const dry = await upload('后台文件');
    expect(dry.report).toMatchObject({ failedRowCount: 4, errors: [] });
    expect(dry.report.valueProblems[0]).toBe(SUMMARY);
    const mapped = await upload('后台对应', { mapValues: '客户分类:零售商店=零售商\n' });
    expect(mapped.report).toMatchObject({ failedRowCount: 0, valueProblems: [] });
    // --create-missing is for admins: a salesperson's tick is refused by core.
    const denied = await upload('后台新增', { createMissing: 'true' });
    expect(denied.notice).toMatchObject({
      type: 'error',
      message: expect.stringContaining('不能使用 --create-missing'),
    });
  });

  it('the customer form takes an alias; the 客户分类 filter finds customers by alias', async () => {
    const res = (
      await as['list-wang']!.post('/admin/api/resources/customers/actions/new', {
        code: '',
        name: uniqueName('后台别名'),
        category: '批发',
        region: '华南区',
      })
    ).json<ActionAnswer>();
    expect(res.notice!.type).toBe('success');
    expect([res.record.params.category, res.record.params.region]).toEqual(['批发商', '华南']);
    const bad = (
      await as['list-wang']!.post('/admin/api/resources/customers/actions/new', {
        code: '',
        name: uniqueName('后台坏'),
        category: '朋友',
      })
    ).json<ActionAnswer>();
    expect(bad.record.errors.category!.message).toContain('客户分类「朋友」不在客户分类表中');
    const found = (
      await as['list-wang']!.list('customers', `filters.category=${encodeURIComponent('批发')}&perPage=200`)
    ).json<ListAnswer>();
    expect(found.records.length).toBeGreaterThan(0);
    expect(found.records.every((r) => r.params.category === '批发商')).toBe(true);
  });
}
