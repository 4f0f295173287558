import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect, type Harness } from '../helpers/db.js';
import { createCustomer } from '../../core/customers/create.js';
import { jobActor } from '../../core/context.js';
import { AdminClient, clientAs, PASSWORD, startAdmin } from './helpers.js';

type Rec = {
  id: number;
  params: Record<string, unknown>;
  errors: Record<string, { message: string }>;
  recordActions: { name: string }[];
};
type ActionAnswer = { notice?: { message: string; type: string }; record: Rec; error?: { code: string } };

interface RolesDesk {
  url: string;
  /** boss (admin), wang (sales), qian (finance), li (approver), kan (viewer). */
  as: Record<string, AdminClient>;
  bossId: number;
  /** wang's customer. */
  customerId: number;
}

/** The back office with one operator per role and one customer, set up for the calling describe. */
function rolesDesk(h: Harness): RolesDesk {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  let wangId = 0;
  const desk: RolesDesk = { url: '', as: {}, bossId: 0, customerId: 0 };
  beforeAll(async () => {
    server = await startAdmin(h.core);
    desk.url = server.url;
    for (const [login, roles] of [
      ['boss', ['admin']],
      ['wang', ['sales']],
      ['qian', ['finance']],
      ['li', ['approver']],
      ['kan', ['viewer']],
    ] as const) {
      const { client, operator } = await clientAs(h.core, server.url, login, [...roles]);
      desk.as[login] = client;
      if (login === 'boss') desk.bossId = operator.id;
      if (login === 'wang') wangId = operator.id;
    }
    // wang's own customer: the ownership rule hides nothing here (test/core/ownership.spec.ts covers a colleague's).
    desk.customerId = (
      await createCustomer(h.core, jobActor('t'), { name: '权限测试客户', ownerId: wangId })
    ).customer.id;
  });
  afterAll(async () => server?.close());
  return desk;
}

eachDialect('back office: what each role sees and may do', (h) => {
  const desk = rolesDesk(h);
  const { as } = desk;
  const menu = async (login: string) => (await as[login]!.pageState()).resources.filter((r) => r.href).map((r) => r.id);
  const customerActions = async (login: string) =>
    (await as[login]!.action('customers', desk.customerId, 'show'))
      .json<ActionAnswer>()
      .record.recordActions.map((a) => a.name)
      .sort();

  it('gives sales no operator management, no backups and no purge', async () => {
    const sales = await menu('wang');
    expect(sales).toEqual(
      expect.arrayContaining(['customers', 'sales_orders', 'approval_requests', 'recycle_entries', 'audit_events']),
    );
    expect(sales).not.toContain('operators');
    expect(sales).not.toContain('backup_records');
    expect(await menu('boss')).toEqual(expect.arrayContaining(['operators', 'backup_records']));
    expect((await as.wang!.list('operators')).status).toBe(403);
    expect((await as.wang!.list('backup_records')).status).toBe(403);
  });

  it('shows each role exactly the customer actions core allows it', async () => {
    expect(await customerActions('boss')).toEqual(['deactivate', 'edit', 'merge', 'requestDeletion', 'reveal', 'show']);
    expect(await customerActions('wang')).toEqual(['deactivate', 'edit', 'merge', 'requestDeletion', 'show']);
    expect(await customerActions('qian')).toEqual(['deactivate', 'merge', 'requestDeletion', 'reveal', 'show']);
    expect(await customerActions('li')).toEqual(['show']);
    expect(await customerActions('kan')).toEqual(['show']);
    const viewerState = await as.kan!.pageState();
    const customers = viewerState.resources.find((r) => r.id === 'customers')!;
    expect(customers.resourceActions.map((a) => a.name)).not.toContain('new');
  });

  it('refuses direct POSTs to hidden actions with 403 and changes nothing', async () => {
    expect((await as.kan!.action('customers', desk.customerId, 'deactivate', { reason: '客户要求' })).status).toBe(403);
    expect((await as.li!.action('customers', desk.customerId, 'requestDeletion', { reason: 'x' })).status).toBe(403);
    expect(
      (
        await as.wang!.post('/admin/api/resources/operators/actions/new', {
          displayName: '黑客',
          email: 'h@x.y',
          roles: 'admin',
          password: 'password123',
        })
      ).status,
    ).toBe(403);
    expect((await h.core.models.Customer.findByPk(desk.customerId))!.status).toBe('active');
    expect(await h.core.models.Operator.count({ where: { displayName: '黑客' } })).toBe(0);
  });
});

eachDialect('back office: what each role sees and may do: operators', (h) => {
  const desk = rolesDesk(h);
  const { as } = desk;

  it('lets an admin create an operator who can then log in, and audits it', async () => {
    const res = (
      await as.boss!.post('/admin/api/resources/operators/actions/new', {
        displayName: '孙新人',
        email: 'Sun@Test.local',
        roles: 'sales, finance',
        password: 'sun-password-1',
        active: 'true',
      })
    ).json<ActionAnswer>();
    expect(res.notice).toMatchObject({ type: 'success' });
    const sun = (await h.core.models.Operator.findOne({ where: { email: 'sun@test.local' } }))!;
    expect(sun.roleList()).toEqual(['sales', 'finance']);
    expect(sun.passwordHash).toMatch(/^scrypt\$/);
    expect((await new AdminClient(desk.url, '10.7.0.1').login('sun@test.local', 'sun-password-1')).status).toBe(302);
    const audit = await h.core.models.AuditEvent.findOne({
      where: { action: 'operator.create' },
      order: [['id', 'DESC']],
    });
    expect(audit!.diff).toContain(`"operatorId":${sun.id}`);
    expect(audit!.diff).not.toContain('sun-password-1');
  });

  it('checks the operator form in Chinese: roles, password length, a taken email', async () => {
    const bad = (
      await as.boss!.post('/admin/api/resources/operators/actions/new', {
        displayName: '错',
        email: 'boss@test.local',
        roles: 'king',
        password: 'short',
      })
    ).json<ActionAnswer>();
    expect(Object.keys(bad.record.errors).sort()).toEqual(['password', 'roles']);
    expect(bad.record.errors.roles!.message).toContain('不认识: king');
    const taken = (
      await as.boss!.post('/admin/api/resources/operators/actions/new', {
        displayName: '重',
        email: 'boss@test.local',
        roles: 'viewer',
        password: PASSWORD,
      })
    ).json<ActionAnswer>();
    expect(taken.record.errors.email!.message).toContain('已被其他操作员使用');
  });

  it('does not let an admin lock themselves out', async () => {
    const res = (await as.boss!.action('operators', desk.bossId, 'edit', { roles: 'viewer' })).json<ActionAnswer>();
    expect(res.error!.code).toBe('CONFLICT');
    expect(res.notice!.message).toContain('不能去掉自己的管理员角色');
    const off = (await as.boss!.action('operators', desk.bossId, 'edit', { active: 'false' })).json<ActionAnswer>();
    expect(off.notice!.message).toContain('不能停用自己的账号');
  });

  it('serves the operator list without password hashes', async () => {
    const res = await as.boss!.list('operators');
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/passwordHash|scrypt\$/);
  });
});

eachDialect('back office: what each role sees and may do: dashboard', (h) => {
  const { as } = rolesDesk(h);

  it('answers every role with counts, charts and pending approvals', async () => {
    for (const login of ['boss', 'wang', 'qian', 'li', 'kan']) {
      const res = await as[login]!.get('/admin/api/dashboard');
      expect(res.status).toBe(200);
      const body = res.json<{
        statusCounts: { key: string; count: number }[];
        newPerMonth: unknown[];
        inactiveOverTime: unknown[];
        canApprove: boolean;
        backup: unknown;
      }>();
      expect(body.statusCounts.find((s) => s.key === 'active')!.count).toBeGreaterThan(0);
      expect(body.newPerMonth).toHaveLength(24);
      expect(body.inactiveOverTime).toHaveLength(12);
      expect(body.canApprove).toBe(login === 'boss' || login === 'li');
    }
  });

  it('shows the last backup with its verification once backup_records has one, and null before', async () => {
    await h.core.models.BackupRecord.destroy({ where: {} });
    expect((await as.boss!.get('/admin/api/dashboard')).json<{ backup: unknown }>().backup).toBeNull();
    const qi = h.core.models.sequelize.getQueryInterface();
    await qi.bulkInsert('backup_records', [
      {
        path: '/b/1',
        taken_at: new Date(),
        operator_name: 'job',
        reason: 'job',
        total_rows: 42,
        table_rows: '{}',
        sha256: 'x'.repeat(64),
        bytes: 10,
        encrypted: false,
        verify_status: 'passed',
        verified_at: new Date(),
      },
    ]);
    const backup = (await as.boss!.get('/admin/api/dashboard')).json<{
      backup: { verifyLabel: string; totalRows: number };
    }>().backup;
    expect(backup).toMatchObject({ verifyLabel: '校验通过', totalRows: 42 });
  });

  it('does not crash when the backups table does not exist', async () => {
    // The table is moved aside, not dropped, and put back after: the other tests here still need it.
    const qi = h.core.models.sequelize.getQueryInterface();
    await qi.renameTable('backup_records', 'backup_records_aside');
    try {
      const res = await as.kan!.get('/admin/api/dashboard');
      expect(res.status).toBe(200);
      expect(res.json<{ backup: unknown }>().backup).toBeNull();
    } finally {
      await qi.renameTable('backup_records_aside', 'backup_records');
    }
  });
});
