import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { approveRecode } from '../../core/customers/recode/act.js';
import { recodeRows } from '../../core/customers/recode/request.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import { newCustomer } from '../core/fixtures.js';
import { tempDir, writeCsv, writeXlsx } from '../data/fixtures.js';

type RecodeAnswer = {
  notice?: { message: string; type: string };
  plan?: { rows: number; problems: number; reasonFromSheet?: boolean; text: string };
};

const ACTION = '/admin/api/resources/code_report/actions/bulkRecode';
const dir = tempDir('steward-recode-upload-');

let server: Awaited<ReturnType<typeof startAdmin>>;
let bot: BotRuntime;
let admin: Actor;
let wang: AdminClient;
let wangId: number;
let seq = 0;
/** A new code nobody holds yet (manual pattern). */
const freshCode = () => `UP-${process.pid % 1000}-${++seq}`;

/** Posts the form with a file, as the browser's FormData does. */
async function upload(file: string, fields: Record<string, string> = {}): Promise<RecodeAnswer> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(fs.readFileSync(file))]), path.basename(file));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return (await wang.request('POST', ACTION, form)).json<RecodeAnswer>();
}

/** The back office with wang (sales) signed in; each block gets its own database. */
function setupUpload(h: Harness): void {
  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
    server = await startAdmin(h.core, { notifier: bot.deps.notifier });
    admin = await h.actor('上传改编码管理员', ['admin']);
    const signed = await clientAs(h.core, server.url, 'upload-wang', ['sales']);
    wang = signed.client;
    wangId = signed.operator.id;
  });
  afterAll(async () => server?.close());
}

eachDialect('back office 批量改编码: an uploaded .xlsx sheet (旧编码, 新编码, 原因), dry run → 提交审批', (h) => {
  setupUpload(h);

  it('.xlsx with a 原因 column: the dry run lists each line with its reason and writes nothing; 提交审批 files it with those reasons; approval records them', async () => {
    const [a, b] = [await newCustomer(h, admin, { ownerId: wangId }), await newCustomer(h, admin, { ownerId: wangId })];
    const [toA, toB] = [freshCode(), freshCode()];
    const file = await writeXlsx(path.join(dir, `${toA}.xlsx`), [
      {
        name: '改编码',
        rows: [
          ['旧编码', '新编码', '原因'],
          [a.code, toA, '对齐 ERP'],
          [b.code, toB, '合并门店编码'],
        ],
      },
    ]);
    const dry = await upload(file);
    expect(dry.plan).toMatchObject({ rows: 2, problems: 0, reasonFromSheet: true });
    expect(dry.plan!.text).toContain(`• ${a.code} ${a.name} → ${toA} 原因: 对齐 ERP`);
    expect(dry.plan!.text).toContain(`• ${b.code} ${b.name} → ${toB} 原因: 合并门店编码`);
    expect(dry.plan!.text).toContain('原因: 对齐 ERP; 合并门店编码');
    expect(await h.core.models.CustomerRecode.count({ where: { requesterId: wangId } })).toBe(0);

    const filed = await upload(file, { submit: 'true' });
    expect(filed.notice).toMatchObject({
      type: 'success',
      message: expect.stringMatching(/^已提交改编码申请 #\d+ \(2 个客户\), 等待另一位审批人批准/),
    });
    const recode = (await h.core.models.CustomerRecode.findOne({ where: { requesterId: wangId, status: 'pending' } }))!;
    expect(recode.reason).toBe('对齐 ERP; 合并门店编码');
    expect(recodeRows(recode).map((r) => [r.from, r.to, r.reason])).toEqual([
      [a.code, toA, '对齐 ERP'],
      [b.code, toB, '合并门店编码'],
    ]);

    await approveRecode(h.core, await h.actor('上传审批人', ['approver']), recode.id);
    expect((await h.core.models.Customer.findByPk(a.id))!.code).toBe(toA);
    const audit = (await h.core.models.AuditEvent.findOne({
      where: { action: 'customer.recoded', customerId: b.id },
    }))!;
    expect(JSON.parse(audit.diff)).toMatchObject({ info: { reason: '合并门店编码', recodeId: recode.id } });
  });
});

eachDialect('back office 批量改编码: an uploaded .csv sheet without reasons, and a file that is not a sheet', (h) => {
  setupUpload(h);

  it('.csv without reasons: a clash names both rows; without a 原因 typed or in the sheet, 提交审批 is refused in Chinese', async () => {
    const [a, b] = [await newCustomer(h, admin, { ownerId: wangId }), await newCustomer(h, admin, { ownerId: wangId })];
    const to = freshCode();
    const clash = writeCsv(path.join(dir, `${to}-clash.csv`), [
      ['旧编码', '新编码'],
      [a.code, to],
      [b.code, to.toLowerCase()],
    ]);
    const dry = await upload(clash);
    expect(dry.plan).toMatchObject({ rows: 1, problems: 1, reasonFromSheet: false });
    expect(dry.plan!.text).toContain(`✗ 第 3 行: 新编码 ${to} 与第 2 行的新编码重复`);

    const good = writeCsv(path.join(dir, `${to}-good.csv`), [
      ['旧编码', '新编码'],
      [a.code, to],
    ]);
    const noReason = await upload(good, { submit: 'true' });
    expect(noReason.notice).toMatchObject({ type: 'error', message: expect.stringContaining('请写明改编码的原因') });
    const typed = await upload(good, { submit: 'true', reason: '统一编码规则' });
    expect(typed.notice?.type).toBe('success');
    const recode = (await h.core.models.CustomerRecode.findOne({
      where: { requesterId: wangId, status: 'pending' },
      order: [['id', 'DESC']],
    }))!;
    expect([recode.reason, recodeRows(recode)[0]!.from]).toEqual(['统一编码规则', a.code]);
  });

  it('a file that is not a sheet is refused in Chinese, and the uploaded temp file is not left behind', async () => {
    const bogus = path.join(dir, 'codes.xlsx');
    fs.writeFileSync(bogus, 'not a workbook');
    const answer = await upload(bogus);
    expect(answer.plan).toBeUndefined();
    expect(answer.notice).toMatchObject({
      type: 'error',
      message: expect.stringContaining('「codes.xlsx」不是有效的 Excel .xlsx 文件'),
    });
  });
});
