import type Koa from 'koa';
import type Router from '@koa/router';
import type { Core } from '../core/context.js';
import { mountApprovalPage } from './approval-page.js';
import { mountReviewPage } from './review-page.js';
import { buildRegistry } from './commands/index.js';
import type { BotDeps } from './commands/context.js';
import { ConversationStore } from './conversation.js';
import { mountDingtalk } from './dingtalk/door.js';
import { Dispatcher } from './notify/dispatcher.js';
import { Notifier } from './notify/notifier.js';
import { importsIdle } from './import/receive.js';
import { sweepStaged } from './import/staging.js';
import { mountWecomApp } from './wecom/app-door.js';
import { mountWecomBot } from './wecom/bot-door.js';

/** The chat bot: one pipeline, its doors, and the outbox dispatcher. */
export interface BotRuntime {
  deps: BotDeps;
  dispatcher: Dispatcher;
  /** Adds the webhook routes and the approval page to the app. */
  mount(app: Koa, router: Router): void;
  /** Starts the outbox loop (every second). */
  start(): void;
  stop(): Promise<void>;
}

/** Builds the bot for a core; throws at start-up if the command registry is inconsistent. */
export function createBot(core: Core, opts: { pollMs?: number; dispatch?: boolean } = {}): BotRuntime {
  const dispatcher = new Dispatcher(core);
  // The console (a short-lived CLI process) only queues; the server's dispatcher sends.
  const kick = opts.dispatch === false ? () => undefined : () => dispatcher.kick();
  const deps: BotDeps = { core, registry: buildRegistry(), conversations: new ConversationStore(core), notifier: new Notifier(core, kick) };
  let timer: NodeJS.Timeout | null = null;
  let sweeper: NodeJS.Timeout | null = null;
  return {
    deps,
    dispatcher,
    mount(_app, router) {
      mountWecomApp(router, deps);
      mountWecomBot(router, deps);
      mountDingtalk(router, deps, () => dispatcher.kick());
      mountApprovalPage(router, deps);
      mountReviewPage(router, deps);
    },
    start() {
      timer ??= setInterval(() => dispatcher.kick(), opts.pollMs ?? 1000);
      timer.unref();
      // Chat imports left unconfirmed (expired, cancelled by another command) lose their files.
      sweeper ??= setInterval(() => void sweepStaged(core).catch((err: unknown) => core.logger.warn({ err }, 'chat import sweep failed')), 10 * 60_000);
      sweeper.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (sweeper) clearInterval(sweeper);
      timer = null;
      sweeper = null;
      await importsIdle(deps);
      await dispatcher.idle();
    },
  };
}
