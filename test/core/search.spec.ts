import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { duplicateCandidates } from '../../core/customers/duplicates.js';
import { getCustomer, searchCustomers, type SearchQuery } from '../../core/customers/search.js';
import type { CustomerView } from '../../core/customers/view.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from './fixtures.js';

let admin: Actor;
let viewer: Actor;
const c: Record<string, CustomerView> = {};
/** The codes a viewer finds for a query, sorted. */
const searchCodes = (h: Harness) => async (q: SearchQuery) =>
  (await searchCustomers(h.core, viewer, q)).items.map((i) => i.code).sort();

/** Six customers to find (e is deleted) and 25 to page through; each block gets its own database. */
function setupCustomers(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('检索管理员', ['admin']);
    viewer = await h.actor('检索只读', ['viewer']);
    h.setNow(new Date('2026-04-01T02:00:00Z'));
    c.a = await newCustomer(h, admin, { name: '深圳华强电子有限公司', contact: '王伟', phone: '13812345678' });
    c.b = await newCustomer(h, admin, { name: '广州华强贸易股份有限公司', contact: '李娜', phone: '13900001111' });
    c.c = await newCustomer(h, admin, { name: '北京Ａｂｃ科技有限责任公司', contact: '王伟' });
    c.d = await newCustomer(h, admin, { code: 'VIP-001', name: '上海星辰商行', contact: '赵敏' });
    c.e = await newCustomer(h, admin, { name: '华强旧账公司', phone: '13600006666' });
    c.f = await newCustomer(h, admin, { name: '百分百%纯净水厂' });
    const approver = await h.actor('检索审批人', ['approver']);
    const request = await requestDeletion(h.core, admin, c.e.code, '重复录入');
    await approve(h.core, approver, request.id);
    for (let i = 1; i <= 25; i++) await newCustomer(h, admin, { name: `分页测试客户${String(i).padStart(2, '0')}` });
  });
}

eachDialect('search by code, name, phone and contact', (h) => {
  setupCustomers(h);
  const codes = searchCodes(h);

  it('find by code, exact (normalised) or by prefix', async () => {
    expect(await codes({ code: ' ｖｉｐ－００１ ' })).toEqual(['VIP-001']);
    expect(await codes({ code: 'VIP-00' })).toEqual([]);
    expect(await codes({ codePrefix: 'vip' })).toEqual(['VIP-001']);
    expect(await codes({ codePrefix: 'C2026', name: '华强' })).toEqual([c.a!.code, c.b!.code].sort());
  });

  it('find by part of the name after normalising width, spaces and company suffixes', async () => {
    expect(await codes({ name: '华强' })).toEqual([c.a!.code, c.b!.code].sort());
    expect(await codes({ name: '华 强' })).toEqual([c.a!.code, c.b!.code].sort());
    expect(await codes({ name: '深圳华强电子有限公司' })).toEqual([c.a!.code]);
    expect(await codes({ name: '华强贸易有限责任公司' })).toEqual([c.b!.code]);
    expect(await codes({ name: 'abc科技' })).toEqual([c.c!.code]);
    expect(await codes({ name: 'ＡＢＣ科技股份有限公司' })).toEqual([c.c!.code]);
    expect(await codes({ name: '百%纯' })).toEqual([c.f!.code]);
    expect(await codes({ name: '百%水' })).toEqual([]);
  });

  it('find by phone exactly, in any common notation, through the blind index', async () => {
    expect(await codes({ phone: '138-1234-5678' })).toEqual([c.a!.code]);
    expect(await codes({ phone: '+86 138 1234 5678' })).toEqual([c.a!.code]);
    expect(await codes({ phone: '1381234567' })).toEqual([]);
    expect(await codes({ q: '13900001111' })).toEqual([c.b!.code]);
  });

  it('find by contact name', async () => {
    expect(await codes({ contact: '王伟' })).toEqual([c.a!.code, c.c!.code].sort());
    expect(await codes({ contact: '赵敏' })).toEqual(['VIP-001']);
  });
});

eachDialect('search pages, deleted customers, masked phones, duplicate candidates', (h) => {
  setupCustomers(h);
  const codes = searchCodes(h);

  it('page results in code order, with the total', async () => {
    const pages = [1, 2, 3].map((page) =>
      searchCustomers(h.core, viewer, { name: '分页测试客户', pageSize: 10, page }),
    );
    const [p1, p2, p3] = await Promise.all(pages);
    expect([p1!.total, p1!.items.length, p2!.items.length, p3!.items.length]).toEqual([25, 10, 10, 5]);
    const all = [...p1!.items, ...p2!.items, ...p3!.items].map((i) => i.code);
    expect(new Set(all).size).toBe(25);
    expect(all).toEqual([...all].sort());
    expect(p1!.items[0]!.name).toBe('分页测试客户01');
    const loose = await searchCustomers(h.core, viewer, {
      name: '分页测试客户',
      pageSize: '10' as unknown as number,
      page: 'x' as unknown as number,
    });
    expect([loose.page, loose.pageSize, loose.items.length]).toEqual([1, 10, 10]);
  });

  it('leave deleted customers out unless asked for', async () => {
    expect(await codes({ name: '旧账' })).toEqual([]);
    expect(await codes({ phone: '13600006666' })).toEqual([]);
    expect(await codes({ name: '旧账', includeDeleted: true })).toEqual([c.e!.code]);
    expect(await getCustomer(h.core, viewer, c.e!.code)).toBeNull();
    expect((await getCustomer(h.core, viewer, c.e!.code, { includeDeleted: true }))?.status).toBe('deleted');
    expect((await searchCustomers(h.core, viewer, {})).items.some((i) => i.status === 'deleted')).toBe(false);
  });

  it('show phones masked in results; the plain number stays for permitted doors to reveal', async () => {
    const [hit] = (await searchCustomers(h.core, viewer, { phone: '13812345678' })).items;
    expect(hit!.phoneMasked).toBe('138****5678');
  });

  it('list duplicate candidates by the same phone or the same normalised name, never deleted ones', async () => {
    const byName = await duplicateCandidates(h.core, { name: '深圳 华强电子 股份有限公司' });
    expect(byName).toEqual([expect.objectContaining({ code: c.a!.code, matchedOn: ['name'] })]);
    const byPhone = await duplicateCandidates(h.core, { phone: '+86 139 0000 1111' });
    expect(byPhone).toEqual([expect.objectContaining({ code: c.b!.code, matchedOn: ['phone'] })]);
    const both = await duplicateCandidates(h.core, { name: '深圳华强电子', phone: '13900001111' });
    expect(both.map((d) => d.code).sort()).toEqual([c.a!.code, c.b!.code].sort());
    expect(await duplicateCandidates(h.core, { name: '华强旧账', phone: '13600006666' })).toEqual([]);
    expect(await duplicateCandidates(h.core, { name: '深圳华强电子' }, { excludeId: c.a!.id })).toEqual([]);
  });
});
