import http from 'node:http';
import type { Core } from '../../core/context.js';
import { ensureAdmin } from '../../core/operators.js';
import { seedDemo } from '../../core/demo/seed.js';
import { buildApp, stoppersOf, type Mount } from './app.js';
import { UserFacingError } from '../runtime.js';

export interface Running {
  server: http.Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish, stops the jobs and closes the pool. */
  stop(): Promise<void>;
}

/** Starts listening; a port already in use becomes a one-line UserFacingError. */
function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE')
        reject(new UserFacingError(`端口 ${port} 已被占用: 请停止占用它的程序, 或设置 PORT=<其他端口> 再启动。`));
      else if (err.code === 'EACCES')
        reject(new UserFacingError(`没有权限监听端口 ${port}: 请用 1024 以上的端口 (PORT=3000)。`));
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export interface ServeOptions {
  mounts?: Mount[];
  /** Starts background work (the scheduler); returns its stopper. */
  startJobs?: () => Promise<() => Promise<void>> | (() => Promise<void>);
  port?: number;
}

/** Seeds on first start, builds the app, listens, and wires graceful shutdown. */
export async function serve(core: Core, opts: ServeOptions = {}): Promise<Running> {
  const { config, logger } = core;
  const admin = await ensureAdmin(core);
  if (config.STEWARD_DEMO) {
    const seeded = await seedDemo(core);
    if (seeded.seeded) logger.info({ customers: seeded.customers, orders: seeded.orders }, 'demo data loaded');
  }
  const app = await buildApp(core, opts.mounts ?? []);
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 5_000;
  const port = opts.port ?? config.PORT;
  await listen(server, port, config.HOST);
  const actual = (server.address() as { port: number }).port;
  const url = config.PUBLIC_URL.replace(`:${config.PORT}`, `:${actual}`);
  const stopJobs = opts.startJobs ? await opts.startJobs() : async () => undefined;
  if (admin.createdPassword) {
    process.stdout.write(
      `\n后台管理员已创建 (只显示这一次, 请妥善保存):\n  邮箱: ${admin.email}\n  密码: ${admin.createdPassword}\n`,
    );
  }
  process.stdout.write(`\ncustomer-steward 已启动: ${url}\n  后台: ${url}/admin\n  健康检查: ${url}/healthz\n\n`);
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      await stopJobs();
      for (const stopMount of stoppersOf(app))
        await stopMount().catch((err: unknown) => logger.warn({ err }, 'stopping a door failed'));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      await core.models.sequelize.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { server, url, stop };
}
