import type { Core } from '../context.js';
import { withTransaction } from '../../models/tx.js';
import { ANCHOR_ACTION, eventHash, GENESIS_HASH, linkHash } from './hash.js';

const SYSTEM = { id: null, displayName: '系统' };

/**
 * Brings a chain written before STEWARD_AUDIT_KEY under the key: when the last event is not a
 * keyed link, appends an anchor event that records the old head, linked with the key. From the
 * anchor on every link is an HMAC. Idempotent and safe when several instances start at once (it
 * re-checks under the head lock). Returns the anchor's id, or null when nothing was needed.
 */
export async function anchorAuditChain(core: Core): Promise<number | null> {
  const { AuditEvent, AuditHead, sequelize } = core.models;
  return withTransaction(sequelize, async (t) => {
    const head = await AuditHead.findByPk(1, { transaction: t, lock: t.LOCK.UPDATE });
    if (!head || head.hash === GENESIS_HASH || !head.lastId) return null;
    const last = await AuditEvent.findByPk(head.lastId, { transaction: t });
    if (!last || last.hash === linkHash(core.keys.auditKey, last.prevHash, last)) return null;
    // Neither keyed nor an old sha256 link: a different key, or tampering. Never anchor over it.
    if (last.hash !== eventHash(last.prevHash, last)) {
      core.logger.warn(
        { lastId: last.id },
        'audit chain head is not signed with STEWARD_AUDIT_KEY; run steward audit verify',
      );
      return null;
    }
    const count = await AuditEvent.count({ transaction: t });
    const row = {
      at: new Date(Math.floor(core.now().getTime())),
      operatorId: SYSTEM.id,
      operatorName: SYSTEM.displayName,
      door: 'cli' as const,
      action: ANCHOR_ACTION,
      customerId: null,
      customerCode: null,
      diff: JSON.stringify({
        info: {
          legacyHead: { id: head.lastId, hash: head.hash, count },
          note: '此前的事件用无密钥的 sha256 链接; 从本条起用 STEWARD_AUDIT_KEY 的 HMAC 链接',
        },
      }),
    };
    const hash = linkHash(core.keys.auditKey, head.hash, row);
    const event = await AuditEvent.create({ ...row, pii: null, prevHash: head.hash, hash }, { transaction: t });
    await AuditHead.update({ hash, lastId: event.id }, { where: { id: 1 }, transaction: t });
    core.logger.info({ anchorId: event.id, legacyEvents: count }, 'audit chain anchored under STEWARD_AUDIT_KEY');
    return event.id;
  });
}
