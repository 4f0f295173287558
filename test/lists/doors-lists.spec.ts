import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { saveListEntry } from '../../core/lists/manage.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { uniqueName } from '../core/fixtures.js';
import { setupBackOffice, type ActionAnswer, type ListAnswer } from './doors-helpers.js';

/*
 * Admins add and rename list entries in the back office; sales only read them. Each block gets
 * its own database: the lists are company-wide, and these tests change them.
 */
let admin: Actor;

/** The back office, and an admin for changes through core. */
function setupLists(h: Harness) {
  beforeAll(async () => {
    admin = await h.actor('门分类管理员', ['admin']);
  });
  return setupBackOffice(h);
}

eachDialect('company lists in the back office: adding an entry', (h) => {
  const as = setupLists(h);

  it('admins add an entry with aliases; sales may read the list but not change it', async () => {
    const res = (
      await as['list-boss']!.post('/admin/api/resources/list_region/actions/new', {
        name: '西南',
        aliases: '西南区, 川渝',
      })
    ).json<ActionAnswer>();
    expect(res.notice).toEqual({ message: '已保存区域「西南」', type: 'success' });
    const entry = (await h.core.models.ListEntry.findOne({ where: { listKey: 'region', name: '西南' } }))!;
    expect(entry.aliasList()).toEqual(['西南区', '川渝']);
    const list = (await as['list-wang']!.list('list_region')).json<ListAnswer>();
    expect(list.records.map((r) => [r.params.name, r.params.aliases])).toEqual(
      expect.arrayContaining([['西南', '西南区、川渝']]),
    );
    expect((await as['list-wang']!.post('/admin/api/resources/list_region/actions/new', { name: '东北' })).status).toBe(
      403,
    );
    expect((await as['list-wang']!.action('list_region', entry.id, 'edit', { name: '西南地区' })).status).toBe(403);
    const dup = (
      await as['list-boss']!.post('/admin/api/resources/list_region/actions/new', { name: '川渝' })
    ).json<ActionAnswer>();
    expect(dup.record.errors.name!.message).toBe('「川渝」已是区域「西南」的别名; 换一个名称, 或去改那一项');
  });
});

eachDialect('company lists in the back office: renaming an entry', (h) => {
  const as = setupLists(h);

  it('renaming moves the customers along and the old name stays usable; 停用 by unticking 启用', async () => {
    // Its own entry to rename: 西南 with two aliases.
    await saveListEntry(h.core, admin, 'region', null, { name: '西南', aliases: ['西南区', '川渝'] });
    const c = (await createCustomer(h.core, admin, { name: uniqueName('后台改名'), region: '西南' })).customer;
    const entry = (await h.core.models.ListEntry.findOne({ where: { listKey: 'region', name: '西南' } }))!;
    const res = (
      await as['list-boss']!.action('list_region', entry.id, 'edit', {
        name: '西南地区',
        aliases: '西南区、川渝',
        active: 'true',
      })
    ).json<ActionAnswer>();
    expect(res.notice!.message).toMatch(
      /^已保存区域「西南地区」; \d+ 个客户的区域已随之改为「西南地区」, 旧名称已加为别名$/,
    );
    expect((await h.core.models.Customer.findByPk(c.id))!.region).toBe('西南地区');
    expect((await entry.reload()).aliasList()).toEqual(['西南区', '川渝', '西南']);
    await as['list-boss']!.action('list_region', entry.id, 'edit', { active: 'false' });
    expect((await entry.reload()).active).toBe(false);
  });
});
