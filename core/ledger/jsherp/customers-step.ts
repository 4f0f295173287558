import type { Actor, Core } from '../../context.js';
import { createCustomer } from '../../customers/create.js';
import { isDomainError } from '../../errors.js';
import { jshPhones, loadLinks, matchCustomers, saveCandidates, saveLinks, type MatchResult } from './links.js';
import type { JshCustomer } from './read.js';

/** At most this many jshERP customers get our codes per sync; the rest follow in the next one. */
export const CREATE_PER_SYNC = 500;

export interface CustomerCounts {
  seen: number;
  linked: number;
  created: number;
  ambiguous: number;
  unmatched: number;
  failed: { jshId: number; name: string; reason: string }[];
  /** jshERP ids linked by this sync (their documents are read even in an incremental sync). */
  newlyLinked: number[];
}

/** The input our create takes for a jshERP customer: name, contact, the first usable phone, address, 备注. */
export function customerInput(c: JshCustomer) {
  return {
    name: c.name.slice(0, 200),
    contact: c.contacts?.slice(0, 100) ?? null,
    phone: jshPhones(c)[0] ?? null,
    address: c.address,
    note: c.description?.slice(0, 1000) ?? null,
  };
}

/**
 * Creates our customer for a jshERP customer through core (rule code, validation, audit) and
 * links it. Returns the reason in Chinese when our rules refuse it.
 */
async function createFromJsh(core: Core, actor: Actor, tenantId: number, c: JshCustomer): Promise<string | null> {
  try {
    const { customer } = await createCustomer(core, actor, customerInput(c), { allowDuplicates: true });
    await saveLinks(core, tenantId, [{ jshId: c.id, customerId: customer.id, code: customer.code, by: 'created' }]);
    return null;
  } catch (err) {
    if (isDomainError(err)) return err.message;
    throw err;
  }
}

/**
 * Links jshERP customers not linked yet. On the first pass unmatched ones wait for a person
 * (`steward connect jsherp --links`); later, customers new in jshERP (id above the first pass's
 * baseline) get our codes. Ambiguous ones always wait.
 */
export async function syncCustomers(
  core: Core,
  actor: Actor,
  tenantId: number,
  jsh: JshCustomer[],
  o: { baseline: number | null; full: boolean; dryRun: boolean },
): Promise<CustomerCounts> {
  if (!jsh.length && !o.full)
    return { seen: 0, linked: 0, created: 0, ambiguous: 0, unmatched: 0, failed: [], newlyLinked: [] };
  const linked = await loadLinks(core, tenantId, o.full ? undefined : jsh.map((c) => c.id));
  const fresh = jsh.filter((c) => !linked.has(c.id));
  const results = await matchCustomers(core, tenantId, fresh);
  const links = results.filter((r): r is Extract<MatchResult, { kind: 'link' }> => r.kind === 'link');
  const counts: CustomerCounts = {
    seen: jsh.length,
    linked: links.length,
    created: 0,
    ambiguous: 0,
    unmatched: 0,
    failed: [],
    newlyLinked: links.map((r) => r.jsh.id),
  };
  const toCreate =
    o.baseline === null
      ? []
      : results.filter((r) => r.kind === 'unmatched' && r.jsh.id > o.baseline!).slice(0, CREATE_PER_SYNC);
  const creating = new Set(toCreate.map((r) => r.jsh.id));
  const waiting = results.filter((r) => r.kind !== 'link' && !creating.has(r.jsh.id));
  counts.ambiguous = waiting.filter((r) => r.kind === 'ambiguous').length;
  counts.unmatched = waiting.length - counts.ambiguous;
  if (o.dryRun) return { ...counts, created: toCreate.length };
  await saveLinks(
    core,
    tenantId,
    links.map((r) => ({ jshId: r.jsh.id, customerId: r.customerId, code: r.code, by: r.by })),
  );
  for (const r of toCreate) {
    const reason = await createFromJsh(core, actor, tenantId, r.jsh);
    if (reason) {
      counts.failed.push({ jshId: r.jsh.id, name: r.jsh.name, reason });
      waiting.push({ jsh: r.jsh, kind: 'unmatched' });
    } else {
      counts.created++;
      counts.newlyLinked.push(r.jsh.id);
    }
  }
  counts.unmatched = waiting.length - counts.ambiguous;
  // A full pass knows every unlinked customer, so it replaces the list; an incremental one adds to it.
  await saveCandidates(core, tenantId, waiting, { replaceAll: o.full });
  return counts;
}
