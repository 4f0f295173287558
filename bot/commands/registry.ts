import type { Core } from '../../core/context.js';
import type { JoinedRead } from '../../core/data/sql.js';
import { can, type Action } from '../../core/permissions.js';
import type { OperatorLike } from '../../core/context.js';
import type { CommandContext } from './context.js';
import type { Reply } from '../types.js';
import { distance, splitArgs, type ParsedArgs } from './parse.js';

export interface ArgSpec {
  name: string;
  /** The Chinese name, also accepted as `标签=值`. */
  label: string;
  required?: boolean;
  /** Takes the rest of the words. */
  rest?: boolean;
  /** Not missing when one of these args is given instead (客户 分类=零售 needs no 编码). */
  requiredUnless?: string[];
  /** Only by position, never from `标签=值` (where the label word means a field, e.g. 修改客户's 编码=). */
  positional?: boolean;
}

/**
 * A destructive command's confirmation, typed by its payload `P`: proposeConfirm() stores
 * `{ commandId, key, payload }` in bot_conversations (so a restart or another instance keeps it),
 * and 确认 <key> calls this spec's act() with the payload. A new destructive command is one spec.
 */
export interface ConfirmSpec<P> {
  /** The verb on the confirm button: 「确认{label}」. */
  label: string;
  /** What the user types back after 确认 (a code, an order number). */
  key(payload: P): string;
  /** Runs the confirmed action. */
  act(ctx: CommandContext, payload: P): Promise<Reply>;
  /** Clean-up when the confirmation will not happen (取消, a wrong key). */
  discard?(ctx: CommandContext, payload: P): void;
}

/** A chat command as data: the registry parses, checks permission and generates help from it. */
export interface CommandSpec<P = unknown> {
  id: string;
  name: string;
  aliases?: string[];
  english?: string;
  args: ArgSpec[];
  permission: Action;
  sideEffect: boolean;
  summary: string;
  example: string;
  /** Hidden from the help list (e.g. 确认 is offered in replies). */
  hidden?: boolean;
  /** An answer that refines a pending confirmation (映射 after an import's dry run) instead of cancelling it. */
  keepsPending?: boolean;
  /**
   * A read-only command's first read (one row at most), sent in the same statement as the speaker
   * lookup so that a message costs one round trip; run() finds its row in ctx.preread. It is read
   * before the permission check and left unused when that fails.
   */
  preread?(core: Core, args: Record<string, string | undefined>): JoinedRead | null;
  run(ctx: CommandContext): Promise<Reply | Reply[]>;
  /** Set on commands that propose and act only after 确认 (see ConfirmSpec). */
  confirm?: ConfirmSpec<P>;
}

export interface Matched {
  spec: CommandSpec;
  args: Record<string, string | undefined>;
  raw: ParsedArgs;
  missing: ArgSpec | null;
}

const isCjk = (ch: string | undefined) => !!ch && /[\u4e00-\u9fff]/.test(ch);

/** The one place commands are registered; refuses duplicate ids and ambiguous names at start-up. */
export class CommandRegistry {
  private readonly specs: CommandSpec[] = [];
  private readonly byName = new Map<string, CommandSpec>();
  /** Names, longest first (so 查客户 wins over 查), kept sorted: match() runs on every message. */
  private longestFirst: string[] = [];

  register(spec: CommandSpec): this {
    if (this.specs.some((s) => s.id === spec.id)) throw new Error(`duplicate command id: ${spec.id}`);
    if (spec.confirm && !spec.sideEffect) throw new Error(`command ${spec.id} has a confirmation but no side effect`);
    for (const name of this.namesOf(spec)) {
      const other = this.byName.get(name);
      if (other) throw new Error(`ambiguous command name "${name}": used by ${other.id} and ${spec.id}`);
    }
    for (const name of this.namesOf(spec)) this.byName.set(name, spec);
    this.longestFirst = [...this.byName.keys()].sort((a, b) => b.length - a.length);
    this.specs.push(spec);
    return this;
  }

  private namesOf(spec: CommandSpec): string[] {
    return [spec.name, ...(spec.aliases ?? []), ...(spec.english ? [spec.english] : [])].map((n) => n.toLowerCase());
  }

  list(): readonly CommandSpec[] {
    return this.specs;
  }

  get(id: string): CommandSpec | undefined {
    return this.specs.find((s) => s.id === id);
  }

  /**
   * Finds the command a message starts with (the space after a Chinese name is optional). A space
   * typed inside a Chinese name (停用 客户 C001) is forgiven when nothing matches as typed.
   */
  match(text: string): Matched | null {
    const lower = text.toLowerCase();
    for (const name of this.longestFirst) {
      if (!lower.startsWith(name)) continue;
      const next = text[name.length];
      if (next !== undefined && next !== ' ' && !(isCjk(name.at(-1)) && !isCjk(next))) continue;
      const spec = this.byName.get(name)!;
      return this.bind(spec, text.slice(name.length).trim());
    }
    const joined = text.replace(/^(\p{Script=Han}+) +(?=\p{Script=Han})/u, '$1');
    return joined === text ? null : this.match(joined);
  }

  private bind(spec: CommandSpec, rest: string): Matched {
    const raw = splitArgs(rest);
    const args: Record<string, string | undefined> = {};
    const queue = [...raw.positional];
    for (const a of spec.args) {
      const named = a.positional ? undefined : (raw.named[a.name.toLowerCase()] ?? raw.named[a.label]);
      if (named !== undefined) args[a.name] = named;
      else if (a.rest) args[a.name] = queue.splice(0).join(' ') || undefined;
      else args[a.name] = queue.shift();
    }
    const missing =
      spec.args.find((a) => a.required && !args[a.name] && !(a.requiredUnless ?? []).some((n) => args[n])) ?? null;
    return { spec, args, raw, missing };
  }

  /** The closest command name to what was typed, for "did you mean". */
  suggest(text: string): CommandSpec | null {
    const word = text.split(' ')[0] ?? '';
    let best: { spec: CommandSpec; d: number } | null = null;
    for (const [name, spec] of this.byName) {
      if (spec.hidden) continue;
      const d = distance(word.toLowerCase(), name);
      if (!best || d < best.d) best = { spec, d };
    }
    return best && best.d <= Math.max(1, Math.floor(word.length / 2)) && best.d < word.length ? best.spec : null;
  }

  /** The usage line, generated from the spec: `停用客户 <编码> [原因] [备注]`. */
  usage(spec: CommandSpec): string {
    return [spec.name, ...spec.args.map((a) => (a.required ? `<${a.label}>` : `[${a.label}]`))].join(' ');
  }

  /** One command in detail. */
  helpFor(spec: CommandSpec): string {
    const aka = [...(spec.aliases ?? []), ...(spec.english ? [spec.english] : [])];
    return [
      `${this.usage(spec)}`,
      spec.summary,
      ...(aka.length ? [`别名: ${aka.join('、')}`] : []),
      `例如: ${spec.example}`,
    ].join('\n');
  }

  /** The whole list, one line per command; given an operator, only the commands their roles allow. */
  help(operator?: Pick<OperatorLike, 'roleList' | 'active'>): string {
    const lines = this.specs
      .filter((s) => !s.hidden && (!operator || can(operator, s.permission)))
      .map((s) => `• ${this.usage(s)} — ${s.summary}`);
    return ['可用命令:', ...lines, '', '发送「帮助 命令名」查看某个命令的用法和例子。'].join('\n');
  }
}
