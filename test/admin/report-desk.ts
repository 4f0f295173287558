// The report pages' data, shared by report-pages.spec.ts and report-export.spec.ts: three customers
// (one deleted) with orders and receivables around 2026-06-15, and a login per role.
import { afterAll, beforeAll } from '@jest/globals';
import { createCustomer } from '../../core/customers/create.js';
import { jobActor } from '../../core/context.js';
import type { Harness } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

// 2026-06-15 12:00 in Shanghai.
export const NOW = new Date('2026-06-15T04:00:00Z');

export type Page = {
  title: string;
  error: string | null;
  canExport: boolean;
  filterText: string;
  owners: { id: number; name: string }[];
  figures: Record<string, unknown> | null;
};

/** A report page's answer, optionally with its query string. */
export const page = async (client: AdminClient, name: string, query = '') =>
  (await client.get(`/admin/api/pages/${name}${query ? `?${query}` : ''}`)).json<Page>();

export interface ReportDesk {
  url: string;
  /** boss (admin), wang and li (sales, 王销售 and 李销售), kan (viewer). */
  as: Record<string, AdminClient>;
  /** Operator ids by the same keys. */
  owner: Record<string, number>;
  /** Customer codes: a (wang's, 经销商), b (li's), g (wang's, deleted). */
  code: Record<string, string>;
}

/** The report data and logins, at NOW, set up for the calling describe. */
export function reportDesk(h: Harness): ReportDesk {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  const desk: ReportDesk = { url: '', as: {}, owner: {}, code: {} };
  beforeAll(async () => {
    h.setNow(NOW);
    server = await startAdmin(h.core);
    desk.url = server.url;
    await loginReportOperators(h, desk);
    await seedReportData(h, desk);
  });
  afterAll(async () => {
    h.setNow(null);
    await server?.close();
  });
  return desk;
}

async function loginReportOperators(h: Harness, { url, as, owner }: ReportDesk): Promise<void> {
  for (const [key, roles] of [
    ['boss', ['admin']],
    ['wang', ['sales']],
    ['li', ['sales']],
    ['kan', ['viewer']],
  ] as const) {
    const { client, operator } = await clientAs(h.core, url, `rp-${key}`, [...roles]);
    as[key] = client;
    owner[key] = operator.id;
  }
  await h.core.models.Operator.update({ displayName: '王销售' }, { where: { id: owner.wang } });
  await h.core.models.Operator.update({ displayName: '李销售' }, { where: { id: owner.li } });
}

/** Three customers with their orders and receivables; g is deleted once its history is there. */
async function seedReportData(h: Harness, { owner, code }: ReportDesk): Promise<void> {
  const job = jobActor('t');
  const make = async (key: string, name: string, phone: string, ownerKey: string) => {
    const { customer } = await createCustomer(h.core, job, {
      name,
      phone,
      ownerId: owner[ownerKey]!,
      category: key === 'a' ? '经销商' : null,
    });
    code[key] = customer.code;
    return customer.id;
  };
  const a = await make('a', '报表甲贸易公司', '13911110001', 'wang');
  const b = await make('b', '报表乙商行', '13911110002', 'li');
  const g = await make('g', '报表已删客户', '13911110003', 'wang');
  await seedOrders(h, { a, b, g });
  await seedReceivables(h, { a, b, g });
  await h.core.models.Customer.update({ status: 'deleted' }, { where: { id: g } });
}

type Ids = Record<'a' | 'b' | 'g', number>;

/** Orders in April-June 2026; the cancelled one must count nowhere. */
async function seedOrders(h: Harness, { a, b, g }: Ids): Promise<void> {
  const { SalesOrder } = h.core.models;
  await SalesOrder.create({
    number: 'RP-1',
    customerId: a,
    orderDate: '2026-05-20',
    total: '1000.05',
    status: 'completed',
  });
  await SalesOrder.create({
    number: 'RP-2',
    customerId: b,
    orderDate: '2026-06-02',
    total: '200.00',
    status: 'shipped',
  });
  await SalesOrder.create({
    number: 'RP-3',
    customerId: g,
    orderDate: '2026-04-01',
    total: '500.00',
    status: 'completed',
  });
  await SalesOrder.create({
    number: 'RP-4',
    customerId: b,
    orderDate: '2026-06-03',
    total: '9999.00',
    status: 'cancelled',
  });
}

/** Open receivables on NOW: a's not yet due, b's 106 days old (100 paid), g's 196 days old. */
async function seedReceivables(h: Harness, { a, b, g }: Ids): Promise<void> {
  const { Receivable } = h.core.models;
  const open = { orderId: null, status: 'open' } as const;
  await Receivable.create({ ...open, customerId: a, amount: '10.00', paid: '0.00', dueDate: '2026-06-20' });
  await Receivable.create({ ...open, customerId: b, amount: '300.00', paid: '100.00', dueDate: '2026-03-01' });
  await Receivable.create({ ...open, customerId: g, amount: '50.00', paid: '0.00', dueDate: '2025-12-01' });
}
