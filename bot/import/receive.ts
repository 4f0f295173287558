import type { Actor } from '../../core/context.js';
import { isDomainError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { can } from '../../core/permissions.js';
import type { Operator } from '../../models/index.js';
import type { BotDeps } from '../commands/context.js';
import type { IncomingMessage, Reply } from '../types.js';
import { downloadFailureText, importName, refuseByName } from './file-name.js';
import { dryRunStaged } from './dry-run.js';
import { BACK_OFFICE_IMPORT } from './report.js';
import { asPendingImport, discard, stage, sweepStaged } from './staging.js';

/** Dry runs still running after their acknowledgement, per bot, so shutdown can wait for them. */
const running = new WeakMap<BotDeps, Set<Promise<void>>>();

/** Resolves when every background dry run of this bot has finished (shutdown, tests). */
export async function importsIdle(deps: BotDeps): Promise<void> {
  const set = running.get(deps);
  while (set?.size) await Promise.allSettled([...set]);
}

/**
 * A file arrived in chat. What can be refused without downloading is refused at once (group chat,
 * no 导入客户 permission, a name that is not .xlsx/.csv). Otherwise the download and dry run may
 * take longer than a messenger waits for its webhook answer, so the user gets 「已收到文件」 now and
 * the report through the outbox when it is ready; the console (patient) waits for the report.
 */
export async function receiveFile(
  deps: BotDeps,
  msg: IncomingMessage,
  operator: Operator,
  actor: Actor,
  log: Logger,
): Promise<Reply[]> {
  const file = msg.file!;
  if (msg.chatType === 'group') return [{ text: '请在和我的单聊里发送文件导入。群聊里的文件不会被下载或导入。' }];
  if (!can(operator, 'import')) {
    return [
      {
        text: `${operator.displayName} 没有「导入客户」权限, 文件没有下载, 也没有导入。请联系管理员开通, 或请有权限的同事导入。`,
      },
    ];
  }
  const refused = refuseByName(file.name);
  if (refused) return [{ text: refused }];
  const work = checkFile(deps, msg, actor, log).catch((err: unknown): Reply[] => {
    log.error({ err }, 'chat import dry run failed');
    return [
      {
        text: `检查文件时出错了, 已记录 (编号 ${msg.messageKey.slice(0, 24)}), 没有导入任何数据。请稍后重新发送, 或在${BACK_OFFICE_IMPORT}上传。`,
      },
    ];
  });
  if (file.patient) return work;
  const delivered = work
    .then((replies) => deps.notifier.replyLater(msg, replies, operator.id))
    .catch((err: unknown) => log.error({ err }, 'chat import report not queued'));
  const set = running.get(deps) ?? new Set<Promise<void>>();
  running.set(deps, set);
  set.add(delivered);
  void delivered.finally(() => set.delete(delivered));
  return [
    { text: `已收到文件${file.name ? `「${file.name}」` : ''}, 正在检查 (试运行, 不会写入)…… 检查结果稍后发给你。` },
  ];
}

/** Downloads, stages and dry-runs the file; stores the pending import when there is something to confirm. */
async function checkFile(deps: BotDeps, msg: IncomingMessage, actor: Actor, log: Logger): Promise<Reply[]> {
  const { core } = deps;
  const maxMb = core.config.IMPORT_MAX_FILE_MB;
  let got: { data: Buffer; name: string | null };
  try {
    got = await msg.file!.download(maxMb * 1024 * 1024);
  } catch (err) {
    log.warn({ err: (err as Error).message, kind: (err as { kind?: string }).kind }, 'chat import file not fetched');
    return [{ text: downloadFailureText(err, msg.file!.name, maxMb) }];
  }
  const named = importName(got.name ?? msg.file!.name, got.data);
  if ('refuse' in named) return [{ text: named.refuse }];
  await sweepStaged(core).catch((err: unknown) => log.warn({ err }, 'chat import sweep failed'));
  const staged = stage(core, got.data);
  try {
    const { report, replies } = await dryRunStaged(deps, msg, actor, { id: staged.id, fileName: named.name }, {}, () =>
      replacePending(deps, msg),
    );
    log.info(
      {
        created: report.created,
        updated: report.updated,
        errors: report.errors.length,
        unknownValues: report.unknownValues.length,
        already: Boolean(report.alreadyImported),
      },
      'chat import dry run',
    );
    return replies;
  } catch (err) {
    discard(core, staged.id);
    if (!isDomainError(err)) throw err;
    log.info({ code: err.code }, 'chat import refused by core');
    return [{ text: `${err.message}\n(改好后重新发送文件即可; 模板在${BACK_OFFICE_IMPORT}里下载。)` }];
  }
}

/** A new import replaces whatever was waiting for confirmation; an older import's file goes at once. */
async function replacePending(deps: BotDeps, msg: IncomingMessage): Promise<Reply[]> {
  const before = await deps.conversations.get<{ key?: string }>(msg.channel, msg.userId);
  if (before?.kind !== 'confirm') return [];
  const older = asPendingImport(before.payload);
  if (older) discard(deps.core, older.file);
  return [{ text: `(已取消之前待确认的操作: ${before.payload.key ?? ''}, 没有做任何改动。)` }];
}
