import { literal, Op, type WhereOptions } from 'sequelize';
import type { ApprovalNotifier } from '../../core/notify-port.js';
import type { Core } from '../../core/context.js';
import { DEACTIVATION_REASONS } from '../../core/customers/schema.js';
import { normalizeCode } from '../../core/customers/codes.js';
import { STATUS_LABELS, toView } from '../../core/customers/view.js';
import { lastOrderSql } from '../../core/customers/last-order.js';
import { asDate } from '../../core/data/sql.js';
import { blindIndex } from '../../core/privacy.js';
import { normalizeName, normalizePhone, toHalfWidth } from '../../core/text.js';
import { CUSTOMER_STATUSES, type Customer } from '../../models/index.js';
import {
  StewardResource,
  exactRule,
  idRule,
  prefixRule,
  rangeRule,
  type FilterValue,
} from '../adapter/steward-resource.js';
import { customerCrudActions } from '../actions/customer-crud.js';
import { customerLifecycleActions } from '../actions/customer-lifecycle.js';
import { customerMergeAction } from '../actions/customer-merge.js';
import { listChoicesAction } from '../actions/list-choices.js';
import { exportDataAction } from '../actions/exports.js';
import { off, permit } from '../features/permissions.js';
import { COMPONENTS } from '../components.js';
import { withCustomerStory } from '../format/story.js';
import { liveStatus } from '../../core/customers/lifecycle.js';

/** What the browser gets for a customer: decrypted by core, personal fields only masked. */
export function customerParams(core: Core, row: Customer): Record<string, unknown> {
  let view;
  try {
    view = toView(core, row);
  } catch {
    // A row the current key cannot decrypt still lists; its personal fields say so.
    view = {
      ...row.get({ plain: true }),
      phone: null,
      address: null,
      phoneMasked: '(无法解密)',
      addressMasked: '(无法解密)',
    } as ReturnType<typeof toView>;
  }
  const { phone: _phone, address: _address, ...rest } = view;
  return rest;
}

function phoneRule(core: Core) {
  return (value: FilterValue) =>
    typeof value === 'string' && value.trim()
      ? { phoneHash: blindIndex(core.keys, normalizePhone(value)) ?? '-' }
      : null;
}

/**
 * 客户分类 / 区域 filter: the stored name, or any entry whose name or alias is the text typed
 * (aliases are kept as a JSON array, so an alias matches as "text" inside it).
 */
function listRule(core: Core, column: 'category' | 'region') {
  return (value: FilterValue): WhereOptions | null => {
    if (typeof value !== 'string' || !value.trim()) return null;
    const { sequelize } = core.models;
    const text = toHalfWidth(value).trim();
    const q = (n: string) => sequelize.getQueryInterface().quoteIdentifier(n);
    const names = `(SELECT ${q('name')} FROM ${q('list_entries')} WHERE ${q('list_key')} = ${sequelize.escape(column)} AND (${q('name')} = ${sequelize.escape(text)} OR ${q('aliases')} LIKE ${sequelize.escape(`%${JSON.stringify(text)}%`)}))`;
    return { [Op.or]: [{ [column]: text }, { [column]: { [Op.in]: literal(names) } }] };
  };
}

/** The customer adapter: indexed filters and sorts; deleted customers only when asked for. */
export function customerAdapter(core: Core): StewardResource<Customer> {
  const lastOrder = lastOrderSql(core.models.sequelize, core.models.Customer.name);
  return new StewardResource(core.models.Customer, {
    hidden: ['phoneEnc', 'phoneHash', 'addressEnc', 'nameNorm'],
    filters: {
      status: exactRule('status'),
      code: prefixRule('code', normalizeCode),
      name: (v) =>
        typeof v === 'string' && v.trim()
          ? {
              [Op.or]: [
                { nameNorm: { [Op.like]: `%${normalizeName(v).replace(/[\\%_]/g, (c) => `\\${c}`)}%` } },
                { code: normalizeCode(v) },
              ],
            }
          : null,
      contact: prefixRule('contact', (v) => toHalfWidth(v).trim()),
      phone: phoneRule(core),
      category: listRule(core, 'category'),
      region: listRule(core, 'region'),
      ownerId: idRule('ownerId'),
      lastOrderAt: rangeRule('lastOrderAt', 'datetime', lastOrder),
      createdAt: rangeRule('createdAt'),
    },
    sorts: {
      code: 'code',
      name: 'nameNorm',
      status: 'status',
      lastOrderAt: 'lastOrderAt',
      createdAt: 'createdAt',
      id: 'id',
    },
    defaultSort: ['code', 'ASC'],
    implicit: (filters) => (filters.status ? null : { status: liveStatus() }),
    toParams: (row) => customerParams(core, row),
    // 最近下单 comes from the orders (core/customers/last-order.ts), sorted and filtered the same way.
    derived: { lastOrderAt: { sql: (alias) => lastOrderSql(core.models.sequelize, alias), parse: asDate } },
  });
}

const statusValues = CUSTOMER_STATUSES.map((value) => ({ value, label: STATUS_LABELS[value] }));
const list = (values: readonly string[]) => values.map((value) => ({ value, label: value }));

/** Which columns the list, the filters, the detail page and the form show. */
const LAYOUT = {
  listProperties: ['code', 'name', 'contact', 'phoneMasked', 'category', 'region', 'ownerId', 'status', 'lastOrderAt'],
  filterProperties: [
    'status',
    'code',
    'name',
    'phone',
    'contact',
    'category',
    'region',
    'ownerId',
    'lastOrderAt',
    'createdAt',
  ],
  // 停用 details show in the story only when they apply; 版本 is internal (optimistic locking).
  showProperties: [
    'story',
    'code',
    'name',
    'contact',
    'phoneMasked',
    'addressMasked',
    'category',
    'region',
    'ownerId',
    'note',
    'lastOrderAt',
    'createdAt',
    'updatedAt',
  ],
  editProperties: [
    'code',
    'name',
    'contact',
    'phone',
    'address',
    'category',
    'region',
    'ownerId',
    'note',
    'allowDuplicates',
  ],
};

/** Columns: masked personal fields for reading, write-only plaintext ones for the form, lists picked live. */
const PROPERTIES = {
  id: { isVisible: false },
  // Not required: an empty code gets the next automatic one (core's createCustomer).
  code: { isTitle: false, isSortable: true, isRequired: false, description: '留空则按编码规则自动生成' },
  name: { isTitle: true, isRequired: true },
  status: {
    availableValues: statusValues,
    isSortable: true,
    components: { list: COMPONENTS.StatusBadge, show: COMPONENTS.StatusBadge },
  },
  story: {
    type: 'string' as const,
    isSortable: false,
    isVisible: { list: false, show: true, edit: false, filter: false },
    components: { show: COMPONENTS.CustomerStory },
  },
  // Company lists change at run time: the form's drop-down asks for them live (listChoices), core checks what is saved.
  category: {
    type: 'string' as const,
    description: '从客户分类表中选择 (在「客户分类」里查看和维护)',
    components: { edit: COMPONENTS.ListSelect },
  },
  region: {
    type: 'string' as const,
    description: '从区域表中选择 (在「区域」里查看和维护)',
    components: { edit: COMPONENTS.ListSelect },
  },
  deactivationReason: { availableValues: list(DEACTIVATION_REASONS) },
  ownerId: { reference: 'operators' },
  phoneMasked: {
    type: 'string' as const,
    isSortable: false,
    isVisible: { list: true, show: true, edit: false, filter: false },
  },
  addressMasked: {
    type: 'string' as const,
    isSortable: false,
    isVisible: { list: false, show: true, edit: false, filter: false },
  },
  phone: {
    type: 'string' as const,
    isSortable: false,
    isVisible: { list: false, show: false, edit: true, filter: true },
    description: '修改时留空表示保持原号码不变',
  },
  address: {
    type: 'string' as const,
    isSortable: false,
    isVisible: { list: false, show: false, edit: true, filter: false },
    description: '修改时留空表示保持原地址不变',
  },
  allowDuplicates: {
    type: 'boolean' as const,
    isSortable: false,
    isVisible: { list: false, show: false, edit: true, filter: false },
    description: '系统发现名称或手机相同的客户时, 确认不是同一客户再勾选',
  },
  note: { type: 'textarea' as const },
  version: { isVisible: { list: false, show: true, edit: false, filter: false } },
  lastOrderAt: { isSortable: true },
  createdAt: { isVisible: { list: false, show: true, edit: false, filter: true } },
  updatedAt: { isVisible: { list: false, show: true, edit: false, filter: false } },
  deactivatedAt: { isVisible: { list: false, show: true, edit: false, filter: false } },
};

/** 客户: list, filters, masked personal fields, and every change through core. */
export function customerResource(core: Core, notifier?: ApprovalNotifier) {
  return {
    resource: customerAdapter(core),
    options: {
      id: 'customers',
      navigation: { name: 'customerData', icon: 'Users' },
      titleProperty: 'name',
      sort: { sortBy: 'code', direction: 'asc' as const },
      ...LAYOUT,
      properties: PROPERTIES,
      actions: {
        list: permit('view'),
        show: { ...permit('view'), after: withCustomerStory(core) },
        search: { isAccessible: permit('view').isAccessible },
        // Deleting goes through 申请删除 → approval → recycle bin; never a plain DELETE.
        delete: off,
        bulkDelete: off,
        ...customerCrudActions(core),
        ...customerLifecycleActions(core, notifier),
        ...customerMergeAction(core, notifier),
        ...listChoicesAction(core),
        exportData: exportDataAction(core),
      },
    },
  };
}
