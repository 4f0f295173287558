import type { Actor } from '../../core/context.js';
import { importCustomers, type ImportReport } from '../../core/data/index.js';
import type { BotDeps } from '../commands/context.js';
import type { IncomingMessage, Reply } from '../types.js';
import { alreadyImportedText, dryRunReply, nextStepReply, nothingToConfirm } from './report.js';
import { discard, importKey, stagedFile, storePendingImport, type PendingImport } from './staging.js';

/** What a chat import carries from its dry run to 确认导入: the CLI's --map-value and --create-missing. */
export interface ChatImportOptions {
  mapValues?: string[];
  createMissing?: boolean;
}

/** 客户分类 / 区域 values a 映射 (or 新建缺失) could still fix: in no list, or deactivated. */
export function openValues(report: ImportReport): number {
  return report.unknownValues.filter((u) => !u.create).length;
}

/**
 * Dry-runs a staged file with the given options (the same core call as the CLI and the back
 * office) and keeps a pending import whenever there is something to confirm or still to map; a
 * new confirmation key each time, so a button under an older report cannot commit a newer one.
 * `beforeStore` runs just before (a new file replacing an older pending import says so). Domain
 * errors (a bad mapping) go up to the caller, which decides what happens to the file.
 */
export async function dryRunStaged(
  deps: BotDeps,
  msg: IncomingMessage,
  actor: Actor,
  staged: { id: string; fileName: string },
  options: ChatImportOptions,
  beforeStore: () => Promise<Reply[]> = async () => [],
): Promise<{ replies: Reply[]; report: ImportReport; pending: PendingImport | null }> {
  const { core } = deps;
  const report = await importCustomers(core, actor, stagedFile(core, staged.id), {
    fileName: staged.fileName,
    ...optionsOf(options),
  });
  if (report.alreadyImported) {
    discard(core, staged.id);
    return { report, pending: null, replies: [{ text: alreadyImportedText(core, report) }] };
  }
  const nothing = nothingToConfirm(report);
  if (nothing && !openValues(report)) {
    discard(core, staged.id);
    return { report, pending: null, replies: [dryRunReply(report), { text: nothing }] };
  }
  const pending: PendingImport = {
    key: importKey(),
    file: staged.id,
    fileName: staged.fileName,
    sha256: report.sha256,
    errorRows: report.failedRows.length,
    writable: report.created + report.updated,
    ...optionsOf(options),
    ...(openValues(report) ? { openValues: openValues(report) } : {}),
  };
  const note = await beforeStore();
  await storePendingImport(deps, msg, pending);
  return {
    report,
    pending,
    replies: [...note, dryRunReply(report), nextStepReply(pending, core.config.CONFIRM_TTL_SECONDS)],
  };
}

/** The options as core's ImportOptions take them (absent when unused, so the stored payload stays small). */
export function optionsOf(o: ChatImportOptions): ChatImportOptions {
  return {
    ...(o.mapValues?.length ? { mapValues: [...o.mapValues] } : {}),
    ...(o.createMissing ? { createMissing: true } : {}),
  };
}
