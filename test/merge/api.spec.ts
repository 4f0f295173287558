import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Transaction } from 'sequelize';
import type { Actor } from '../../core/context.js';
import { approveMerge } from '../../core/customers/merge/act.js';
import { createOrder } from '../../core/orders.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { RecordingNotifier, startApi, type ApiHarness } from '../helpers/api-app.js';
import { newCustomer } from '../core/fixtures.js';

/** Records the merge notices too (the bot's notifier sends them through toOperator). */
class MergeNotifier extends RecordingNotifier {
  readonly sent: { opId: number; title?: string; text: string; queuedInTransaction: boolean }[] = [];
  async toOperator(
    op: { id: number },
    reply: { title?: string; text: string },
    _ref?: string | null,
    t?: Transaction,
  ): Promise<void> {
    this.sent.push({ opId: op.id, title: reply.title, text: reply.text, queuedInTransaction: !!t });
  }
}

let api: ApiHarness;
let token: string;
let admin: Actor;
/** A fresh one per database, so a notice is never read from the other dialect's run. */
let notifier: MergeNotifier;
const merge = (code: string, body: unknown) => api.call('POST', `/api/v1/customers/${code}/merge`, { token, body });

/** The API with a read/write token, an admin and an approver. */
function setupMergeApi(h: Harness): void {
  beforeAll(async () => {
    notifier = new MergeNotifier();
    api = await startApi(h, { notifier });
    token = await api.token(['customers:read', 'customers:write']);
    admin = await h.actor('API合并管理员', ['admin']);
    await h.operator('API审批人', ['approver']);
  });
  afterAll(async () => api?.close());
}

/** Two fresh customers of the test's own (keep, dup) where dup has an order. */
async function mergePair(h: Harness): Promise<{ keep: string; dup: string }> {
  const keep = (await newCustomer(h, admin, { contact: '赵一' })).code;
  const dup = (await newCustomer(h, admin, { contact: '赵二' })).code;
  await createOrder(h.core, admin, { customerCode: dup, total: '250.00' });
  return { keep, dup };
}

/** A fresh pair with a pending merge request filed through the API. */
async function filedMerge(h: Harness): Promise<{ keep: string; dup: string; id: string }> {
  const pair = await mergePair(h);
  const filed = await merge(pair.keep, { absorb: [pair.dup], reason: '重复录入' });
  expect(filed.status).toBe(202);
  return { ...pair, id: String(filed.body.merge.id) };
}

eachDialect('POST /api/v1/customers/{code}/merge, and old codes through the API after a merge', (h) => {
  // Each test files its own merge on its own customers.
  setupMergeApi(h);

  it('dryRun compares and writes nothing; the real call files a pending request and tells the approvers', async () => {
    const c = await mergePair(h);
    const before = await h.core.models.CustomerMerge.count();
    const dry = await merge(c.keep, { absorb: [c.dup], reason: '重复录入', dryRun: true, values: { contact: '赵三' } });
    expect(dry.status).toBe(200);
    expect(dry.body.moves).toEqual([
      {
        code: c.dup,
        counts: [
          { table: 'sales_orders', label: '订单', rows: 1 },
          { table: 'ledger_events', label: '单据变动记录', rows: 1 },
        ],
      },
    ]);
    expect(dry.body.differences).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'contact', keep: '赵一', result: '赵三' })]),
    );
    expect(dry.body.totals).toMatchObject({ orders: 1, orderAmount: '250.00' });
    expect(await h.core.models.CustomerMerge.count()).toBe(before);
    const filed = await merge(c.keep, { absorb: [c.dup], reason: '重复录入' });
    expect(filed.status).toBe(202);
    expect(filed.body.merge).toMatchObject({ status: 'pending', keep: c.keep, absorb: [c.dup], reason: '重复录入' });
    expect(filed.body.message).toContain(`已提交合并申请 #${filed.body.merge.id}`);
    expect(notifier.sent.some((s) => s.title === `合并客户审批 #${filed.body.merge.id}` && s.queuedInTransaction)).toBe(
      true,
    );
  });

  it('bad input: itself, unknown code, bad values — each a specific refusal, nothing written', async () => {
    const c = await filedMerge(h);
    const n = await h.core.models.CustomerMerge.count();
    const self = await merge(c.keep, { absorb: [c.keep], reason: 'x' });
    expect([self.status, self.body.error.message]).toEqual([
      422,
      `不能把客户 ${c.keep} 合并到它自己: 保留编码和并入编码必须不同。`,
    ]);
    const unknown = await merge('C29990009', { absorb: [c.dup], reason: 'x' });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'CUSTOMER_NOT_FOUND']);
    const busy = await merge(c.keep, { absorb: [c.dup], reason: 'x' });
    expect([busy.status, busy.body.error.message]).toEqual([
      409,
      expect.stringContaining(`已在待审批的合并申请 #${c.id} 中`),
    ]);
    const bad = await merge(c.keep, { absorb: [c.dup], reason: 'x', values: { phone: 'abc' }, dryRun: true });
    expect([bad.status, bad.body.error.message]).toEqual([422, expect.stringContaining('手机/电话格式不对')]);
    expect(await h.core.models.CustomerMerge.count()).toBe(n);
  });

  afterApproval(h);
});

/** The approved merge: the old code answers with the survivor; changes to it are refused. */
function afterApproval(h: Harness): void {
  it('after approval the old code answers with the survivor and says so; changes to it are refused', async () => {
    const c = await filedMerge(h);
    const approver = { operator: await h.operator('API审批人', ['approver']), door: 'cli' as const };
    await approveMerge(h.core, approver, Number(c.id));
    const got = await api.call('GET', `/api/v1/customers/${c.dup}`, { token });
    expect(got.status).toBe(200);
    expect(got.body.code).toBe(c.keep);
    expect([got.headers.get('x-merged-from'), got.headers.get('x-merged-into')]).toEqual([c.dup, c.keep]);
    const tx = await api.call('GET', `/api/v1/customers/${c.dup}/transactable`, { token });
    expect([tx.status, tx.body, tx.headers.get('x-merged-into')]).toEqual([200, { ok: true }, c.keep]);
    const patch = await api.call('PATCH', `/api/v1/customers/${c.dup}`, {
      token,
      body: { note: 'x' },
      headers: { 'If-Match': '1' },
    });
    expect([patch.status, patch.body.error.code, patch.body.error.message]).toEqual([
      409,
      'CUSTOMER_MERGED',
      expect.stringContaining(`${c.dup} 已并入 ${c.keep}`),
    ]);
    const again = await merge(c.keep, { absorb: [c.dup], reason: 'x' });
    expect([again.status, again.body.error.code]).toEqual([409, 'CUSTOMER_MERGED']);
    const list = await api.call('GET', '/api/v1/customers?limit=200', { token });
    expect(list.body.items.map((i: { code: string }) => i.code)).not.toContain(c.dup);
    expect(api.registry.violations).toEqual([]);
  });
}
