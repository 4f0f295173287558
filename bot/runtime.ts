import type Koa from 'koa';
import type Router from '@koa/router';
import type { Core } from '../core/context.js';
import { mountApprovalPage } from './approval-page.js';
import { mountReviewPage } from './review-page.js';
import { buildRegistry } from './commands/index.js';
import type { BotDeps } from './commands/context.js';
import type { SocketReceiver } from './channels/contract.js';
import { checkChannels, mountChannels } from './channels/runtime.js';
import { ConversationStore } from './conversation.js';
import { Dispatcher } from './notify/dispatcher.js';
import { Notifier } from './notify/notifier.js';
import { importsIdle } from './import/receive.js';
import { sweepStaged } from './import/staging.js';

/** The chat bot: one pipeline, its channels, and the outbox dispatcher. */
export interface BotRuntime {
  deps: BotDeps;
  dispatcher: Dispatcher;
  /** The long connections of the enabled channels; the server holds each under a lease. */
  sockets: SocketReceiver[];
  /** Adds the channels' webhook routes and the approval page to the app. */
  mount(app: Koa, router: Router): void;
  /** Starts the outbox loop (every second). */
  start(): void;
  stop(): Promise<void>;
}

/**
 * Builds the bot for a core; throws at start-up if the command registry is inconsistent or an
 * enabled channel's env block is wrong (a ConfigError naming each variable).
 */
export function createBot(
  core: Core,
  opts: { pollMs?: number; dispatch?: boolean; fastReplyMs?: number } = {},
): BotRuntime {
  const dispatcher = new Dispatcher(core);
  // The console (a short-lived CLI process) only queues; the server's dispatcher sends.
  const kick = opts.dispatch === false ? () => undefined : () => dispatcher.kick();
  const deps: BotDeps = {
    core,
    registry: buildRegistry(),
    conversations: new ConversationStore(core),
    notifier: new Notifier(core, kick),
  };
  const channels = mountChannels(deps, checkChannels(core), kick, opts.fastReplyMs);
  let timer: NodeJS.Timeout | null = null;
  let sweeper: NodeJS.Timeout | null = null;
  return {
    deps,
    dispatcher,
    sockets: channels.sockets,
    mount(_app, router) {
      channels.routes(router);
      mountApprovalPage(router, deps);
      mountReviewPage(router, deps);
    },
    start() {
      timer ??= setInterval(() => dispatcher.kick(), opts.pollMs ?? 1000);
      timer.unref();
      // Chat imports left unconfirmed (expired, cancelled by another command) lose their files.
      sweeper ??= setInterval(
        () => void sweepStaged(core).catch((err: unknown) => core.logger.warn({ err }, 'chat import sweep failed')),
        10 * 60_000,
      );
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
