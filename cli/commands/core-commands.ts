import type { Command } from 'commander';
import { seedDemo } from '../../core/demo/seed.js';
import { commandCore, commandEnv, openRuntime, runAction } from '../runtime.js';
import { DatabaseUnavailableError, explainDbError } from '../../core/boot.js';
import { UserFacingError } from '../runtime.js';

/** `steward migrate` and `steward seed --demo`. */
export function registerCoreCommands(program: Command): void {
  program
    .command('migrate')
    .description('执行数据库迁移 (apply pending migrations)')
    .action(() =>
      runAction(async () => {
        const { core } = openRuntime(commandEnv());
        try {
          await core.models.sequelize.authenticate().catch((err) => {
            throw new DatabaseUnavailableError(explainDbError(err, core.config.DATABASE_URL));
          });
          const applied = await core.schema.up(core.models.sequelize);
          process.stdout.write(applied.length ? `已执行迁移: ${applied.join(', ')}\n` : '数据库已是最新, 无需迁移。\n');
        } catch (err) {
          if (err instanceof DatabaseUnavailableError) throw new UserFacingError(err.message);
          throw err;
        } finally {
          await core.models.sequelize.close();
        }
      }),
    );

  program
    .command('seed')
    .description('载入演示数据 (load demo data into an empty database)')
    .requiredOption('--demo', '载入约 60 个演示客户、两年订单和演示操作员')
    .action(() =>
      runAction(async () => {
        const core = await commandCore.open();
        try {
          const result = await seedDemo(core);
          process.stdout.write(
            result.seeded
              ? `已载入演示数据: ${result.customers} 个客户, ${result.orders} 张订单。\n`
              : '数据库里已有客户数据, 未重复载入演示数据。\n',
          );
        } finally {
          await commandCore.close(core);
        }
      }),
    );
}
