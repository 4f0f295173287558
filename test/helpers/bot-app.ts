import http from 'node:http';
import { buildApp } from '../../cli/server/app.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Core } from '../../core/context.js';
import type { Harness } from './db.js';
import { FakeMessenger } from './fake-messenger.js';
import { WECOM } from './wecom.js';
import { freePort } from './ports.js';
import { seedDemoForTest } from './demo-seed.js';
import { operatorByIdentity } from '../../core/operators.js';

export const DINGTALK = {
  DINGTALK_MODE: 'http',
  DINGTALK_APP_KEY: 'dingkey',
  DINGTALK_APP_SECRET: 'ding-app-secret-xyz',
  DINGTALK_ROBOT_CODE: 'dingkey',
};

export interface BotApp {
  url: string;
  bot: BotRuntime;
  fake: FakeMessenger;
  request(path: string, init?: RequestInit): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

/** What startBotApp may change: demo data, variables over the messenger settings (given the fake's URL), the passive-reply window. */
export interface BotAppOptions {
  seed?: boolean;
  env?: (fakeUrl: string) => Record<string, string | undefined>;
  /** Shorter than FAST_REPLY_MS, so a test of late answers need not wait 2 s for it. */
  fastReplyMs?: number;
}

/**
 * The real Koa app with the bot mounted, its messenger settings pointing at a fake on loopback.
 * The port is picked first, so the config (PUBLIC_URL, each channel's env block, read by
 * bot/channels/<id>/config.ts) is whole before anything starts: `h.core` becomes that core.
 * Seeds the demo data once per core (seedDemoForTest).
 */
export async function startBotApp(h: Harness, opts: BotAppOptions = {}): Promise<BotApp> {
  const fake = await new FakeMessenger().start();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  h.reconfigure({
    ...WECOM,
    ...DINGTALK,
    WECOM_API_BASE: fake.url,
    DINGTALK_API_BASE: fake.url,
    DINGTALK_OAPI_BASE: fake.url,
    PUBLIC_URL: url,
    ...opts.env?.(fake.url),
  });
  const core = h.core;
  if (opts.seed !== false) await seedDemoForTest(core);
  const bot = createBot(core, { pollMs: 50, fastReplyMs: opts.fastReplyMs });
  const app = await buildApp(core, [(a, r) => bot.mount(a, r)]);
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  bot.start();
  return {
    url,
    bot,
    fake,
    async request(path, init) {
      const res = await fetch(`${url}${path}`, init);
      return { status: res.status, text: await res.text() };
    },
    async close() {
      await bot.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await fake.stop();
    },
  };
}

/** Codes of active customers owned by `owner` (a chat id) with no open business, newest first. */
export async function deletableCustomers(core: Core, owner: string): Promise<string[]> {
  const { collectBlockers } = await import('../../core/deletion/precheck.js');
  const sales = await operatorByIdentity(core, 'wecom', owner);
  const rows = await core.models.Customer.findAll({
    where: { ownerId: sales!.id, status: 'active' },
    order: [['id', 'DESC']],
  });
  const free: string[] = [];
  for (const r of rows) if (!(await collectBlockers(core, r.id)).length) free.push(r.code);
  return free;
}
