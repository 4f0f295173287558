import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Op, fn, col } from 'sequelize';
import type { Core } from './context.js';
import { poolStats } from '../models/driver-internals.js';

/**
 * The process's Prometheus metrics, in one neutral module: the doors (HTTP, jobs) and core
 * (imports, backups) record here without knowing who serves /metrics (cli/server/metrics.ts).
 * Recording is a few counter increments; nothing here opens a port or a connection.
 */
export const registry = new Registry();

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LONG_SECONDS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800];

/** Requests answered over HTTP, by door (api, admin, bot, health, metrics, other). */
export const httpRequests = new Counter({
  name: 'steward_http_requests_total',
  help: 'HTTP requests answered, by door, method and status',
  labelNames: ['door', 'method', 'status'] as const,
  registers: [registry],
});
export const httpDuration = new Histogram({
  name: 'steward_http_request_duration_seconds',
  help: 'HTTP request latency by door',
  labelNames: ['door'] as const,
  buckets: SECONDS,
  registers: [registry],
});

/** Job runs this instance performed, by job and result (ok, failed, skipped). */
export const jobRuns = new Counter({
  name: 'steward_job_runs_total',
  help: 'Job runs by job and result',
  labelNames: ['job', 'result'] as const,
  registers: [registry],
});
export const jobDuration = new Histogram({
  name: 'steward_job_duration_seconds',
  help: 'Job run duration',
  labelNames: ['job'] as const,
  buckets: LONG_SECONDS,
  registers: [registry],
});
export const jobLastSuccess = new Gauge({
  name: 'steward_job_last_success_timestamp_seconds',
  help: 'When each job last succeeded on this instance (unix time)',
  labelNames: ['job'] as const,
  registers: [registry],
});

/** Customer and ledger imports (kind), dry runs and commits (mode). */
export const importDuration = new Histogram({
  name: 'steward_import_duration_seconds',
  help: 'Import duration by kind and mode',
  labelNames: ['kind', 'mode'] as const,
  buckets: LONG_SECONDS,
  registers: [registry],
});
export const backupDuration = new Histogram({
  name: 'steward_backup_duration_seconds',
  help: 'Backup duration by result',
  labelNames: ['result'] as const,
  buckets: LONG_SECONDS,
  registers: [registry],
});

// Read at scrape time from the database (see refreshGauges).
const outboxDepth = new Gauge({
  name: 'steward_outbox_messages',
  help: 'Undelivered outbox messages by channel and status (pending, sending)',
  labelNames: ['channel', 'status'] as const,
  registers: [registry],
});
const outboxAge = new Gauge({
  name: 'steward_outbox_oldest_age_seconds',
  help: 'Age of the oldest undelivered outbox message by channel',
  labelNames: ['channel'] as const,
  registers: [registry],
});
const dbPool = new Gauge({
  name: 'steward_db_pool_connections',
  help: 'Database pool connections by state (in_use, idle, waiting requests, max)',
  labelNames: ['state'] as const,
  registers: [registry],
});

/** Times `run` into `histogram` under `labels`, whether it succeeds or throws. */
export async function timed<T>(
  histogram: Histogram<string>,
  labels: Record<string, string>,
  run: () => Promise<T>,
): Promise<T> {
  const end = histogram.startTimer(labels);
  try {
    return await run();
  } finally {
    end();
  }
}

/** Counts a finished job run. */
export function recordJobRun(job: string, status: 'succeeded' | 'failed' | 'skipped', seconds: number): void {
  jobRuns.inc({ job, result: status === 'succeeded' ? 'ok' : status });
  jobDuration.observe({ job }, seconds);
  if (status === 'succeeded') jobLastSuccess.set({ job }, Date.now() / 1000);
}

let processMetrics = false;
/** Adds Node's own figures (CPU, RSS, heap, event-loop lag, GC); once, by whoever serves /metrics. */
export function enableProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry, prefix: 'steward_' });
}

/** Reads the outbox and the pool into their gauges; called before each scrape. `channels` read 0 when empty. */
export async function refreshGauges(core: Core, channels: readonly string[] = []): Promise<void> {
  const { BotOutbox } = core.models;
  const rows = (await BotOutbox.findAll({
    attributes: ['door', 'status', [fn('COUNT', col('id')), 'n'], [fn('MIN', col('id')), 'firstId']],
    where: { status: { [Op.in]: ['pending', 'sending'] } },
    group: ['door', 'status'],
    raw: true,
  })) as unknown as { door: string; status: string; n: number | string; firstId: number }[];
  outboxDepth.reset();
  outboxAge.reset();
  const oldest = new Map<string, number>();
  for (const r of rows) {
    outboxDepth.set({ channel: r.door, status: r.status }, Number(r.n));
    oldest.set(r.door, Math.min(oldest.get(r.door) ?? Infinity, Number(r.firstId)));
  }
  // Ids grow with time, so each channel's smallest undelivered id is its oldest message.
  const firsts = oldest.size
    ? await BotOutbox.findAll({ attributes: ['door', 'createdAt'], where: { id: { [Op.in]: [...oldest.values()] } } })
    : [];
  const now = core.now().getTime();
  for (const r of firsts) outboxAge.set({ channel: r.door }, Math.max(0, (now - r.createdAt.getTime()) / 1000));
  for (const channel of channels) {
    if (!oldest.has(channel)) {
      outboxDepth.set({ channel, status: 'pending' }, 0);
      outboxAge.set({ channel }, 0);
    }
  }
  const pool = poolStats(core.models.sequelize);
  dbPool.reset();
  if (pool) {
    dbPool.set({ state: 'in_use' }, pool.inUse);
    dbPool.set({ state: 'idle' }, pool.idle);
    dbPool.set({ state: 'waiting' }, pool.waiting);
    dbPool.set({ state: 'max' }, pool.max);
  }
}
