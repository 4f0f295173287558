import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { consoleSay } from '../../../bot/console.js';
import { createBot } from '../../../bot/runtime.js';
import { refuseByName } from '../../../bot/import/file-name.js';
import { sweepStaged } from '../../../bot/import/staging.js';
import { eachDialect, type Harness } from '../../helpers/db.js';
import type { BotApp } from '../../helpers/bot-app.js';
import { keyIn } from '../../helpers/chat-doors.js';
import { encryptBotFile } from '../../helpers/wecom.js';
import { HEADERS, tempDir, writeCsv, writeXlsx } from '../../data/fixtures.js';
import { startImportDoor, type ChatDriver } from './import-door-setup.js';

const dir = tempDir('steward-chat-bad-');
const goodCsv = (name: string) =>
  writeCsv(path.join(dir, name), [HEADERS, ['', `坏输入测试${name}`, '', '', '', '', '', '', '']]);

/** 张管理 (demo-admin) at the console, as a DingTalk user. */
const ADMIN = { as: 'demo-admin', door: 'dingtalk', group: false } as const;

/** What 张管理 is answered at the console. */
const sayAsAdmin = async (app: BotApp, text: string) =>
  (await consoleSay(app.bot.deps, ADMIN, { text })).map((r) => r.text).join('\n');

/**
 * Counts customers and import batches before each test of the calling describe; the check it
 * returns says nothing was written since and no file is left waiting.
 */
function nothingWrittenSince(h: Harness, chat: () => ChatDriver): () => Promise<void> {
  let customers = 0;
  let batches = 0;
  beforeEach(async () => {
    customers = await h.core.models.Customer.count();
    batches = await h.core.models.ImportBatch.count();
  });
  return async () => {
    expect(await h.core.models.Customer.count()).toBe(customers);
    expect(await h.core.models.ImportBatch.count()).toBe(batches);
    expect(chat().staged()).toEqual([]);
  };
}

// A 1 MB cap keeps the too-large file cheap; every other file here is a few KB.
const SMALL_FILE_CAP = { IMPORT_MAX_FILE_MB: '1' };

eachDialect('chat import door: bad input gets a specific message and writes nothing', SMALL_FILE_CAP, (h) => {
  let app: BotApp, chat: ChatDriver;
  beforeAll(async () => {
    ({ app, chat } = await startImportDoor(h));
  });
  afterAll(async () => app?.close());
  /** Nothing was written and no file is left waiting. */
  const nothingWritten = nothingWrittenSince(h, () => chat);

  it('an unsupported type is refused by name before any download, or by content when the name tells nothing', async () => {
    const calls = app.fake.calls.length;
    const dingSession = await chat.dingFile('demo-admin', 'CODE-PDF', '报价单.pdf');
    const [ding] = await chat.dingWait(dingSession, /不能导入/);
    expect(ding).toBe(
      '「报价单.pdf」不能导入: 只支持 Excel 工作簿 (.xlsx / .xls) 和 CSV (.csv) 文件。请按「导入模板」填写客户: 模板在后台「导入批次 → 导入客户」里下载 (或命令行 steward import --template 模板.xlsx)。',
    );
    // Old Excel (.xls) is imported now (test/data/xls-import.spec.ts): its name is not refused.
    expect(refuseByName('旧表格.xls')).toBeNull();
    expect(
      app.fake.calls
        .slice(calls)
        .map((c) => c.path)
        .filter((p) => p.includes('messageFiles') || p.includes('media/get')),
    ).toEqual([]);

    // The AI bot names the file only in the download: a PNG is refused once its name is known.
    const before = chat.sentTo('demo-sales').length;
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      Buffer.from('IHDR'),
      crypto.randomBytes(200),
    ]);
    await chat.botFile('demo-sales', app.fake.serveFile(encryptBotFile(png), '截图.png'));
    const [refusal] = await chat.waitSent('demo-sales', before, /不能导入/);
    expect(refusal!.text).toContain('「截图.png」不能导入: 只支持 Excel 工作簿 (.xlsx / .xls) 和 CSV (.csv) 文件');
    // No name at all and binary content: refused too.
    await chat.botFile('demo-sales', app.fake.serveFile(encryptBotFile(png)));
    await chat.waitSent('demo-sales', before + 1, /^这个文件不能导入/);
    await nothingWritten();
  });

  it('too large: refused from Content-Length, nothing kept', async () => {
    app.fake.addMedia('MEDIA-BIG', Buffer.alloc(1024 * 1024 + 10, 0x41), '大文件.csv');
    const before = chat.sentTo('demo-admin').length;
    await chat.appFile('demo-admin', 'MEDIA-BIG', '大文件.csv');
    const [msg] = await chat.waitSent('demo-admin', before, /超过/);
    expect(msg!.text).toBe(
      '「大文件.csv」超过 1 MB, 聊天导入最多 1 MB, 没有导入。请拆成几个文件分别发送, 或在后台「导入批次 → 导入客户」上传。',
    );
    await nothingWritten();
  });
});

eachDialect('chat import door, bad input: failed downloads and decryption', (h) => {
  let app: BotApp, chat: ChatDriver;
  beforeAll(async () => {
    ({ app, chat } = await startImportDoor(h));
  });
  afterAll(async () => app?.close());
  /** Nothing was written and no file is left waiting. */
  const nothingWritten = nothingWrittenSince(h, () => chat);

  it('download failures: a WeCom errcode, DingTalk HTTP 500, an expired AI-bot URL', async () => {
    const before = chat.sentTo('demo-admin').length;
    await chat.appFile('demo-admin', 'MEDIA-UNKNOWN', '客户.xlsx');
    const [wecom] = await chat.waitSent('demo-admin', before, /下载/);
    expect(wecom!.text).toBe(
      '下载「客户.xlsx」失败 (聊天平台没有给出文件, 链接可能已过期), 没有导入。请重新发送一次文件; 仍不行请在后台「导入批次 → 导入客户」上传。',
    );

    app.fake.fail('/v1.0/robot/messageFiles/download', 500, 3);
    const session = await chat.dingFile('demo-admin', 'CODE-500', '客户.csv');
    const seen = await chat.dingWait(session, /下载/);
    expect(seen.find((t) => t.startsWith('下载'))).toContain('下载「客户.csv」失败');

    const url = app.fake.serveFile(encryptBotFile(Buffer.from('客户名称\n甲\n')), '客户.csv');
    app.fake.fail(new URL(url).pathname, 500, 2);
    const bot = chat.sentTo('demo-sales').length;
    await chat.botFile('demo-sales', url);
    const [expired] = await chat.waitSent('demo-sales', bot, /下载/);
    expect(expired!.text).toMatch(/^下载文件失败 \(聊天平台没有给出文件, 链接可能已过期\)/);
    await nothingWritten();
  });

  it('a file that does not decrypt with the bot key', async () => {
    const before = chat.sentTo('demo-sales').length;
    const plain = Buffer.from('客户名称,手机\n解密失败公司,13600000901\n');
    await chat.botFile(
      'demo-sales',
      app.fake.serveFile(plain.length % 16 ? plain : Buffer.concat([plain, Buffer.from('\n')]), '客户.csv'),
    );
    const [msg] = await chat.waitSent('demo-sales', before, /解密/);
    expect(msg!.text).toBe(
      '文件解密失败, 读不出内容, 没有导入。请重新发送一次; 仍不行请联系管理员检查机器人的 EncodingAESKey 配置。',
    );
    await nothingWritten();
  });
});

eachDialect('chat import door, bad input: refused by core, changed, or not permitted', (h) => {
  let app: BotApp, chat: ChatDriver;
  beforeAll(async () => {
    ({ app, chat } = await startImportDoor(h));
  });
  afterAll(async () => app?.close());
  const say = (text: string) => sayAsAdmin(app, text);
  /** Nothing was written and no file is left waiting. */
  const nothingWritten = nothingWrittenSince(h, () => chat);

  it('what core refuses is surfaced: not really xlsx, an empty file, no 客户名称 column', async () => {
    const fake = path.join(dir, '假表格.xlsx');
    fs.writeFileSync(fake, '客户名称,手机\n甲,1\n');
    expect(await say(`导入客户 ${fake}`)).toContain('「假表格.xlsx」不是有效的 Excel .xlsx 文件');
    const empty = path.join(dir, '空.csv');
    fs.writeFileSync(empty, '');
    expect(await say(`导入客户 ${empty}`)).toContain('「空.csv」是空文件 (0 字节)');
    const noName = writeCsv(path.join(dir, '缺列.csv'), [
      ['联系人', '手机'],
      ['老王', '13600000902'],
    ]);
    const text = await say(`导入客户 ${noName}`);
    expect(text).toContain('缺少必填列「客户名称」(或 name)');
    expect(text).toContain('改好后重新发送文件即可');
    expect(await say(`导入客户 ${path.join(dir, '没有这个文件.xlsx')}`)).toBe(
      '找不到「没有这个文件.xlsx」: 文件不存在或不是普通文件。请检查路径。',
    );
    await nothingWritten();
  });

  it('a staged file that changed after its dry run is not imported, and the file is removed', async () => {
    const key = keyIn(await say(`导入客户 ${goodCsv('changed.csv')}`));
    const [staged] = chat.staged();
    fs.appendFileSync(path.join(h.core.config.DATA_DIR, 'chat-imports', staged!), '坏输入测试被改过,13600000903\n');
    expect(await say(`确认导入 ${key}`)).toContain('待导入的文件「changed.csv」和预检时不一样了, 为安全起见没有导入');
    await nothingWritten();
  });

  it('no 导入客户 permission: refused before downloading', async () => {
    app.fake.addMedia('MEDIA-FIN', fs.readFileSync(goodCsv('fin.csv')), 'fin.csv');
    const calls = app.fake.to('/cgi-bin/media/get').length;
    expect(await chat.appFile('demo-finance', 'MEDIA-FIN', 'fin.csv')).toBe(
      '钱财务 没有「导入客户」权限, 文件没有下载, 也没有导入。请联系管理员开通, 或请有权限的同事导入。',
    );
    expect(app.fake.to('/cgi-bin/media/get')).toHaveLength(calls);
    expect(await chat.appText('demo-finance', '导入客户')).toContain('钱财务 没有「导入客户」权限');
    await nothingWritten();
  });
});

eachDialect('chat import door, bad input: keys, cancelling and replacing', (h) => {
  let app: BotApp, chat: ChatDriver;
  beforeAll(async () => {
    ({ app, chat } = await startImportDoor(h));
  });
  afterAll(async () => app?.close());
  const say = (text: string) => sayAsAdmin(app, text);
  /** Nothing was written and no file is left waiting. */
  const nothingWritten = nothingWrittenSince(h, () => chat);

  it('a wrong key cancels and removes the file; 取消 too; after expiry the key is refused and the sweep removes the file', async () => {
    const dry = await say(`导入客户 ${goodCsv('key.csv')}`);
    const key = keyIn(dry);
    expect(chat.staged()).toHaveLength(1);
    const wrong = key === 'AAAA' ? 'BBBB' : 'AAAA';
    expect(await say(`确认导入 ${wrong}`)).toBe(
      `输入的「${wrong}」与待确认的「${key}」不一致, 操作已取消, 没有做任何改动。`,
    );
    await nothingWritten();
    expect(await say(`确认导入 ${key}`)).toContain('没有等待确认的操作');

    keyIn(await say(`导入客户 ${goodCsv('cancel.csv')}`));
    expect(await say('取消')).toBe('已取消, 没有做任何改动。');
    await nothingWritten();

    const late = keyIn(await say(`导入客户 ${goodCsv('late.csv')}`));
    // An expired question leaves its file behind until the sweep.
    h.setNow(new Date(Date.now() + 6 * 60_000));
    try {
      expect(await say(`确认导入 ${late}`)).toBe(
        '没有等待确认的操作 (可能已超过 5 分钟), 请重新发起; 导入客户请重新发送文件。',
      );
      expect(chat.staged()).toHaveLength(1);
      expect(await sweepStaged(h.core)).toBe(1);
    } finally {
      h.setNow(null);
    }
    await nothingWritten();
  });

  it("the pending import is 导入客户's typed confirmation in the database: another instance acts on 确认导入", async () => {
    const key = keyIn(await say(`导入客户 ${goodCsv('typed.csv')}`));
    const row = await h.core.models.BotConversation.findOne({ where: { kind: 'confirm' }, order: [['id', 'DESC']] });
    const stored = JSON.parse(row!.payload) as { commandId: string; key: string; payload: Record<string, unknown> };
    expect(stored).toMatchObject({ commandId: 'customer.import', key, payload: { key, fileName: 'typed.csv' } });
    expect(chat.staged()).toEqual([`${stored.payload.file as string}.upload`]);
    const other = createBot(h.core, { dispatch: false });
    const done = await consoleSay(other.deps, ADMIN, { text: `确认导入 ${key}` });
    expect(done[0]!.text).toContain('已导入「typed.csv」: 新增 1');
    expect(chat.staged()).toEqual([]);
  });

  it('a second file replaces the first one waiting for confirmation', async () => {
    const first = keyIn(await say(`导入客户 ${goodCsv('first.csv')}`));
    const xlsx = await writeXlsx(path.join(dir, 'second.xlsx'), [
      { rows: [HEADERS, ['', '第二个文件公司', '', '', '', '', '', '', '']] },
    ]);
    const second = await say(`导入客户 ${xlsx}`);
    expect(second).toContain(`(已取消之前待确认的操作: ${first}, 没有做任何改动。)`);
    expect(chat.staged()).toHaveLength(1);
    expect(await say('取消')).toBe('已取消, 没有做任何改动。');
    await nothingWritten();
  });
});
