import { centsToDecimal, formatYuan, parseAmount, toCents } from '../../core/money.js';
import { cancelOrderByNumber, recordPaymentByNumber, releaseReservationByNumber } from '../../core/orders/clear.js';
import { previewDoc } from '../../core/orders/preview.js';
import { DomainError } from '../../core/errors.js';
import type { Reply } from '../types.js';
import type { CommandContext } from './context.js';
import { proposeConfirm, type Confirmable } from './confirmations.js';

const AFTER = '已记入审计日志; 如在申请删除该客户, 这一步会出现在删除申请的关联数据处理记录里。';

export const cancelOrderCommand: Confirmable<{ number: string }> = {
  id: 'ledger.cancel-order',
  name: '取消订单',
  english: 'cancel-order',
  args: [{ name: 'number', label: '单号', required: true }],
  permission: 'orders',
  sideEffect: true,
  summary: '取消本系统录入的未完成订单 (需确认); 来自 ERP 的订单请在 ERP 中处理',
  example: '取消订单 SO2026000012',
  async run(ctx) {
    const p = await previewDoc(ctx.core, ctx.actor, 'order', ctx.args.number!);
    return proposeConfirm(
      ctx,
      cancelOrderCommand,
      { number: p.ref },
      `将取消订单 ${p.ref} (客户 ${p.customerCode} ${p.customerName}, 金额 ${formatYuan(p.amountCents ?? 0)})。取消后不能恢复。`,
    );
  },
  confirm: { label: '取消订单', key: (p) => p.number, act: confirmCancelOrder },
};

/** Runs a confirmed 取消订单. */
export async function confirmCancelOrder(ctx: CommandContext, p: { number: string }): Promise<Reply> {
  const order = await cancelOrderByNumber(ctx.core, ctx.actor, p.number);
  return { text: `已取消订单 ${order.number}。${AFTER}` };
}

export const paymentCommand: Confirmable<{ number: string; amount: string }> = {
  id: 'ledger.payment',
  name: '登记收款',
  english: 'payment',
  args: [
    { name: 'number', label: '单号', required: true },
    { name: 'amount', label: '金额', required: true },
  ],
  permission: 'payments',
  sideEffect: true,
  summary: '给本系统录入的应收款登记收款 (需确认); 单号可写应收单号或订单号',
  example: '登记收款 SO2026000012 1200.50',
  async run(ctx) {
    const cents = parseAmount(ctx.args.amount, 'amount', '收款金额');
    const p = await previewDoc(ctx.core, ctx.actor, 'receivable', ctx.args.number!);
    const outstanding = p.amountCents ?? 0;
    if (cents > outstanding)
      throw new DomainError(
        'CONFLICT',
        `收款 ${formatYuan(cents)} 超过应收款 ${p.ref} 的未收金额 ${formatYuan(outstanding)}。`,
        { number: p.ref },
      );
    const rest = outstanding - cents;
    return proposeConfirm(
      ctx,
      paymentCommand,
      { number: p.ref, amount: centsToDecimal(cents) },
      `将给应收款 ${p.ref} (客户 ${p.customerCode} ${p.customerName}) 登记收款 ${formatYuan(cents)}, ${rest ? `之后未收 ${formatYuan(rest)}` : '之后结清'}。`,
    );
  },
  confirm: { label: '收款', key: (p) => p.number, act: confirmPayment },
};

/** Runs a confirmed 登记收款. */
export async function confirmPayment(ctx: CommandContext, p: { number: string; amount: string }): Promise<Reply> {
  const r = await recordPaymentByNumber(ctx.core, ctx.actor, p.number, p.amount);
  const state = r.outstandingCents ? `剩余未收 ${formatYuan(r.outstandingCents)}` : '已结清';
  return { text: `已登记应收款 ${r.ref} 收款 ${formatYuan(toCents(p.amount))}, ${state}。${AFTER}` };
}

export const releaseCommand: Confirmable<{ number: string }> = {
  id: 'ledger.release',
  name: '释放预留',
  english: 'release',
  args: [{ name: 'number', label: '单号', required: true }],
  permission: 'orders',
  sideEffect: true,
  summary: '释放本系统录入的库存预留 (需确认); 单号可写预留单号或 #编号',
  example: '释放预留 #12',
  async run(ctx) {
    const p = await previewDoc(ctx.core, ctx.actor, 'reservation', ctx.args.number!);
    return proposeConfirm(
      ctx,
      releaseCommand,
      { number: p.ref },
      `将释放库存预留 ${p.ref} (客户 ${p.customerCode} ${p.customerName}, ${p.quantity ?? 0} 件)。`,
    );
  },
  confirm: { label: '释放', key: (p) => p.number, act: confirmRelease },
};

/** Runs a confirmed 释放预留. */
export async function confirmRelease(ctx: CommandContext, p: { number: string }): Promise<Reply> {
  const r = await releaseReservationByNumber(ctx.core, ctx.actor, p.number);
  return { text: `已释放库存预留 ${r.ref} (${r.reservation.quantity} 件)。${AFTER}` };
}
