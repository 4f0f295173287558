import os from 'node:os';
import readline from 'node:readline/promises';
import cliProgress from 'cli-progress';
import { Op } from 'sequelize';
import type { Actor, Core, OperatorLike } from '../../core/context.js';
import path from 'node:path';
import { writeErrorReport, type ImportReport, type Progress } from '../../core/data/index.js';
import { isDomainError } from '../../core/errors.js';
import { commandCore, UserFacingError, type CoreSource } from '../runtime.js';

/**
 * The operator the CLI acts as: `--as`, else STEWARD_OPERATOR (an e-mail or a linked chat account
 * id on any channel), else the ADMIN_EMAIL account. A database with no operators yet (a fresh install about
 * to be restored or imported into) gets the shell user, recorded as 命令行:<user> with admin rights:
 * whoever runs this already holds the database credentials.
 */
export async function cliActor(core: Core, as?: string): Promise<Actor> {
  const ref = (as ?? core.config.STEWARD_OPERATOR)?.trim();
  const { Operator } = core.models;
  if (ref) {
    const linked = await core.models.OperatorIdentity.findAll({
      where: { externalId: ref },
      attributes: ['operatorId'],
    });
    const matches = await Operator.findAll({
      where: { [Op.or]: [{ email: ref.toLowerCase() }, { id: linked.map((l) => l.operatorId) }] },
    });
    if (matches.length > 1)
      throw new UserFacingError(
        `「${ref}」对应多个操作员 (${matches.map((o) => o.displayName).join('、')}): 请改用操作员的邮箱。`,
        2,
      );
    const op = matches[0];
    if (!op)
      throw new UserFacingError(
        `找不到操作员「${ref}」: --as / STEWARD_OPERATOR 应为操作员的邮箱或已关联的聊天账号 (企业微信、钉钉、飞书等)。`,
        2,
      );
    if (!op.active) throw new UserFacingError(`操作员「${ref}」(${op.displayName}) 已停用, 不能用来执行命令。`, 2);
    return { operator: op, door: 'cli' };
  }
  const admin = await Operator.findOne({ where: { email: core.config.ADMIN_EMAIL.toLowerCase(), active: true } });
  if (admin) return { operator: admin, door: 'cli' };
  const shellUser: OperatorLike = {
    id: null,
    displayName: `命令行:${os.userInfo().username}`.slice(0, 100),
    active: true,
    roleList: () => ['admin'],
  };
  return { operator: shellUser, door: 'cli' };
}

const PHASES: Record<Progress['phase'], string> = { read: '读取', check: '校验', write: '写入' };

/** A progress bar with rows/s and ETA on a TTY (stderr); nothing otherwise. */
export function progressBar(enabled: boolean): { update: (p: Progress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{phase} |{bar}| {percentage}% | {value}/{total} 行 | {speed} 行/秒 | 剩余 {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = 0;
  let phase = '';
  return {
    update(p) {
      if (p.phase !== phase) {
        if (phase) bar.stop();
        phase = p.phase;
        started = Date.now();
        bar.start(p.total ?? p.done, 0, { phase: PHASES[p.phase], speed: 0 });
      }
      if (p.total) bar.setTotal(p.total);
      const secs = (Date.now() - started) / 1000;
      bar.update(p.done, { phase: PHASES[p.phase], speed: secs > 0 ? Math.round(p.done / secs) : 0 });
    },
    stop: () => {
      if (phase) bar.stop();
    },
  };
}

/** Prints a summary: JSON on stdout with --json, else the human lines. */
export function output(json: boolean, summary: unknown, lines: string[]): void {
  process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `${lines.join('\n')}\n`);
}

/** In --json mode a refusal is printed as JSON too, so scripts always get parseable output. */
export function jsonFailure(json: boolean, err: unknown): never {
  if (json && (isDomainError(err) || err instanceof UserFacingError)) {
    process.stdout.write(
      `${JSON.stringify({ error: { code: isDomainError(err) ? err.code : 'USAGE', message: (err as Error).message } })}\n`,
    );
  }
  throw err;
}

/** Asks for confirmation on a TTY; a script must pass --yes instead. */
export async function confirm(question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new UserFacingError('这是不可撤销的操作, 需要确认: 非交互环境请加 --yes。', 2);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question}\n输入 yes 继续 (type yes to continue): `)).trim().toLowerCase();
    if (answer !== 'yes' && answer !== 'y') throw new UserFacingError('已取消, 没有做任何改动。', 1);
  } finally {
    rl.close();
  }
}

/** Opens the core, runs `fn`, always closes the connection; --json refusals print as JSON. */
export async function withCore<T>(json: boolean | undefined, fn: (core: Core) => Promise<T>): Promise<T> {
  return usingCore(commandCore, Boolean(json), fn);
}

/** Writes the error workbook (customer or ledger import) next to the input (or where asked), falling back to the working directory. */
export async function saveErrorReport(
  report: Pick<ImportReport, 'headerLabels' | 'failedRows'>,
  file: string,
  out?: string,
): Promise<string | null> {
  if (!report.failedRows.length) return null;
  const name = `${path.basename(file, path.extname(file))}-错误报告.xlsx`;
  const target = out ?? path.join(path.dirname(path.resolve(file)), name);
  try {
    await writeErrorReport(report, target);
    return target;
  } catch {
    await writeErrorReport(report, path.resolve(name));
    return path.resolve(name);
  }
}

/** Opens a core for one command, turns a failure into the CLI's answer (JSON when asked) and always closes it. */
export async function usingCore<T>(source: CoreSource, json: boolean, fn: (core: Core) => Promise<T>): Promise<T> {
  const core = await source.open().catch((err: unknown) => jsonFailure(json, err));
  try {
    return await fn(core);
  } catch (err) {
    return jsonFailure(json, err);
  } finally {
    await source.close(core);
  }
}
