import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Op } from 'sequelize';
import { consoleSay } from '../../../bot/console.js';
import { verifyAuditChain } from '../../../core/audit.js';
import { eachDialect } from '../../helpers/db.js';
import type { BotApp } from '../../helpers/bot-app.js';
import { keyIn } from '../../helpers/chat-doors.js';
import { encryptBotFile } from '../../helpers/wecom.js';
import { HEADERS, tempDir, writeCsv, writeXlsx } from '../../data/fixtures.js';
import { startImportDoor, type ChatDriver } from './import-door-setup.js';

const dir = tempDir('steward-chat-import-');
/** A customer row in the import template's columns. */
const row = (name: string, phone = '') => ['', name, '', phone, '', '', '', '', ''];

eachDialect('chat import door: a file in, a dry-run report, 确认导入 to write', (h) => {
  let app: BotApp, chat: ChatDriver;
  beforeAll(async () => {
    ({ app, chat } = await startImportDoor(h));
  });
  afterAll(async () => app?.close());
  const named = (names: string[]) => h.core.models.Customer.count({ where: { name: { [Op.in]: names } } });

  it('WeCom AI bot: an encrypted .xlsx → 已收到 → report with a key and buttons → 确认导入 → customers and audit', async () => {
    const names = ['聊天导入甲贸易', '聊天导入乙商行', '聊天导入丙五金'];
    const xlsx = await writeXlsx(path.join(dir, 'bot.xlsx'), [
      {
        name: '客户清单',
        rows: [HEADERS, row(names[0]!, '13600000101'), row(names[1]!), row(names[2]!, '13600000103')],
      },
    ]);
    const bytes = fs.readFileSync(xlsx);
    const before = chat.sentTo('demo-sales').length;

    const ack = await chat.botFile('demo-sales', app.fake.serveFile(encryptBotFile(bytes), '客户清单.xlsx'));
    expect(ack!.text).toMatch(/^已收到文件, 正在检查 \(试运行, 不会写入\)/);
    // The AI bot's response_url works once, so the report and its question arrive as one card.
    const sent = await chat.waitSent('demo-sales', before, /确认导入/);
    const [report] = sent;
    const next = { text: report!.text.split('\n\n').at(-1)!, buttons: report!.buttons };
    expect(report!.text).toContain('导入预检 (试运行, 尚未写入)');
    expect(report!.text).toContain('文件: 客户清单.xlsx (工作表「客户清单」)');
    expect(report!.text).toContain('新增 3 · 更新 0 · 不变 0 · 跳过 0 · 错误 0 行');
    const key = keyIn(next!.text);
    expect(next!.text).toBe(`确认无误请在 5 分钟内回复「确认导入 ${key}」写入; 回复「取消」放弃。`);
    expect(next!.buttons).toEqual([
      { key: `confirm:${key}`, text: '确认导入' },
      { key: 'cancel', text: '取消' },
    ]);
    expect(await named(names)).toBe(0);
    expect(chat.staged()).toHaveLength(1);

    const done = await chat.botText('demo-sales', `确认导入 ${key.toLowerCase()}`);
    const text = done?.text ?? (await chat.waitSent('demo-sales', before + 1, /已导入/)).at(-1)!.text;
    expect(text).toMatch(/已导入「客户清单.xlsx」: 新增 3, 更新 0, 不变 0, 跳过 0。\n导入批次 #(\d+)。/);
    expect(await named(names)).toBe(3);
    const batch = /导入批次 #(\d+)/.exec(text)![1];
    const audit = await h.core.models.AuditEvent.findAll({
      where: { action: 'customer.import' },
      order: [['id', 'DESC']],
      limit: 1,
    });
    expect(audit[0]).toMatchObject({ door: 'wecom', operatorName: '王销售' });
    expect(JSON.parse(audit[0]!.diff)).toMatchObject({
      info: { count: 3, batch: Number(batch), via: 'import' },
    });
    expect((await h.core.models.ImportBatch.findByPk(Number(batch)))!.fileName).toBe('客户清单.xlsx');
    expect((await verifyAuditChain(h.core)).ok).toBe(true);
    expect(chat.staged()).toEqual([]);

    // The same file again: core recognises it, nothing changes and nothing waits for confirmation.
    const again = chat.sentTo('demo-sales').length;
    await chat.botFile('demo-sales', app.fake.serveFile(encryptBotFile(bytes), '客户清单.xlsx'));
    const [repeat] = await chat.waitSent('demo-sales', again, /导入过/);
    expect(repeat!.text).toMatch(
      new RegExp(`这个文件 \\(客户清单.xlsx\\) 已于 .+ 由 王销售 导入过 \\(导入批次 #${batch}\\), 本次没有任何改动`),
    );
    expect(await named(names)).toBe(3);
    expect(chat.staged()).toEqual([]);
  });
});

eachDialect('chat import door: DingTalk files', (h) => {
  let app: BotApp, chat: ChatDriver;
  beforeAll(async () => {
    ({ app, chat } = await startImportDoor(h));
  });
  afterAll(async () => app?.close());
  const named = (names: string[]) => h.core.models.Customer.count({ where: { name: { [Op.in]: names } } });

  it('DingTalk: a GBK .csv by downloadCode → report through the sessionWebhook → 确认导入 writes it', async () => {
    const names = ['钉钉导入丁公司', '钉钉导入戊公司'];
    const csv = writeCsv(path.join(dir, 'ding.csv'), [HEADERS, row(names[0]!, '13600000201'), row(names[1]!)], 'gbk');
    app.fake.addDownloadCode('CODE-GBK', fs.readFileSync(csv));
    const session = await chat.dingFile('demo-admin', 'CODE-GBK', '客户.csv');
    const seen = await chat.dingWait(session, /确认导入/);
    expect(seen.some((t) => t.startsWith('已收到文件「客户.csv」, 正在检查'))).toBe(true);
    const report = seen.find((t) => t.includes('导入预检'))!;
    expect(report).toContain('文件: 客户.csv (CSV, GBK)');
    expect(report).toContain('新增 2 · 更新 0 · 不变 0 · 跳过 0 · 错误 0 行');
    const instructions = seen.find((t) => t.includes('确认导入'))!;
    expect(instructions).toContain('• 确认导入\n• 取消');
    const download = app.fake.to('/v1.0/robot/messageFiles/download').at(-1)!;
    expect(download.body).toEqual({ downloadCode: 'CODE-GBK', robotCode: 'dingkey' });
    expect(download.headers['x-acs-dingtalk-access-token']).toMatch(/^ding-token-/);
    expect(await named(names)).toBe(0);

    const confirm = await chat.dingText('demo-admin', `确认导入 ${keyIn(instructions)}`);
    const [done] = await chat.dingWait(confirm, /已导入/);
    expect(done).toMatch(/已导入「客户.csv」: 新增 2, 更新 0/);
    expect(await named(names)).toBe(2);
    const audit = await h.core.models.AuditEvent.findOne({
      where: { action: 'customer.import' },
      order: [['id', 'DESC']],
    });
    expect(audit).toMatchObject({ door: 'dingtalk', operatorName: '张管理' });
    expect(chat.staged()).toEqual([]);
  });

  it('a DingTalk fileName without an extension is judged by content; 取消 drops the staged file', async () => {
    const xlsx = await writeXlsx(path.join(dir, 'noext.xlsx'), [{ rows: [HEADERS, row('无扩展名公司')] }]);
    app.fake.addDownloadCode('CODE-NOEXT', fs.readFileSync(xlsx));
    const seen = await chat.dingWait(await chat.dingFile('demo-admin', 'CODE-NOEXT', '客户清单'), /确认导入/);
    expect(seen.find((t) => t.includes('导入预检'))).toContain('文件: 客户清单.xlsx (工作表「Sheet1」)');
    expect(chat.staged()).toHaveLength(1);
    const [cancelled] = await chat.dingWait(await chat.dingText('demo-admin', '取消'), /取消/);
    expect(cancelled).toBe('已取消, 没有做任何改动。');
    expect(chat.staged()).toEqual([]);
    expect(await named(['无扩展名公司'])).toBe(0);
  });
});

eachDialect('chat import door: WeCom app files, and error rows', (h) => {
  let app: BotApp, chat: ChatDriver;
  beforeAll(async () => {
    ({ app, chat } = await startImportDoor(h));
  });
  afterAll(async () => app?.close());
  const named = (names: string[]) => h.core.models.Customer.count({ where: { name: { [Op.in]: names } } });

  it('WeCom app: a "file" with MediaId is fetched with media/get (name from Content-Disposition); the card button confirms', async () => {
    const names = ['应用导入己公司'];
    const xlsx = await writeXlsx(path.join(dir, 'app.xlsx'), [{ rows: [HEADERS, row(names[0]!, '13600000301')] }]);
    app.fake.addMedia('MEDIA-APP-1', fs.readFileSync(xlsx), '应用客户.xlsx');
    const before = chat.sentTo('demo-admin').length;
    expect(await chat.appFile('demo-admin', 'MEDIA-APP-1')).toBe(
      '已收到文件, 正在检查 (试运行, 不会写入)…… 检查结果稍后发给你。',
    );
    const [report, next] = await chat.waitSent('demo-admin', before, /确认导入/);
    expect(report!.text).toContain('文件: 应用客户.xlsx (工作表「Sheet1」)');
    const media = app.fake.to('/cgi-bin/media/get').at(-1)!;
    expect(media.query.media_id).toBe('MEDIA-APP-1');
    expect(media.query.access_token).toMatch(/^wecom-token-/);

    const key = keyIn(next!.text);
    const clicked = await chat.appClick('demo-admin', next!.buttons[0]!.key);
    // The click greys the button out with the outcome (unless the commit outran the 2 s deadline).
    if (clicked) expect(clicked).toContain('导入完成');
    const [done] = await chat.waitSent('demo-admin', before + 2, /已导入/);
    expect(done!.text).toContain('已导入「应用客户.xlsx」: 新增 1');
    expect(await named(names)).toBe(1);
    // The key is used up: typing it again finds nothing pending.
    expect(await chat.appText('demo-admin', `确认导入 ${key}`)).toContain('没有等待确认的操作 (可能已超过 5 分钟)');
  });

  it('error rows: all or nothing writes nothing; 确认导入 … 部分 (or its button) writes the valid rows', async () => {
    const good = ['部分导入甲', '部分导入乙'];
    const csv = writeCsv(path.join(dir, '部分.csv'), [
      HEADERS,
      row(good[0]!),
      row('部分导入坏', 'abc'),
      row(good[1]!, '13600000402'),
    ]);
    const as = { as: 'demo-admin', door: 'wecom' as const, group: false };
    const replies = await consoleSay(app.bot.deps, as, { text: `导入客户 ${csv}` });
    const [report, next] = replies;
    expect(report!.text).toContain('新增 2 · 更新 0 · 不变 0 · 跳过 0 · 错误 1 行');
    expect(report!.text).toContain('第 3 行 手机: 手机/电话格式不对, 应为 5–20 位数字');
    const key = keyIn(next!.text);
    expect(next!.text).toContain('不改正文件, 就不会写入任何数据');
    expect(next!.text).toContain(`回复「确认导入 ${key} 部分」, 只写入正确的 2 行`);
    expect(next!.buttons).toEqual([
      { id: `confirm-partial:${key}`, text: '只导入正确的行' },
      { id: 'cancel', text: '取消' },
    ]);

    const refused = await consoleSay(app.bot.deps, as, { text: `确认导入 ${key}` });
    expect(refused[0]!.text).toContain('「部分.csv」有 1 行出错, 按全部导入不会写入任何数据, 所以没有导入');
    expect(await named(good)).toBe(0);
    expect(chat.staged()).toHaveLength(1);

    const done = await consoleSay(app.bot.deps, as, { click: `confirm-partial:${key}` });
    expect(done[0]!.text).toMatch(/已导入「部分.csv」: 新增 2, 更新 0, 不变 0, 跳过 0, 出错未导入 1 行。/);
    expect(await named(good)).toBe(2);
    expect(await named(['部分导入坏'])).toBe(0);
    expect(chat.staged()).toEqual([]);
  });
});

eachDialect('chat import door: not in a group chat', (h) => {
  let app: BotApp, chat: ChatDriver;
  beforeAll(async () => {
    ({ app, chat } = await startImportDoor(h));
  });
  afterAll(async () => app?.close());

  it('a group chat file is refused without downloading; 导入客户 explains how and is in the help', async () => {
    const calls = app.fake.calls.length;
    const group = await chat.botFile('demo-sales', app.fake.serveFile(Buffer.from('x'), 'a.xlsx'), 'group');
    expect(group!.text).toBe('请在和我的单聊里发送文件导入。群聊里的文件不会被下载或导入。');
    const session = await chat.dingFile('demo-admin', 'CODE-NEVER', '客户.xlsx', true);
    expect((await chat.dingWait(session, /单聊/))[0]).toContain('请在和我的单聊里发送文件导入');
    expect(
      app.fake.calls.slice(calls).filter((c) => c.path.startsWith('/files/') || c.path.includes('messageFiles')),
    ).toEqual([]);

    const how = await chat.appText('demo-sales', '导入客户');
    expect(how).toContain('在和我的单聊里直接发送 Excel 工作簿 (.xlsx 或旧版 .xls) 或 CSV (.csv) 文件即可导入客户');
    expect(app.bot.deps.registry.help()).toContain('• 导入客户 — 把 Excel (.xlsx / .xls) 或 .csv 文件发给我 (单聊)');
  });
});
