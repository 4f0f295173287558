import http from 'node:http';
import { expect, it } from '@jest/globals';
import { buildApp, stoppersOf, type Mount } from '../../cli/server/app.js';
import { metricsMount, tokenMatches } from '../../cli/server/metrics.js';
import { createApiDoor } from '../../api/index.js';
import { createApiToken } from '../../core/api/tokens.js';
import type { Core } from '../../core/context.js';
import { Notifier } from '../../bot/notify/notifier.js';
import { backupJob } from '../../jobs/backup.js';
import { runJob } from '../../jobs/runner.js';
import type { Job } from '../../jobs/types.js';
import { freePort } from '../helpers/ports.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { RecordingNotifier } from '../helpers/api-app.js';

const TOKEN = 'metrics-test-token-0123456789abcdef';

/** Listens on a free loopback port; returns its URL and a closer. */
async function listen(app: Awaited<ReturnType<typeof buildApp>>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** The value of one series in the text format (0 when absent), e.g. `x_total{a="b"}`. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const failing: Job = {
  name: 'metrics-always-fails',
  title: '总是失败',
  schedule: '0 0 1 1 *',
  run: async () => {
    throw new Error('boom');
  },
};

/** The real app with the API door and the metrics mount, as cli/server/mounts.ts wires them. */
async function start(core: Core) {
  const door = createApiDoor({ core, notifier: new RecordingNotifier() });
  const mounts: Mount[] = [
    (a) => {
      a.use(door.middleware);
      return door.stop;
    },
  ];
  const metrics = metricsMount(core, ['wecom', 'webhook']);
  if (metrics) mounts.push(metrics);
  const app = await buildApp(core, mounts);
  const served = await listen(app);
  return {
    ...served,
    stop: async () => {
      await served.close();
      for (const stop of stoppersOf(app)) await stop();
    },
  };
}

const scrape = async (url: string, token = TOKEN) => {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};

/** Calls the API (one good, one refused), /healthz, runs a good and a failing job, and queues a WeCom message 90 s ago. */
async function useEveryDoor(h: Harness, url: string): Promise<void> {
  const admin = await h.actor('metrics-admin', ['admin']);
  const { token } = await createApiToken(h.core, admin, {
    name: `metrics-${h.dialect}`,
    scopes: ['customers:read'],
  });
  expect(
    (await fetch(`${url}/api/v1/customers?limit=1`, { headers: { authorization: `Bearer ${token}` } })).status,
  ).toBe(200);
  expect((await fetch(`${url}/api/v1/customers`)).status).toBe(401);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  const notifier = new Notifier(h.core);
  expect(await runJob(h.core, backupJob, { notifier, trigger: 'manual' })).toMatchObject({
    claimed: true,
    run: { status: 'succeeded' },
  });
  expect(await runJob(h.core, failing, { notifier, trigger: 'manual' })).toMatchObject({
    claimed: true,
    run: { status: 'failed' },
  });
  // One message for a WeCom user, queued 90 s ago and not yet sent.
  const queued = new Date(h.core.now().getTime() - 90_000);
  await h.core.models.BotOutbox.create({
    door: 'wecom',
    targetKind: 'user',
    targetId: 'metrics-user',
    payload: '{}',
    ref: null,
    notBefore: new Date(Date.now() + 3600_000),
    createdAt: queued,
    sentAt: null,
    responseCode: null,
    error: null,
  });
}

eachDialect(
  '/metrics: what an operator scrapes',
  (h) => {
    it('counts requests per door, job results, backup durations and the outbox, as an operator scrapes them', async () => {
      const s = await start(h.core);
      try {
        const before = (await scrape(s.url)).text;
        await useEveryDoor(h, s.url);

        const after = await scrape(s.url);
        expect(after.status).toBe(200);
        expect(after.type).toMatch(/^text\/plain; version=0\.0\.4/);
        const delta = (series: string) => value(after.text, series) - value(before, series);
        expect({
          apiOk: delta('steward_http_requests_total{door="api",method="GET",status="200"}'),
          apiRefused: delta('steward_http_requests_total{door="api",method="GET",status="401"}'),
          apiTimed: delta('steward_http_request_duration_seconds_count{door="api"}'),
          health: delta('steward_http_requests_total{door="health",method="GET",status="200"}'),
          backupOk: delta('steward_job_runs_total{job="backup",result="ok"}'),
          failed: delta('steward_job_runs_total{job="metrics-always-fails",result="failed"}'),
          backups: delta('steward_backup_duration_seconds_count{result="ok"}'),
          wecomPending: value(after.text, 'steward_outbox_messages{channel="wecom",status="pending"}'),
          webhookPending: value(after.text, 'steward_outbox_messages{channel="webhook",status="pending"}'),
        }).toEqual({
          apiOk: 1,
          apiRefused: 1,
          apiTimed: 2,
          health: 1,
          backupOk: 1,
          failed: 1,
          backups: 1,
          wecomPending: 1,
          webhookPending: 0,
        });
        expect(value(after.text, 'steward_outbox_oldest_age_seconds{channel="wecom"}')).toBeGreaterThanOrEqual(90);
        expect(value(after.text, 'steward_job_last_success_timestamp_seconds{job="backup"}')).toBeGreaterThan(
          Date.now() / 1000 - 600,
        );
        expect(after.text).toContain('steward_process_resident_memory_bytes');
        // MariaDB has a connection pool to watch; SQLite has one connection and reports none.
        if (h.dialect === 'sqlite') expect(after.text).not.toMatch(/^steward_db_pool_connections\{/m);
        else expect(value(after.text, 'steward_db_pool_connections{state="max"}')).toBeGreaterThan(0);
      } finally {
        await s.stop();
      }
    });
  },
  { METRICS_TOKEN: TOKEN },
);

eachDialect(
  '/metrics: the token, and METRICS_PORT',
  (h) => {
    it('refuses a scrape without the token or with a wrong one, and shows nothing', async () => {
      const s = await start(h.core);
      try {
        const none = await fetch(`${s.url}/metrics`);
        expect({ status: none.status, auth: none.headers.get('www-authenticate') }).toEqual({
          status: 401,
          auth: 'Bearer',
        });
        expect(await none.text()).not.toContain('steward_');
        const wrong = await scrape(s.url, `${TOKEN}x`);
        expect(wrong.status).toBe(401);
        expect(wrong.text).not.toContain('steward_');
      } finally {
        await s.stop();
      }
    });

    it('is off without METRICS_TOKEN or METRICS_PORT: /metrics is a 404', async () => {
      const core = { ...h.core, config: { ...h.core.config, METRICS_TOKEN: undefined, METRICS_PORT: undefined } };
      expect(metricsMount(core, [])).toBeNull();
      const s = await start(core);
      try {
        expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
      } finally {
        await s.stop();
      }
    });

    it('with METRICS_PORT, serves /metrics there only (and still asks for the token when one is set)', async () => {
      const port = await freePort();
      const core = { ...h.core, config: { ...h.core.config, HOST: '127.0.0.1', METRICS_PORT: port } };
      const s = await start(core);
      try {
        expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
        const side = `http://127.0.0.1:${port}`;
        expect((await fetch(`${side}/metrics`)).status).toBe(401);
        const ok = await scrape(side);
        expect(ok.status).toBe(200);
        expect(ok.text).toContain('steward_outbox_messages{channel="webhook",status="pending"}');
        expect((await fetch(`${side}/healthz`)).status).toBe(404);
      } finally {
        await s.stop();
      }
    });
  },
  { METRICS_TOKEN: TOKEN },
);

it('compares tokens in constant time on their hashes, so any length is safe to compare', () => {
  expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
  expect(tokenMatches(TOKEN, '')).toBe(false);
  expect(tokenMatches(TOKEN, `${TOKEN}${TOKEN}`)).toBe(false);
});
