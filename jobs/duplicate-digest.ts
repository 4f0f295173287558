import type { Core } from '../core/context.js';
import { duplicatesByOwner, ownerDuplicatesText } from '../core/customers/duplicates/by-owner.js';
import { splitMessages } from './monthly-report.js';
import type { JobNotifier } from './types.js';

/** What the 疑似重复 section of the weekly review did. */
export interface DuplicateDigestOutcome {
  pairs: number;
  recipients: number;
  messages: number;
}

/**
 * The weekly review's 疑似重复 section: each owner gets the pairs of their customers (the admins
 * the unassigned ones), as its own message after the inactive list. A dry run only counts.
 */
export async function sendDuplicateDigests(
  core: Core,
  notifier: JobNotifier,
  dryRun: boolean,
): Promise<DuplicateDigestOutcome> {
  const { total, recipients } = await duplicatesByOwner(core);
  if (dryRun) return { pairs: total, recipients: recipients.length, messages: 0 };
  let messages = 0;
  for (const r of recipients) {
    for (const reply of splitMessages('疑似重复客户', [ownerDuplicatesText(r.operator.displayName, r)])) {
      await notifier.toOperator(r.operator, reply, 'job:inactive-review');
      messages++;
    }
  }
  return { pairs: total, recipients: recipients.length, messages };
}

/** The summary's tail: 「; 疑似重复 3 对, 已发给 2 人」, or nothing when there are none. */
export function duplicateSummary(o: DuplicateDigestOutcome, dryRun: boolean): string {
  if (!o.pairs) return '';
  return dryRun
    ? `; 疑似重复 ${o.pairs} 对, 将发给 ${o.recipients} 人`
    : `; 疑似重复 ${o.pairs} 对, 已发给 ${o.recipients} 人`;
}
