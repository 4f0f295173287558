import { Command } from 'commander';

type Registrar = (program: Command) => void;

/**
 * Each group of commands, loaded only when needed: `steward chat …` imports the chat door alone,
 * and `steward --help` (from dist/, see cli/help-index.ts) imports none of them.
 */
export const REGISTRARS: Record<string, () => Promise<Registrar>> = {
  serve: async () => (await import('./commands/serve.js')).registerServe,
  core: async () => (await import('./commands/core-commands.js')).registerCoreCommands,
  chat: async () => (await import('./commands/chat.js')).registerChat,
  jobs: async () => (await import('./commands/jobs.js')).registerJobs,
  data: async () => (await import('./commands/data.js')).registerDataCommands,
  connect: async () => (await import('./commands/connect.js')).registerConnect,
  ledger: async () => (await import('./commands/ledger.js')).registerLedgerCommands,
  webhooks: async () => (await import('./commands/webhooks.js')).registerWebhooks,
  apiToken: async () => (await import('./commands/api-token.js')).registerApiToken,
  operators: async () => (await import('./commands/operators.js')).registerOperators,
  customers: async () => (await import('./commands/customers.js')).registerCustomers,
  codes: async () => (await import('./commands/codes.js')).registerCodes,
  admin: async () => (await import('./commands/admin.js')).registerAdmin,
  audit: async () => (await import('./commands/audit.js')).registerAudit,
};

/** The bare `steward` program: name, description and error handling, no commands. */
export function emptyProgram(): Command {
  return new Command('steward')
    .description('customer-steward 客户主数据管家: 运维命令 (operator CLI)')
    .showHelpAfterError('(用 --help 查看用法 / run with --help for usage)')
    .exitOverride();
}

/** The `steward` operator command with the given groups (default: all), in help order. */
export async function buildProgram(groups: string[] = Object.keys(REGISTRARS)): Promise<Command> {
  const program = emptyProgram();
  const registrars = await Promise.all(groups.map((g) => REGISTRARS[g]!()));
  for (const register of registrars) register(program);
  return program;
}
