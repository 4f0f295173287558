import { jest } from '@jest/globals';
import { Command } from 'commander';
import { buildProgram, REGISTRARS } from '../../cli/program.js';
import { lendCore, openReadyCore, type CoreSource } from '../../cli/runtime.js';
import type { Core } from '../../core/context.js';

export interface CliRun {
  out: string;
  err: string;
  code: number;
}

/** Runs a parsed program with every command using `source`: what it printed, and its exit code (2 for a refused parse). */
async function capture(program: Command, source: CoreSource, argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  try {
    await lendCore(source, () => program.parseAsync(argv, { from: 'user' }));
    return { out: out.join(''), err: err.join(''), code: Number(process.exitCode ?? 0) };
  } catch (thrown) {
    return { out: out.join(''), err: err.join('') + String(thrown), code: 2 };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

/**
 * The whole program, as cli/main.ts builds it. Its groups are imported one by one first: jest's ESM
 * loader fails on concurrent imports that share a module ("not in cache"); buildProgram then finds them loaded.
 */
async function wholeProgram(): Promise<Command> {
  for (const load of Object.values(REGISTRARS)) await load();
  return buildProgram();
}

/** The test's core, kept open; `opened` counts the commands that asked for it. */
function lent(core: Core): CoreSource & { opened: number } {
  const source = {
    opened: 0,
    open: async () => (source.opened++, core),
    close: async () => undefined,
  };
  return source;
}

/**
 * Runs `steward <argv>` in process against a test's core (no spawn, no compile), with only the
 * command group under test registered: what it printed to stdout and stderr, and its exit code (2 for a refused parse).
 */
export async function runSteward(
  register: (program: Command, source?: CoreSource) => void,
  core: Core,
  argv: string[],
): Promise<CliRun> {
  const program = new Command('steward').exitOverride();
  // Passed to groups that take a source, lent to every other command.
  const source = lent(core);
  register(program, source);
  return capture(program, source, argv);
}

/**
 * Runs `steward <argv>` in process through the whole program, built as cli/main.ts builds it, on a
 * test's core; `opened` says whether the command asked for the database at all.
 */
export async function runProgram(core: Core, argv: string[]): Promise<CliRun & { opened: number }> {
  const source = lent(core);
  return { ...(await capture(await wholeProgram(), source, argv)), opened: source.opened };
}

/**
 * Runs `steward <argv>` in process with the core a command would open from `env` (config, database
 * connection, migrations), as the real binary does from its environment.
 */
export async function runWithEnv(env: NodeJS.ProcessEnv, argv: string[]): Promise<CliRun> {
  const source: CoreSource = { env, open: () => openReadyCore(env), close: (core) => core.models.sequelize.close() };
  return capture(await wholeProgram(), source, argv);
}
