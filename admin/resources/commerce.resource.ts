import type { Core } from '../../core/context.js';
import { formatYuan, toCents } from '../../core/money.js';
import {
  ORDER_STATUSES,
  RECEIVABLE_STATUSES,
  type Product,
  type Receivable,
  type Reservation,
  type SalesOrder,
} from '../../models/index.js';
import { StewardResource, exactRule, idRule, prefixRule, rangeRule } from '../adapter/steward-resource.js';
import { readOnly } from '../features/permissions.js';
import { orderActions, receivableActions, reservationActions } from '../actions/ledger-doors.js';

/** DECIMAL as the same "1234.50" on SQLite (number) and MySQL (string). */
/** Yuan with thousands separators (12,345.60): the column label already says 元. */
const money = (v: string | number | null | undefined) => formatYuan(toCents(v)).replace('¥', '');

export const ORDER_STATUS_LABELS: Record<string, string> = {
  draft: '草稿',
  confirmed: '已确认',
  shipped: '已发货',
  completed: '已完成',
  cancelled: '已取消',
};
export const RECEIVABLE_STATUS_LABELS: Record<string, string> = {
  open: '未结清',
  paid: '已结清',
  written_off: '已核销',
};
export const SOURCE_LABELS: Record<string, string> = {
  local: '本系统',
  api: 'ERP 推送',
  file: '文件导入',
  jsherp: 'jshERP 同步',
};
export const RESERVATION_STATUS_LABELS: Record<string, string> = { active: '预留中', released: '已释放' };

const labels = (map: Record<string, string>, keys: readonly string[] = Object.keys(map)) =>
  keys.map((value) => ({ value, label: map[value] ?? value }));
const commerce = { name: 'commerce', icon: 'ShoppingCart' };

/** 销售订单: read here; a local order can be cancelled (取消订单) through core/orders, an ERP's only in the ERP. */
export function salesOrderResource(core: Core) {
  return {
    resource: new StewardResource<SalesOrder>(core.models.SalesOrder, {
      filters: {
        number: prefixRule('number', (v) => v.trim().toUpperCase()),
        customerId: idRule('customerId'),
        status: exactRule('status'),
        orderDate: rangeRule('orderDate', 'date'),
      },
      sorts: { id: 'id', orderDate: 'orderDate', number: 'number' },
      defaultSort: ['id', 'DESC'],
      toParams: (o) => ({ ...o.get({ plain: true }), total: money(o.total) }),
    }),
    options: {
      id: 'sales_orders',
      navigation: commerce,
      titleProperty: 'number',
      sort: { sortBy: 'id', direction: 'desc' as const },
      listProperties: ['number', 'customerId', 'status', 'orderDate', 'total', 'source'],
      filterProperties: ['number', 'customerId', 'status', 'orderDate'],
      properties: {
        customerId: { reference: 'customers' },
        status: { availableValues: labels(ORDER_STATUS_LABELS, ORDER_STATUSES) },
        total: { type: 'string' as const },
        source: { availableValues: labels(SOURCE_LABELS) },
      },
      actions: { ...readOnly(), ...orderActions(core) },
    },
  };
}

/** 应收款: amounts in yuan with two decimals; payments are recorded through core. */
export function receivableResource(core: Core) {
  return {
    resource: new StewardResource<Receivable>(core.models.Receivable, {
      filters: { customerId: idRule('customerId'), status: exactRule('status'), dueDate: rangeRule('dueDate', 'date') },
      sorts: { id: 'id', dueDate: 'dueDate' },
      defaultSort: ['id', 'DESC'],
      toParams: (r) => {
        const plain = r.get({ plain: true });
        return {
          ...plain,
          amount: money(r.amount),
          paid: money(r.paid),
          outstanding: formatYuan(toCents(r.amount) - toCents(r.paid)).replace('¥', ''),
        };
      },
    }),
    options: {
      id: 'receivables',
      navigation: commerce,
      sort: { sortBy: 'id', direction: 'desc' as const },
      listProperties: [
        'id',
        'number',
        'customerId',
        'orderId',
        'amount',
        'paid',
        'outstanding',
        'dueDate',
        'status',
        'source',
      ],
      filterProperties: ['customerId', 'status', 'dueDate'],
      properties: {
        customerId: { reference: 'customers' },
        orderId: { reference: 'sales_orders' },
        status: { availableValues: labels(RECEIVABLE_STATUS_LABELS, RECEIVABLE_STATUSES) },
        amount: { type: 'string' as const },
        paid: { type: 'string' as const },
        outstanding: {
          type: 'string' as const,
          isSortable: false,
          isVisible: { list: true, show: true, edit: false, filter: false },
        },
        source: { availableValues: labels(SOURCE_LABELS) },
      },
      actions: { ...readOnly(), ...receivableActions(core) },
    },
  };
}

/** 库存预留. */
export function reservationResource(core: Core) {
  return {
    resource: new StewardResource<Reservation>(core.models.Reservation, {
      filters: { customerId: idRule('customerId'), productId: idRule('productId'), status: exactRule('status') },
      sorts: { id: 'id' },
      defaultSort: ['id', 'DESC'],
    }),
    options: {
      id: 'reservations',
      navigation: commerce,
      sort: { sortBy: 'id', direction: 'desc' as const },
      listProperties: [
        'id',
        'number',
        'customerId',
        'productId',
        'orderId',
        'quantity',
        'status',
        'source',
        'createdAt',
      ],
      filterProperties: ['customerId', 'productId', 'status'],
      properties: {
        customerId: { reference: 'customers' },
        productId: { reference: 'products' },
        orderId: { reference: 'sales_orders' },
        status: { availableValues: labels(RESERVATION_STATUS_LABELS) },
        source: { availableValues: labels(SOURCE_LABELS) },
      },
      actions: { ...readOnly(), ...reservationActions(core) },
    },
  };
}

/** 产品. */
export function productResource(core: Core) {
  return {
    resource: new StewardResource<Product>(core.models.Product, {
      filters: { sku: prefixRule('sku'), name: (v) => (typeof v === 'string' && v.trim() ? { name: v.trim() } : null) },
      sorts: { sku: 'sku', id: 'id' },
      defaultSort: ['sku', 'ASC'],
      toParams: (p) => ({ ...p.get({ plain: true }), price: money(p.price) }),
    }),
    options: {
      id: 'products',
      navigation: commerce,
      titleProperty: 'name',
      listProperties: ['sku', 'name', 'unit', 'price'],
      filterProperties: ['sku'],
      properties: { price: { type: 'string' as const } },
      actions: readOnly(),
    },
  };
}

/** 销售订单, 应收款, 库存预留 and 产品, in menu order. */
export function commerceResources(core: Core) {
  return [salesOrderResource(core), receivableResource(core), reservationResource(core), productResource(core)];
}
