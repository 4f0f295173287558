import type { ApiRoute } from '../types.js';
import { customerRoutes } from './customers.js';
import { customerStatusRoutes } from './customer-status.js';
import { ledgerRoutes } from './ledger.js';
import { customerMergeRoutes } from './customer-merge.js';
import { customerRecodeRoutes } from './customer-recode.js';

/** Every endpoint of /api/v1, in the order the reference page lists them. */
export function apiRoutes(): ApiRoute[] {
  return [...customerRoutes, ...customerStatusRoutes, ...customerMergeRoutes, ...customerRecodeRoutes, ...ledgerRoutes];
}
