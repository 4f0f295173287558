import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { saveListEntry } from '../../core/lists/manage.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import { uniqueName } from '../core/fixtures.js';

type Choice = { value: string; label: string; active: boolean };
type ChoicesAnswer = { choices?: Choice[]; notice?: { message: string; type: string } };
type Rec = { id: number; params: Record<string, unknown>; errors: Record<string, { message: string }> };
type ActionAnswer = { notice?: { message: string; type: string }; record: Rec };
type PageState = {
  resources: Array<{ id: string; properties: Record<string, { components?: Record<string, string> }> }>;
};

let server: Awaited<ReturnType<typeof startAdmin>>;
let admin: Actor;
let sales: AdminClient;
let seq = 0;
/** A region name no other test uses. */
const regionName = (label: string) => `${label}${process.pid % 1000}-${++seq}`;
const choices = async (list: string, current?: string) => {
  const q = new URLSearchParams({ list, ...(current !== undefined ? { current } : {}) });
  return (await sales.get(`/admin/api/resources/customers/actions/listChoices?${q}`)).json<ChoicesAnswer>();
};

/** The back office with a salesperson (choice-sales) signed in, and an admin. */
function setupBackOffice(h: Harness): void {
  beforeAll(async () => {
    server = await startAdmin(h.core);
    admin = await h.actor('下拉管理员', ['admin']);
    sales = (await clientAs(h.core, server.url, 'choice-sales', ['sales'])).client;
  });
  afterAll(async () => server?.close());
}

eachDialect('back-office customer form: 客户分类 and 区域 are drop-downs of the live company lists', (h) => {
  setupBackOffice(h);

  it('the form fields use the drop-down, not a free text box', async () => {
    const page = (await sales.get('/admin')).text;
    const state = JSON.parse(/window\.REDUX_STATE = (.*);\n/.exec(page)![1]!) as PageState;
    const props = state.resources.find((r) => r.id === 'customers')!.properties;
    expect([props.category!.components?.edit, props.region!.components?.edit]).toEqual(['ListSelect', 'ListSelect']);
  });

  it('offers the active entries in list order, with their aliases, and reads a new entry at once', async () => {
    const seeded = (await choices('category')).choices!;
    expect(seeded.map((c) => c.value)).toEqual(['经销商', '批发商', '零售商', '终端客户', '电商', '其他']);
    const east = regionName('华东');
    expect((await choices('region')).choices!.map((c) => c.value)).not.toContain(east);
    await saveListEntry(h.core, admin, 'region', null, { name: east, aliases: [`${east}区`] });
    expect((await choices('region')).choices).toContainEqual({
      value: east,
      label: `${east} (${east}区)`,
      active: true,
    });
  });

  it('a deactivated entry is no longer offered, but a customer that has it keeps it shown and can be saved unchanged', async () => {
    const old = regionName('旧区');
    const { entry } = await saveListEntry(h.core, admin, 'region', null, { name: old });
    const c = (await createCustomer(h.core, admin, { name: uniqueName('下拉旧区'), region: old })).customer;
    await saveListEntry(h.core, admin, 'region', entry.id, { active: false });
    expect((await choices('region')).choices!.map((x) => x.value)).not.toContain(old);
    expect((await choices('region', old)).choices).toContainEqual({
      value: old,
      label: `${old} (已停用, 当前值)`,
      active: false,
    });
    // A value from before the list existed is shown as it is, not silently dropped.
    expect((await choices('region', '火星')).choices).toContainEqual({
      value: '火星',
      label: '火星 (不在区域表中, 当前值)',
      active: false,
    });

    const boss = (await clientAs(h.core, server.url, 'choice-boss', ['admin'])).client;
    const kept = (
      await boss.action('customers', c.id, 'edit', { region: old, note: '只改备注', version: String(c.version) })
    ).json<ActionAnswer>();
    expect(kept.notice).toMatchObject({ type: 'success' });
    expect(kept.record.params).toMatchObject({ region: old, note: '只改备注' });
    // Core still decides: the deactivated value cannot be given to another customer, whatever the browser sends.
    const other = (
      await boss.post('/admin/api/resources/customers/actions/new', {
        code: '',
        name: uniqueName('下拉新客户'),
        region: old,
      })
    ).json<ActionAnswer>();
    expect(other.record.errors.region!.message).toContain(`区域「${old}」已停用, 不能再用于新的资料。`);
  });

  it('an unknown list is refused in Chinese', async () => {
    const bad = await choices('colour');
    expect(bad.choices).toBeUndefined();
    expect(bad.notice).toMatchObject({ type: 'error', message: expect.stringContaining('没有「colour」这个列表') });
  });
});
