import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

type State = {
  locale: { translations: Record<string, { resources: Record<string, { actions?: Record<string, string> }> }> };
};

eachDialect('back office: the owner picker and list headings', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  let sales: AdminClient;

  beforeAll(async () => {
    server = await startAdmin(h.core);
    sales = (await clientAs(h.core, server.url, 'pk-sales', ['sales'])).client;
    for (const name of ['欧阳销售', '王小明', '100%_测试'])
      await h.core.models.Operator.create({
        displayName: name,
        roles: 'sales',
        email: null,
        passwordHash: null,
        active: true,
      });
  });

  afterAll(async () => server?.close());

  const search = async (q: string) =>
    (await sales.get(`/admin/api/resources/operators/search/${encodeURIComponent(q)}`))
      .json<{ records: { title: string }[] }>()
      .records.map((r) => r.title)
      .sort();

  it('finds an owner by any part of the name, not only its start', async () => {
    expect(await search('销售')).toEqual(['欧阳销售']);
    expect(await search('小明')).toEqual(['王小明']);
    expect(await search('欧阳')).toEqual(['欧阳销售']);
    // LIKE wildcards typed by a person are plain text.
    expect(await search('%_')).toEqual(['100%_测试']);
  });

  it('heads each list with its name (客户列表), not a bare 列表', async () => {
    const html = (await sales.get('/admin')).text;
    const state = JSON.parse(/window\.REDUX_STATE = (.*);\n/.exec(html)![1]!) as State;
    const resources = Object.values(state.locale.translations)[0]!.resources;
    expect(resources.customers!.actions!.list).toBe('客户列表');
    expect(resources.audit_events!.actions!.list).toBe('审计日志列表');
    expect(resources.receivables!.actions!.list).toBe('应收款列表');
  });
});
