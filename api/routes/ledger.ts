import type { ApiRoute } from '../types.js';

/** Ledger push: PUT /orders/{number}, /receivables/{number}, /reservations/{number}, POST /ledger/batch. */
export const ledgerRoutes: ApiRoute[] = [];
