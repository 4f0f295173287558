import type { Command } from 'commander';
import { openReadyCore, runAction } from '../runtime.js';
import { serve } from '../server/serve.js';
import { buildMounts } from '../server/mounts.js';

/** `steward serve`: the bot, the back office and the jobs in one process. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('启动服务: 机器人 webhook、后台和定时任务 (start the server)')
    .action(() => runAction(async () => {
      const core = await openReadyCore(process.env, { server: true });
      const running = await serve(core, { mounts: await buildMounts(core) });
      const shutdown = (signal: string) => {
        core.logger.info({ signal }, 'signal received');
        void running.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      await new Promise(() => undefined);
    }));
}
