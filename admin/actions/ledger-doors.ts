import type { ActionContext, ActionRequest } from 'adminjs';
import type { Core } from '../../core/context.js';
import { formatYuan, toCents } from '../../core/money.js';
import {
  cancelOrderByNumber,
  clearableHere,
  recordPaymentByNumber,
  releaseReservationByNumber,
} from '../../core/orders/clear.js';
import { COMPONENTS } from '../components.js';
import { freshRecord, text, throughCore } from '../features/core-errors.js';
import { permit } from '../features/permissions.js';

const record = { actionType: 'record' as const, component: COMPONENTS.ConfirmAction };
const current = (context: ActionContext) => ({ record: context.record!.toJSON(context.currentAdmin) });
const isPost = (request: ActionRequest) => request.method === 'post';
/** What core says may be cleared here, from the record's own source and status. */
const clearable = (type: 'order' | 'receivable' | 'reservation') => (r: { param(p: string): unknown }) =>
  clearableHere(type, { source: r.param('source') as string | null, status: String(r.param('status')) });
const AFTER = '已记入审计日志和删除申请的关联数据处理记录';

/** 取消订单 on a local draft or confirmed order (an ERP's orders change in the ERP; core says so). */
export function orderActions(core: Core) {
  return {
    cancelOrder: {
      ...record,
      icon: 'XCircle',
      custom: {
        message: '取消后订单不再算未完成业务, 不能恢复。来自 ERP 的订单请在 ERP 中处理。确定取消吗?',
        button: '取消订单',
        danger: true,
      },
      ...permit('orders', clearable('order')),
      handler: throughCore(async (request, context, actor) => {
        if (!isPost(request)) return current(context);
        const order = await cancelOrderByNumber(core, actor, String(context.record!.param('number')));
        return {
          record: await freshRecord(context),
          notice: { message: `已取消订单 ${order.number}, ${AFTER}`, type: 'success' },
        };
      }),
    },
  };
}

/** 登记收款 on a local open receivable: amount ≤ outstanding, at most two decimals (core checks). */
export function receivableActions(core: Core) {
  return {
    recordPayment: {
      ...record,
      icon: 'DollarSign',
      custom: {
        message: '登记一笔收款; 收满后应收款自动结清。来自 ERP 的应收款请在 ERP 中处理。',
        button: '登记收款',
        note: { label: '收款金额 (元, 最多两位小数)', required: true, name: 'amount', input: 'text' },
      },
      ...permit('payments', clearable('receivable')),
      handler: throughCore(async (request, context, actor) => {
        if (!isPost(request)) return current(context);
        const amount = text(request.payload, 'amount') ?? text(request.payload, 'note') ?? '';
        const r = await recordPaymentByNumber(core, actor, `#${context.record!.id()}`, amount);
        const state = r.outstandingCents ? `剩余未收 ${formatYuan(r.outstandingCents)}` : '已结清';
        return {
          record: await freshRecord(context),
          notice: {
            message: `已登记应收款 ${r.ref} 收款 ${formatYuan(toCents(amount))}, ${state}; ${AFTER}`,
            type: 'success',
          },
        };
      }),
    },
  };
}

/** 释放预留 on a local active reservation. */
export function reservationActions(core: Core) {
  return {
    release: {
      ...record,
      icon: 'Unlock',
      custom: {
        message: '释放后这批库存不再为该客户保留。来自 ERP 的预留请在 ERP 中处理。确定释放吗?',
        button: '释放预留',
      },
      ...permit('orders', clearable('reservation')),
      handler: throughCore(async (request, context, actor) => {
        if (!isPost(request)) return current(context);
        const r = await releaseReservationByNumber(core, actor, `#${context.record!.id()}`);
        return {
          record: await freshRecord(context),
          notice: { message: `已释放库存预留 ${r.ref} (${r.reservation.quantity} 件), ${AFTER}`, type: 'success' },
        };
      }),
    },
  };
}
