import type { Customer } from '../../../models/index.js';
import type { Core } from '../../context.js';
import { validationError } from '../../errors.js';
import { decrypt } from '../../privacy.js';
import { normalizeCode } from '../codes.js';
import type { CustomerInput } from '../schema.js';
import { MERGE_FIELDS, type MergeField } from './plan.js';

/** Field → the code of the customer whose value the survivor keeps: the back office's side-by-side choice. */
export type FieldPicks = Partial<Record<string, string>>;

/** The chosen values as survivor input; the survivor's own picks change nothing. Personal values are decrypted here, in core. */
export function valuesFromPicks(core: Core, keep: Customer, absorbed: Customer[], picks: FieldPicks): CustomerInput {
  const out: Record<string, unknown> = {};
  const errors: Array<{ field: string; message: string }> = [];
  for (const [field, raw] of Object.entries(picks)) {
    if (!raw) continue;
    if (!(MERGE_FIELDS as readonly string[]).includes(field)) {
      errors.push({ field, message: '这个字段不能在合并时选择' });
      continue;
    }
    const code = normalizeCode(raw);
    if (code === keep.code) continue;
    const from = absorbed.find((a) => a.code === code);
    if (!from) {
      errors.push({
        field,
        message: `「${raw}」不是这次合并的客户, 请在 ${[keep, ...absorbed].map((c) => c.code).join(' / ')} 中选择`,
      });
      continue;
    }
    const f = field as MergeField;
    out[f] =
      f === 'phone'
        ? decrypt(core.keys, from.phoneEnc)
        : f === 'address'
          ? decrypt(core.keys, from.addressEnc)
          : from[f];
  }
  if (errors.length) throw validationError(errors);
  return out as CustomerInput;
}
