import { jest } from '@jest/globals';
import { Command } from 'commander';
import { lendCore, type CoreSource } from '../../cli/runtime.js';
import type { Core } from '../../core/context.js';

export interface CliRun {
  out: string;
  err: string;
  code: number;
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
  // The test's core, kept open: passed to groups that take a source, lent to every other command.
  const source: CoreSource = { open: async () => core, close: async () => undefined };
  register(program, source);
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
