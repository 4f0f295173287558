import type { Command } from 'commander';
import { commandEnv, openReadyCore, runAction } from '../runtime.js';

/** `steward serve`: the bot, the back office and the jobs in one process. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('启动服务: 机器人 webhook、后台和定时任务 (start the server)')
    .action(async () => {
      await runAction(async () => {
        // Loaded here, not at the top: `steward --help` and the other commands never pay for the doors.
        const [{ serve }, { buildMounts }, { checkSchedules, outboxFor, startScheduler }] = await Promise.all([
          import('../server/serve.js'),
          import('../server/mounts.js'),
          import('../compose.js'),
        ]);
        const core = await openReadyCore(commandEnv(), { server: true });
        // Jobs only queue messages; the bot's dispatcher sends them. A bad schedule stops start-up before listening.
        if (core.config.JOBS_ENABLED) checkSchedules(core.config);
        const startJobs = core.config.JOBS_ENABLED
          ? () => startScheduler(core, { notifier: outboxFor(core) })
          : undefined;
        const running = await serve(core, { mounts: await buildMounts(core), startJobs });
        const shutdown = (signal: string) => {
          core.logger.info({ signal }, 'signal received');
          void running.stop().then(() => process.exit(0));
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
        await new Promise(() => undefined);
      });
      // Only a failed start gets here (a running server never returns): exit non-zero rather than
      // linger half-started (timers, pool) without listening, which a supervisor would not restart.
      process.exit(process.exitCode || 1);
    });
}
