import type { Config } from '../../core/config.js';
import type { Actor, Core } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { runJob } from '../../jobs/runner.js';
import { jsherpSyncJob } from '../../jobs/jsherp-sync.js';
import type { JobNotifier } from '../../jobs/types.js';
import type { JobRun } from '../../models/index.js';
import type { Harness } from '../helpers/db.js';
import { createJshDatabase } from './jsh-schema.js';
import { TENANT } from './fixtures.js';

let n = 0;

/** A fresh jshERP database for one dialect run, named for this process. */
export function newJshDatabase(base: string): Promise<string> {
  return createJshDatabase(base, `jsh_t${process.pid}_${++n}`);
}

/** The harness's core pointed at a jshERP database and tenant (the rest of its config as is). */
export function withJshConfig(core: Core, url: string, extra: Partial<Config> = {}): Core {
  return {
    ...core,
    config: { ...core.config, JSHERP_DATABASE_URL: url, JSHERP_TENANT_ID: TENANT, JSHERP_WRITE_BACK: true, ...extra },
  };
}

/** What the job sent, as a user would see it in chat. */
export interface SentMessage {
  to: number | null;
  title: string;
  text: string;
}

export function recordingNotifier(sent: SentMessage[]): JobNotifier {
  const notifier: Pick<JobNotifier, 'toOperator'> = {
    toOperator: async (op, reply) => {
      sent.push({ to: (op as { id: number }).id ?? null, title: reply.title ?? '', text: reply.text ?? '' });
    },
  };
  return {
    ...notifier,
    toGroup: async () => undefined,
    approvalDecided: async () => undefined,
  } as unknown as JobNotifier;
}

/** Runs the sync job once, as the scheduler would (a job_runs row). */
export async function runSync(core: Core, notifier: JobNotifier): Promise<JobRun> {
  const r = await runJob(core, jsherpSyncJob, { notifier, trigger: 'manual' });
  if (!r.claimed) throw new Error('not claimed');
  return r.run;
}

/** Our side's customers for the fixtures; returns their codes by key. */
export async function ourCustomers(h: Harness, admin: Actor): Promise<Record<string, string>> {
  const make = async (name: string, phone: string | null = null) =>
    (await createCustomer(h.core, admin, { name, phone }, { allowDuplicates: true })).customer.code;
  return {
    huadong: await make('华东贸易有限公司', '13800000001'),
    nanfang: await make('南方物流', '13900000002'),
    beifang1: await make('北方建材'),
    beifang2: await make('北方建材有限公司'),
    kongbai: await make('空白客户'),
    wanjie: await make('完结客户'),
    alone: await make('只在本系统的客户'),
  };
}
