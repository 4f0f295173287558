import type { Transaction } from 'sequelize';
import type { Reservation, SalesOrder, Receivable } from '../../models/index.js';
import type { Core } from '../context.js';
import { DomainError } from '../errors.js';

/** Finds an order by its number (any case), locked when inside `t`. */
export async function findOrder(core: Core, number: string, t?: Transaction): Promise<SalesOrder> {
  const n = number.trim();
  const order = await core.models.SalesOrder.findOne({
    where: { number: [n, n.toUpperCase()] },
    transaction: t,
    lock: t?.LOCK.UPDATE,
  });
  if (!order) throw new DomainError('NOT_FOUND', `找不到订单 ${number}。请核对单号。`, { number });
  return order;
}

/** The number a receivable is known by: its own, its order's, or `#id` (as the delete pre-check lists it). */
export async function receivableRef(core: Core, r: Receivable, t?: Transaction): Promise<string> {
  if (r.number) return r.number;
  const order = r.orderId ? await core.models.SalesOrder.findByPk(r.orderId, { transaction: t }) : null;
  return order?.number ?? `#${r.id}`;
}

/** Finds a receivable by its number, `#id`, or the number of its order (which must have one open receivable). */
export async function findReceivable(
  core: Core,
  raw: string,
  t?: Transaction,
): Promise<{ r: Receivable; ref: string }> {
  const ref = raw.trim();
  const { Receivable: R, SalesOrder: O } = core.models;
  const lock = t?.LOCK.UPDATE;
  const byId = /^#(\d+)$/.exec(ref);
  const own = byId
    ? await R.findByPk(Number(byId[1]), { transaction: t, lock })
    : await R.findOne({ where: { number: [ref, ref.toUpperCase()] }, transaction: t, lock });
  if (own) return { r: own, ref: await receivableRef(core, own, t) };
  const order = byId ? null : await O.findOne({ where: { number: ref.toUpperCase() }, transaction: t });
  const list = order
    ? await R.findAll({ where: { orderId: order.id }, order: [['id', 'ASC']], transaction: t, lock })
    : [];
  const open = list.filter((x) => x.status === 'open');
  if (open.length > 1)
    throw new DomainError(
      'CONFLICT',
      `订单 ${order!.number} 有 ${open.length} 笔未结清应收款 (${open.map((x) => x.number ?? `#${x.id}`).join('、')}), 请用应收单号登记。`,
      { number: order!.number },
    );
  const r = open[0] ?? list[0];
  if (!r)
    throw new DomainError('NOT_FOUND', `找不到应收款 ${ref}。请核对单号 (应收单号、订单号或 #编号)。`, { number: ref });
  return { r, ref: r.number ?? order!.number };
}

/** Finds a reservation by its number or `#id`, locked when inside `t`. */
export async function findReservation(
  core: Core,
  raw: string,
  t?: Transaction,
): Promise<{ r: Reservation; ref: string }> {
  const ref = raw.trim();
  const byId = /^#?(\d+)$/.exec(ref);
  const lock = t?.LOCK.UPDATE;
  const r =
    (await core.models.Reservation.findOne({ where: { number: [ref, ref.toUpperCase()] }, transaction: t, lock })) ??
    (byId ? await core.models.Reservation.findByPk(Number(byId[1]), { transaction: t, lock }) : null);
  if (!r) throw new DomainError('NOT_FOUND', `找不到库存预留 ${ref}。请核对预留单号或 #编号。`, { number: ref });
  return { r, ref: r.number ?? `#${r.id}` };
}
