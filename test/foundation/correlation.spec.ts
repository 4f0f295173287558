import http from 'node:http';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { buildApp, stoppersOf } from '../../cli/server/app.js';
import { openCore } from '../../core/boot.js';
import type { Core } from '../../core/context.js';
import { createLogger } from '../../core/logger.js';
import { Notifier } from '../../bot/notify/notifier.js';
import { consoleSay } from '../../bot/console.js';
import { createBot } from '../../bot/runtime.js';
import { runJob } from '../../jobs/runner.js';
import type { Job } from '../../jobs/types.js';
import { eachDialect } from '../helpers/db.js';

interface Line {
  msg: string;
  correlationId?: string;
  [k: string]: unknown;
}

/** For the calling describe: a core on the harness's database whose logger writes JSON lines into `lines`. */
function useLoggingCore(h: { core: Core }, lines: Line[]): { core: Core } {
  const sink = { write: (s: string) => void lines.push(JSON.parse(s) as Line) };
  const holder = {} as { core: Core };
  beforeAll(() => {
    holder.core = openCore(h.core.config, createLogger('info', sink));
  });
  afterAll(() => holder.core.models.sequelize.close());
  return holder;
}

/** The real app with one route that logs the way core/ does: through core.logger, after an await, with no request in hand. */
async function serveDeepRoute(core: Core): Promise<{ url: string; close: () => Promise<void> }> {
  const app = await buildApp(core, [
    (_app, router) => {
      router.get('/deep', async (ctx) => {
        await new Promise((r) => setImmediate(r));
        core.logger.info({ step: ctx.query.n }, 'deep in core');
        ctx.status = 418;
      });
    },
  ]);
  const server = http.createServer(app.callback()).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      for (const stop of stoppersOf(app)) await stop();
    },
  };
}

eachDialect('correlation id on every log line', (h) => {
  const lines: Line[] = [];
  const logging = useLoggingCore(h, lines);

  it('stamps every line one HTTP request writes, deep in core too, with the id it answers in X-Request-Id', async () => {
    const { url, close } = await serveDeepRoute(logging.core);
    try {
      lines.length = 0;
      const [a, b] = await Promise.all([fetch(`${url}/deep?n=a`), fetch(`${url}/deep?n=b`)]);
      const ida = a.headers.get('x-request-id');
      const idb = b.headers.get('x-request-id');
      expect(ida).toBeTruthy();
      expect(ida).not.toBe(idb);
      const deep = (n: string) => lines.find((l) => l.msg === 'deep in core' && l.step === n);
      const access = (id: string | null) => lines.find((l) => l.msg === 'request' && l.correlationId === id);
      expect(deep('a')?.correlationId).toBe(ida);
      expect(deep('b')?.correlationId).toBe(idb);
      expect(access(ida)).toMatchObject({ status: 418, path: '/deep' });
      expect(access(idb)).toMatchObject({ status: 418 });
      // A caller's own id is kept, so a trace crosses from the ERP into our log.
      const own = await fetch(`${url}/deep?n=c`, { headers: { 'x-request-id': 'erp-trace-42' } });
      expect(own.headers.get('x-request-id')).toBe('erp-trace-42');
      expect(deep('c')?.correlationId).toBe('erp-trace-42');
    } finally {
      await close();
    }
  });

  it('stamps every line of one job run, its own and core’s, with job:<name>:<run id>', async () => {
    const job: Job = {
      name: `correlation-probe-${h.dialect}`,
      title: '关联编号探针',
      schedule: '0 0 1 1 *',
      run: async () => {
        await new Promise((r) => setImmediate(r));
        logging.core.logger.info('inside the job');
        return { summary: '完成' };
      },
    };
    lines.length = 0;
    const result = await runJob(logging.core, job, { notifier: new Notifier(logging.core), trigger: 'manual' });
    if (!result.claimed) throw new Error('the probe job was not claimed');
    const id = `job:${job.name}:${result.run.id}`;
    const msgs = ['job started', 'inside the job', 'job finished'];
    for (const msg of msgs) expect(lines.find((l) => l.msg === msg)?.correlationId).toBe(id);
  });
});

eachDialect('correlation id on every log line: chat messages', (h) => {
  const lines: Line[] = [];
  const logging = useLoggingCore(h, lines);

  it('stamps every line about one chat message with that message’s id, and each message with its own', async () => {
    const bot = createBot(logging.core, { dispatch: false });
    await h.operator('关联张三', ['sales'], { wecom: 'corr-zhang' });
    lines.length = 0;
    await consoleSay(bot.deps, { as: 'corr-stranger', door: 'wecom', group: false }, { text: '帮助' });
    await consoleSay(bot.deps, { as: 'corr-zhang', door: 'wecom', group: false }, { text: '停用客户 NOPE999 测试' });
    const stranger = lines.find((l) => l.msg === 'unknown chat user');
    const refused = lines.find((l) => l.msg === 'command refused');
    expect(stranger?.correlationId).toMatch(/^console:/);
    expect(refused).toMatchObject({ code: 'CUSTOMER_NOT_FOUND', correlationId: expect.stringMatching(/^console:/) });
    expect(refused?.correlationId).not.toBe(stranger?.correlationId);
    // No line written while the two messages were handled is without an id.
    expect(lines.filter((l) => !l.correlationId)).toEqual([]);
  });
});
