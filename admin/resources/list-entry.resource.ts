import type { ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Core } from '../../core/context.js';
import { isDomainError } from '../../core/errors.js';
import { LIST_LABELS, type ListKey } from '../../core/lists/lookup.js';
import { saveListEntry, type ListEntryForm } from '../../core/lists/manage.js';
import type { ListEntry } from '../../models/index.js';
import { StewardResource, prefixRule } from '../adapter/steward-resource.js';
import { adminActor } from '../auth/session.js';
import { fieldErrors, freshRecord, refusal, text } from '../features/core-errors.js';
import { off, permit } from '../features/permissions.js';

/** Resource ids of the two lists (menu entries 客户分类 and 区域). */
export const LIST_RESOURCE_IDS: Record<ListKey, string> = { category: 'list_category', region: 'list_region' };

/** The entry form as core takes it: aliases as text (、 or , or new lines), 启用 as a checkbox. */
export function listEntryForm(payload: Record<string, unknown>, creating: boolean): ListEntryForm {
  const form: ListEntryForm = {};
  if (payload.name !== undefined || creating) form.name = text(payload, 'name') ?? '';
  if (payload.code !== undefined) form.code = text(payload, 'code') ?? '';
  if (payload.aliases !== undefined) form.aliases = text(payload, 'aliases') ?? '';
  if (payload.sort !== undefined && text(payload, 'sort') !== null) form.sort = Number(text(payload, 'sort'));
  if (payload.active !== undefined && !creating) form.active = payload.active === true || payload.active === 'true';
  return form;
}

/** 新建 / 编辑: through core (admins only; a rename carries the customers along in the same transaction). */
async function save(core: Core, key: ListKey, request: ActionRequest, context: ActionContext): Promise<ActionResponse> {
  const current = context.record;
  if (request.method !== 'post') return current ? { record: current.toJSON(context.currentAdmin) } : {};
  try {
    const { entry, movedCustomers } = await saveListEntry(
      core,
      adminActor(context.currentAdmin),
      key,
      current ? Number(current.id()) : null,
      listEntryForm(request.payload ?? {}, !current),
    );
    const moved = movedCustomers
      ? `; ${movedCustomers} 个客户的${LIST_LABELS[key]}已随之改为「${entry.name}」, 旧名称已加为别名`
      : '';
    return {
      redirectUrl: context.h.resourceUrl({ resourceId: context.resource.id() }),
      notice: { message: `已保存${LIST_LABELS[key]}「${entry.name}」${moved}`, type: 'success' },
      record: await freshRecord(context, entry.id),
    };
  } catch (err) {
    if (!isDomainError(err)) throw err;
    const base = current?.toJSON(context.currentAdmin);
    const record = {
      ...(base ?? { id: '', title: '', populated: {}, recordActions: [], bulkActions: [], baseError: null }),
      params: { ...(base?.params ?? {}), ...(request.payload ?? {}) },
      errors: fieldErrors(err),
    } as RecordJSON;
    return refusal(err, record);
  }
}

/** One company list (客户分类 or 区域): everyone may read it, only admins change it; entries are deactivated, never deleted. */
export function listEntryResource(core: Core, key: ListKey) {
  const handler = (request: ActionRequest, _r: unknown, context: ActionContext) => save(core, key, request, context);
  const layout = ['name', 'code', 'aliases', 'sort'];
  return {
    resource: new StewardResource<ListEntry>(core.models.ListEntry, {
      filters: {
        name: prefixRule('name'),
        active: (v) => (v === 'true' || v === 'false' ? { active: v === 'true' } : null),
      },
      sorts: { sort: 'sort', name: 'name', code: 'code', id: 'id' },
      defaultSort: ['sort', 'ASC'],
      implicit: () => ({ listKey: key }),
      toParams: (e) => ({ ...e.get({ plain: true }), aliases: e.aliasList().join('、') }),
    }),
    options: {
      id: LIST_RESOURCE_IDS[key],
      navigation: { name: 'customerData', icon: key === 'category' ? 'Tag' : 'MapPin' },
      titleProperty: 'name',
      sort: { sortBy: 'sort', direction: 'asc' as const },
      listProperties: ['code', 'name', 'aliases', 'active', 'sort'],
      showProperties: ['code', 'name', 'aliases', 'active', 'sort', 'createdAt', 'updatedAt'],
      filterProperties: ['name', 'active'],
      properties: {
        id: { isVisible: false },
        listKey: { isVisible: false },
        name: {
          isTitle: true,
          isRequired: true,
          description: '改名后, 用旧名称的客户一并改为新名称, 旧名称自动成为别名',
        },
        code: { description: '留空自动编号' },
        aliases: {
          type: 'textarea' as const,
          isSortable: false,
          description: '其他叫法, 用顿号、逗号或换行分隔; 导入、聊天和接口都认',
        },
        sort: { type: 'number' as const, description: '越小越靠前; 留空排在最后' },
      },
      actions: {
        list: permit('view'),
        show: permit('view'),
        search: { isAccessible: permit('view').isAccessible },
        // Deactivating (取消勾选「启用」) keeps the name on the customers that have it; deleting would orphan it.
        new: { ...permit('manageLists'), layout, handler },
        edit: { ...permit('manageLists'), layout: [...layout, 'active'], handler },
        delete: off,
        bulkDelete: off,
      },
    },
  };
}

export const listEntryLabels = { [LIST_RESOURCE_IDS.category]: '客户分类', [LIST_RESOURCE_IDS.region]: '区域' };

const properties = {
  code: '编码',
  name: '名称',
  aliases: '别名',
  active: '启用',
  sort: '排序',
  createdAt: '创建时间',
  updatedAt: '修改时间',
};
/** Property labels of both lists. */
export const listEntryTranslations = {
  [LIST_RESOURCE_IDS.category]: { properties },
  [LIST_RESOURCE_IDS.region]: { properties },
};
