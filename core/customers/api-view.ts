import type { Customer } from '../../models/index.js';
import type { Core } from '../context.js';
import { maskPhone, decrypt } from '../privacy.js';
import { localParts } from './codes.js';
import { isDeleted, isInactive } from './lifecycle.js';

/**
 * A customer as other systems see it (the HTTP API and webhook payloads): stable English keys,
 * personal data masked, times as ISO strings, dates as YYYY-MM-DD.
 */
export interface ApiCustomer {
  code: string;
  name: string;
  contact: string | null;
  phoneMasked: string | null;
  category: string | null;
  region: string | null;
  owner: { id: number; name: string } | null;
  status: 'active' | 'inactive' | 'deleted';
  deactivation: { reason: string | null; memo: string | null; since: string | null; until: string | null } | null;
  note: string | null;
  lastOrderDate: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** JSON schema of ApiCustomer, for OpenAPI and response checks. */
export const API_CUSTOMER_SCHEMA = {
  type: 'object',
  required: ['code', 'name', 'status', 'version', 'createdAt', 'updatedAt'],
  properties: {
    code: { type: 'string' },
    name: { type: 'string' },
    contact: { type: ['string', 'null'] },
    phoneMasked: { type: ['string', 'null'], description: '手机号 (打码), 例如 138****5678' },
    category: { type: ['string', 'null'], description: '客户分类 (公司客户分类表中的名称)' },
    region: { type: ['string', 'null'], description: '区域 (公司区域表中的名称)' },
    owner: { type: ['object', 'null'], properties: { id: { type: 'integer' }, name: { type: 'string' } } },
    status: { type: 'string', enum: ['active', 'inactive', 'deleted'] },
    deactivation: {
      type: ['object', 'null'],
      properties: {
        reason: { type: ['string', 'null'] },
        memo: { type: ['string', 'null'] },
        since: { type: ['string', 'null'] },
        until: { type: ['string', 'null'] },
      },
    },
    note: { type: ['string', 'null'] },
    lastOrderDate: { type: ['string', 'null'], format: 'date' },
    version: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

function day(core: Core, d: Date | null): string | null {
  if (!d) return null;
  const p = localParts(d, core.config.STEWARD_TIMEZONE);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The API form of one customer row; `ownerName` comes from the caller's join. */
export function toApiCustomer(core: Core, c: Customer, ownerName: string | null): ApiCustomer {
  const phone = isDeleted(c.status) ? null : decrypt(core.keys, c.phoneEnc);
  return {
    code: c.code,
    name: c.name,
    contact: c.contact,
    phoneMasked: phone ? maskPhone(phone) : null,
    category: c.category,
    region: c.region ?? null,
    owner: c.ownerId ? { id: c.ownerId, name: ownerName ?? `#${c.ownerId}` } : null,
    status: c.status,
    deactivation: isInactive(c.status)
      ? {
          reason: c.deactivationReason,
          memo: c.deactivationMemo,
          since: day(core, c.deactivatedAt),
          until: c.reactivateOn,
        }
      : null,
    note: c.note,
    lastOrderDate: day(core, c.lastOrderAt),
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
