import type { Actor, Core } from '../../core/context.js';
import type { Operator } from '../../models/index.js';
import type { ConversationStore } from '../conversation.js';
import type { Notifier } from '../notify/notifier.js';
import type { IncomingMessage } from '../types.js';
import type { ParsedArgs } from './parse.js';
import type { CommandRegistry } from './registry.js';

/** What the pipeline holds for every message. */
export interface BotDeps {
  core: Core;
  registry: CommandRegistry;
  conversations: ConversationStore;
  notifier: Notifier;
}

/** What a command's run() gets: the speaker as a core Actor, its arguments, and the deps. */
export interface CommandContext {
  deps: BotDeps;
  core: Core;
  actor: Actor;
  operator: Operator;
  msg: IncomingMessage;
  args: Record<string, string | undefined>;
  raw: ParsedArgs;
  /** What the spec's preread found (null: nothing), when the read-only path sent it; else undefined. */
  preread?: Record<string, unknown> | null;
  /** Re-runs the pipeline's command step with other text (after a confirmation or a pick). */
  dispatch(text: string): Promise<import('../types.js').Reply[]>;
}
