// What the API customer tests share: the API with a reading token (crm-reader) and a writing one (erp).
import type { Harness } from '../helpers/db.js';
import { RecordingNotifier, startApi, type ApiHarness } from '../helpers/api-app.js';

export interface CustomersApi {
  api: ApiHarness;
  /** customers:read, named crm-reader. */
  reader: string;
  /** customers:read and customers:write, named erp (audited as API:erp). */
  writer: string;
  notifier: RecordingNotifier;
}

/** Starts the API on the test database with its two tokens. */
export async function startCustomersApi(h: Harness): Promise<CustomersApi> {
  const notifier = new RecordingNotifier();
  const api = await startApi(h, { notifier });
  const reader = await api.token(['customers:read'], 'crm-reader');
  const writer = await api.token(['customers:read', 'customers:write'], 'erp');
  return { api, reader, writer, notifier };
}
