import { CommanderError, type Command } from 'commander';
import { buildProgram } from './program.js';
import { groupOf, helpOnlyProgram, readHelpIndex } from './help-index.js';
import { limitHeapGrowth } from '../core/heap.js';

/**
 * The program for these arguments. From dist/ (which has the help index) only the named
 * command's group is loaded, and top-level help loads none; from the sources, all of them.
 */
async function programFor(args: string[]): Promise<Command> {
  const index = readHelpIndex();
  if (!index) return buildProgram();
  const [first, second] = args;
  if ((args.length === 1 && (first === '--help' || first === '-h' || first === 'help')) || args.length === 0)
    return helpOnlyProgram(index);
  const group = groupOf(index, first === 'help' ? second : first);
  return buildProgram(group ? [group] : undefined);
}

limitHeapGrowth();
// `steward chat … | head` closes the pipe early: that is the reader's choice, not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
try {
  await (await programFor(process.argv.slice(2))).parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else throw err;
}
