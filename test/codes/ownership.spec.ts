import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { registerCodes } from '../../cli/commands/codes.js';
import { consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { RecordingNotifier, startApi, type ApiHarness } from '../helpers/api-app.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import { expectRefused, newCustomer } from '../core/fixtures.js';
import { previewRecode, requestRecode } from '../../core/customers/recode/request.js';
import { runSteward } from '../helpers/steward-cli.js';

type RecodeAnswer = {
  notice?: { message: string; type: string };
  plan?: { rows: number; problems: number; text: string };
};

/** The refusal the one ownership rule gives a salesperson for someone else's customer. */
const refusal = (code: string, who: string) =>
  `客户 ${code} 不归 ${who} 负责; 销售只能改编码自己负责的客户。请联系负责人或管理员。`;

let bot: BotRuntime;
let admin: Actor;
let api: ApiHarness;
let server: Awaited<ReturnType<typeof startAdmin>>;
let backOffice: AdminClient;
let ownerId: number;
let otherId: number;
let seq = 0;
const say = async (who: string, text: string) =>
  (await consoleSay(bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');
/** A new code nobody holds yet (manual pattern). */
const freshCode = () => `OWN-${process.pid % 1000}-${++seq}`;

/** 王负责 and 李越权 (both sales), the API and the back office (李越权 signed in as liyq-admin). */
function setupDoors(h: Harness): void {
  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
    h.setNow(new Date('2026-03-15T04:00:00Z'));
    admin = await h.actor('改编码管理员', ['admin']);
    ownerId = (await h.operator('王负责', ['sales'], { wecom: 'wangfz' })).id;
    otherId = (await h.operator('李越权', ['sales'], { wecom: 'liyq' })).id;
    api = await startApi(h, { notifier: new RecordingNotifier() });
    server = await startAdmin(h.core, { notifier: bot.deps.notifier });
    backOffice = (await clientAs(h.core, server.url, 'liyq-admin', ['sales'])).client;
  });
  afterAll(async () => {
    await api?.close();
    await server?.close();
  });
}

eachDialect('改编码 follows the ownership rule: sales only recode their own customers (core, chat)', (h) => {
  setupDoors(h);

  it("core: a salesperson is refused on a colleague's customer (dry run and request), may recode their own, an admin any", async () => {
    const theirs = await newCustomer(h, admin, { ownerId });
    const mine = await newCustomer(h, admin, { ownerId: otherId });
    const li = await h.actor('李越权', ['sales']);
    await expectRefused(
      previewRecode(h.core, li, [{ from: theirs.code, to: freshCode() }]),
      'NOT_PERMITTED',
      refusal(theirs.code, '李越权'),
    );
    await expectRefused(
      requestRecode(
        h.core,
        li,
        [
          { from: mine.code, to: freshCode() },
          { from: theirs.code, to: freshCode() },
        ],
        '整理',
      ),
      'NOT_PERMITTED',
      refusal(theirs.code, '李越权'),
    );
    expect(await h.core.models.CustomerRecode.count({ where: { requesterId: otherId } })).toBe(0);
    expect((await previewRecode(h.core, li, [{ from: mine.code, to: freshCode() }])).rows).toHaveLength(1);
    expect((await previewRecode(h.core, admin, [{ from: theirs.code, to: freshCode() }])).rows).toHaveLength(1);
  });

  it('chat: the refusal comes before any prompt, so there is nothing to 确认', async () => {
    const theirs = await newCustomer(h, admin, { ownerId });
    const to = freshCode();
    expect(await say('liyq', `改编码 ${theirs.code} ${to} 整理`)).toBe(refusal(theirs.code, '李越权'));
    expect(await say('liyq', `确认 ${theirs.code}`)).toContain('没有等待确认的操作');
    expect(await h.core.models.CustomerRecode.count({ where: { requesterId: otherId } })).toBe(0);
    expect((await h.core.models.Customer.findByPk(theirs.id))!.code).toBe(theirs.code);
  });
});

eachDialect('改编码 follows the ownership rule from every door (CLI, back office, API)', (h) => {
  setupDoors(h);

  const steward = (...argv: string[]) => runSteward(registerCodes, h.core, argv);

  it("CLI: the sheet is refused for a colleague's customer, dry run and --commit alike", async () => {
    const mine = await newCustomer(h, admin, { ownerId: otherId });
    const theirs = await newCustomer(h, admin, { ownerId });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recode-own-'));
    const sheet = path.join(dir, 'sheet.csv');
    fs.writeFileSync(sheet, `旧编码,新编码\n${mine.code},${freshCode()}\n${theirs.code},${freshCode()}\n`);
    for (const extra of [[], ['--commit']]) {
      const r = await steward('codes', 'recode', sheet, '--as', 'liyq', ...extra);
      expect(r).toMatchObject({ code: 1, out: '' });
      expect(r.err).toBe(`错误: ${refusal(theirs.code, '李越权')}\n`);
    }
    expect(await h.core.models.CustomerRecode.count({ where: { requesterId: otherId } })).toBe(0);
  });

  it('back office: 批量改编码 answers the refusal as an error notice and files nothing', async () => {
    const theirs = await newCustomer(h, admin, { ownerId });
    const action = '/admin/api/resources/code_report/actions/bulkRecode';
    for (const submit of ['', 'true']) {
      const answer = (
        await backOffice.post(action, { rows: `${theirs.code}\t${freshCode()}`, reason: '整理', submit })
      ).json<RecodeAnswer>();
      expect(answer.plan).toBeUndefined();
      expect(answer.notice).toMatchObject({
        type: 'error',
        message: expect.stringContaining(refusal(theirs.code, 'liyq-admin')),
      });
    }
    expect(await h.core.models.CustomerRecode.count()).toBe(0);
  });

  it("API: a token is a system, not a salesperson, so the rule does not limit it (it acts with finance's whole book)", async () => {
    const theirs = await newCustomer(h, admin, { ownerId });
    const token = await api.token(['customers:read', 'customers:write']);
    const to = freshCode();
    const dry = await api.call('POST', `/api/v1/customers/${theirs.code}/recode`, {
      token,
      body: { newCode: to, reason: '对齐 ERP', dryRun: true },
    });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ rows: [{ from: theirs.code, to }], problems: [] });
  });
});
