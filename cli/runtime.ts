import { ConfigError, loadConfig, type Config } from '../core/config.js';
import { DatabaseUnavailableError, openCore, prepareDatabase } from '../core/boot.js';
import { KeyMismatchError } from '../core/privacy.js';
import type { Core } from '../core/context.js';
import { createLogger } from '../core/logger.js';
import { DatabaseUrlError } from '../models/db.js';

/** An error the CLI prints as one line (no stack) before exiting non-zero. */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** Loads config and opens the core; configuration problems become one-line UserFacingErrors. */
export function openRuntime(
  env: NodeJS.ProcessEnv = process.env,
  opts: { server?: boolean } = {},
): { config: Config; core: Core } {
  try {
    const config = loadConfig(env);
    // The server logs to stdout; one-shot commands keep stdout for their output and log warnings to stderr.
    const logger = opts.server
      ? createLogger(config.LOG_LEVEL)
      : createLogger(env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', 2);
    const core = openCore(config, logger);
    return { config, core };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DatabaseUrlError) throw new UserFacingError(err.message);
    throw err;
  }
}

/** Opens the core and brings the schema up to date. */
export async function openReadyCore(
  env: NodeJS.ProcessEnv = process.env,
  opts: { server?: boolean } = {},
): Promise<Core> {
  const { core } = openRuntime(env, opts);
  try {
    await prepareDatabase(core);
  } catch (err) {
    await core.models.sequelize.close().catch(() => undefined);
    if (err instanceof DatabaseUnavailableError || err instanceof KeyMismatchError)
      throw new UserFacingError(err.message);
    throw err;
  }
  return core;
}

/** Where a command gets its core: by default its own, opened from the environment and closed after. */
export interface CoreSource {
  open(): Promise<Core>;
  close(core: Core): Promise<void>;
  /** The environment its core is read from (default: the process's). */
  env?: NodeJS.ProcessEnv;
}

const ownCore: CoreSource = { open: () => openReadyCore(), close: (core) => core.models.sequelize.close() };
let lent: CoreSource | null = null;

/**
 * The core source every command uses: the process's own, or one lent for the length of a call
 * (tests run `steward` in process on their database: see `lendCore`).
 */
export const commandCore: CoreSource = {
  open: () => (lent ?? ownCore).open(),
  close: (core) => (lent ?? ownCore).close(core),
};

/** The environment a command reads its configuration from: the lent source's, else the process's. */
export function commandEnv(): NodeJS.ProcessEnv {
  return lent?.env ?? process.env;
}

/** Runs `fn` with every command using `source` (a test's core, kept open) instead of opening its own. */
export async function lendCore<T>(source: CoreSource, fn: () => Promise<T>): Promise<T> {
  lent = source;
  try {
    return await fn();
  } finally {
    lent = null;
  }
}

/** Opens the core, runs `fn` with it, always closes the connection. */
export async function withCore<T>(fn: (core: Core) => Promise<T>): Promise<T> {
  const core = await commandCore.open();
  try {
    return await fn(core);
  } finally {
    await commandCore.close(core);
  }
}

/** Runs a CLI action: one-line errors, non-zero exit, connection closed. */
export async function runAction(fn: () => Promise<number | void>): Promise<void> {
  try {
    const code = await fn();
    process.exitCode = code ?? 0;
  } catch (err) {
    // A bad channel block (checked when the bot is built) is a configuration error like any other.
    if (err instanceof UserFacingError || err instanceof ConfigError) {
      process.stderr.write(`错误: ${err.message}\n`);
      process.exitCode = err instanceof UserFacingError ? err.exitCode : 1;
      return;
    }
    const e = err as { code?: string; message?: string };
    if (
      e &&
      typeof e.code === 'string' &&
      e.message &&
      /^[A-Z_]+$/.test(e.code) &&
      (err as Error).name === 'DomainError'
    ) {
      process.stderr.write(`错误: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`错误: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
