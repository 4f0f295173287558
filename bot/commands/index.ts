import { cancelCommand, confirmCommand } from './confirm.js';
import {
  approveRecodeCommand,
  codeCheckCommand,
  codeStatsCommand,
  pendingRecodesCommand,
  recodeCommand,
  rejectRecodeCommand,
} from './codes.js';
import {
  approveCommand,
  deleteCommand,
  pendingCommand,
  recycleCommand,
  rejectCommand,
  restoreCommand,
} from './deletion.js';
import { duplicatesCommand } from './duplicates.js';
import { createCommand, editCommand } from './edit.js';
import { helpCommand } from './help.js';
import { createMissingCommand, importCommand, mapValueCommand } from './import.js';
import { listsCommand } from './lists.js';
import {
  approveMergeCommand,
  mergeCommand,
  pendingMergesCommand,
  rejectMergeCommand,
  unmergeCommand,
} from './merge.js';
import { cancelOrderCommand, paymentCommand, releaseCommand } from './ledger.js';
import { customerQuery } from './query.js';
import { CommandRegistry } from './registry.js';
import { statsCommand } from './reports.js';
import { deactivateAllCommand, inactiveCommand, keepCommand } from './review.js';
import { deactivateCommand, reactivateCommand } from './status.js';

/** The one registry of chat commands. Building it throws on a duplicate id or ambiguous name. */
export function buildRegistry(): CommandRegistry {
  const registry = new CommandRegistry();
  registry
    .register(customerQuery)
    .register(createCommand)
    .register(editCommand)
    .register(deactivateCommand)
    .register(reactivateCommand)
    .register(deleteCommand)
    .register(restoreCommand)
    .register(recycleCommand)
    .register(pendingCommand)
    .register(approveCommand)
    .register(rejectCommand)
    .register(confirmCommand)
    .register(cancelCommand)
    .register(inactiveCommand)
    .register(keepCommand)
    .register(deactivateAllCommand)
    .register(statsCommand)
    .register(importCommand)
    .register(mapValueCommand)
    .register(createMissingCommand)
    .register(cancelOrderCommand)
    .register(paymentCommand)
    .register(releaseCommand)
    .register(mergeCommand)
    .register(approveMergeCommand)
    .register(rejectMergeCommand)
    .register(pendingMergesCommand)
    .register(unmergeCommand)
    .register(duplicatesCommand)
    .register(codeStatsCommand)
    .register(codeCheckCommand)
    .register(recodeCommand)
    .register(approveRecodeCommand)
    .register(rejectRecodeCommand)
    .register(pendingRecodesCommand)
    .register(listsCommand);
  registry.register(helpCommand(registry));
  return registry;
}
