import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { editCustomer } from '../../core/customers/edit.js';
import { deactivate } from '../../core/customers/status.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { createOrder } from '../../core/orders.js';
import { newCustomer } from '../core/fixtures.js';
import { eachDialect } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

type Story = {
  status: string;
  stopped: { reason: string } | null;
  pendingDeletion: { id: number; href: string } | null;
  business: [string, string][];
  timeline: { action: string; who: string; door: string; changes: string[] }[];
};

eachDialect('back office: the customer page tells the whole story', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  let viewer: AdminClient;
  beforeAll(async () => {
    server = await startAdmin(h.core);
    viewer = (await clientAs(h.core, server.url, 'story-viewer', ['viewer'])).client;
  });
  afterAll(() => server.close());

  const storyOf = async (id: number) =>
    JSON.parse(
      (await viewer.action('customers', id, 'show')).json<{ record: { params: { story: string } } }>().record.params
        .story,
    ) as Story;

  it('business at a glance, the pending deletion with its link, and a timeline in Chinese with owners by name', async () => {
    const admin = await h.actor('故事管理员', ['admin']);
    const sales = await h.actor('故事销售', ['sales']);
    const other = await h.actor('故事销售乙', ['sales']);
    const c = await newCustomer(h, admin, { name: '故事贸易有限公司', ownerId: sales.operator.id! });
    const done = await createOrder(h.core, admin, { customerCode: c.code, total: '12345.60' });
    await done.update({ status: 'completed' });
    await createOrder(h.core, admin, { customerCode: c.code, total: '100.00' });
    await editCustomer(h.core, admin, c.code, { ownerId: other.operator.id! });
    const story = await storyOf(c.id);
    expect(story.status).toBe('active');
    expect(Object.fromEntries(story.business)).toMatchObject({ 未完成订单: '1 张', 累计销售: '¥12,345.60 (1 张订单)' });
    expect(story.pendingDeletion).toBeNull();
    const calm = await newCustomer(h, admin, { name: '待删故事有限公司' });
    const req = await requestDeletion(h.core, admin, calm.code, '测试删除');
    expect((await storyOf(calm.id)).pendingDeletion).toMatchObject({
      id: req.id,
      href: `/admin/resources/approval_requests/records/${req.id}/show`,
    });
    expect(story.timeline.map((e) => e.action)).toEqual(expect.arrayContaining(['新建客户', '修改客户']));
    const edit = story.timeline.find((e) => e.action === '修改客户')!;
    expect(edit.changes).toContain('负责人: 故事销售 → 故事销售乙');
    expect(edit.door).toBe('命令行');
  });

  it('停用 details appear only on a stopped customer, and 版本 never', async () => {
    const admin = await h.actor('故事管理员', ['admin']);
    const c = await newCustomer(h, admin, { name: '停用故事有限公司' });
    expect((await storyOf(c.id)).stopped).toBeNull();
    await deactivate(h.core, admin, c.code, { reason: '客户要求', memo: '暂停合作' });
    const story = await storyOf(c.id);
    expect(story).toMatchObject({ status: 'inactive', stopped: { reason: '客户要求' } });
    expect(story.timeline[0]).toMatchObject({ action: '停用客户' });
    const shown = (await viewer.pageState()).resources.find((r) => r.id === 'customers') as unknown as {
      showProperties: { name: string }[];
    };
    expect(shown.showProperties.map((p) => p.name)).not.toContain('version');
  });
});
