import { Command, CommanderError } from 'commander';
import { registerCoreCommands } from './commands/core-commands.js';
import { registerServe } from './commands/serve.js';
import { registerChat } from './commands/chat.js';
import { registerJobs } from './commands/jobs.js';
import { registerDataCommands } from './commands/data.js';
import { registerConnect } from './commands/connect.js';
import { registerLedgerCommands } from './commands/ledger.js';
import { registerWebhooks } from './commands/webhooks.js';
import { registerApiToken } from './commands/api-token.js';
import { registerOperators } from './commands/operators.js';
import { registerCustomers } from './commands/customers.js';
import { registerCodes } from './commands/codes.js';
import { registerAdmin } from './commands/admin.js';
import { registerAudit } from './commands/audit.js';
import { limitHeapGrowth } from '../core/heap.js';

/** The `steward` operator command. */
export function buildProgram(): Command {
  const program = new Command('steward')
    .description('customer-steward 客户主数据管家: 运维命令 (operator CLI)')
    .showHelpAfterError('(用 --help 查看用法 / run with --help for usage)')
    .exitOverride();
  registerServe(program);
  registerCoreCommands(program);
  registerChat(program);
  registerJobs(program);
  registerDataCommands(program);
  registerConnect(program);
  registerLedgerCommands(program);
  registerWebhooks(program);
  registerApiToken(program);
  registerOperators(program);
  registerCustomers(program);
  registerCodes(program);
  registerAdmin(program);
  registerAudit(program);
  return program;
}

limitHeapGrowth();
// `steward chat … | head` closes the pipe early: that is the reader's choice, not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else throw err;
}
