import fs from 'node:fs';
import { Help, type Command } from 'commander';
import { emptyProgram } from './program.js';

/**
 * Which group registers each top-level command, and the line `steward --help` shows for it.
 * Written next to the build (dist/cli/help-index.json) by scripts/build.mjs, so the built CLI
 * loads one command group per run and answers `--help` without loading any.
 */
export interface HelpIndex {
  commands: { name: string; aliases: string[]; group: string; term: string; description: string }[];
}

const INDEX = new URL('./help-index.json', import.meta.url);

/** The index of the build this file belongs to; null when running from the sources (tsx). */
export function readHelpIndex(): HelpIndex | null {
  return import.meta.url.endsWith('.js') && fs.existsSync(INDEX)
    ? (JSON.parse(fs.readFileSync(INDEX, 'utf8')) as HelpIndex)
    : null;
}

/** The group that registers `name` (a command or an alias), if any. */
export function groupOf(index: HelpIndex, name: string | undefined): string | undefined {
  return index.commands.find((c) => c.name === name || c.aliases.includes(name ?? ''))?.group;
}

/** A program whose top-level help reads as the full one's, with stub commands that never run. */
export function helpOnlyProgram(index: HelpIndex): Command {
  const program = emptyProgram();
  const terms = new Map(index.commands.map((c) => [c.name, c.term]));
  const standard = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? standard.subcommandTerm(cmd) });
  for (const c of index.commands) program.command(c.name).description(c.description);
  return program;
}

/** Builds the index from the registrars (run once, by the build). */
export async function buildHelpIndex(
  registrars: Record<string, () => Promise<(p: Command) => void>>,
): Promise<HelpIndex> {
  const commands: HelpIndex['commands'] = [];
  const help = emptyProgram().createHelp();
  for (const [group, load] of Object.entries(registrars)) {
    const program = emptyProgram();
    (await load())(program);
    for (const cmd of program.commands) {
      commands.push({
        name: cmd.name(),
        aliases: cmd.aliases(),
        group,
        term: help.subcommandTerm(cmd),
        description: help.subcommandDescription(cmd),
      });
    }
  }
  return { commands };
}
