import type { Command } from 'commander';
import type { Core } from '../../core/context.js';
import {
  checkJsherp,
  checkText,
  decideLink,
  importUnmatched,
  jshError,
  listCandidates,
  openConfigured,
  syncState,
  type JshDb,
} from '../../core/ledger/jsherp/index.js';
import { jsherpSyncJob, outboxFor, runJob } from '../compose.js';
import { UserFacingError, runAction } from '../runtime.js';
import { cliActor, withCore } from './data-support.js';

interface ConnectOptions {
  check?: boolean;
  sync?: boolean;
  full?: boolean;
  links?: boolean;
  link?: string;
  importUnmatched?: boolean;
  commit?: boolean;
  as?: string;
}

async function withJsh<T>(core: Core, fn: (db: JshDb) => Promise<T>): Promise<T> {
  let db: JshDb;
  try {
    db = openConfigured(core.config);
  } catch (err) {
    throw new UserFacingError((err as Error).message, 2);
  }
  try {
    return await fn(db);
  } catch (err) {
    const e = jshError(db, err);
    throw new UserFacingError(e.message, 1);
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** --sync: the same job the scheduler runs (a job_runs row with counts); --full forces the reconcile. */
async function sync(core: Core, full: boolean): Promise<number> {
  if (full && core.config.JSHERP_TENANT_ID !== undefined)
    await (await syncState(core, core.config.JSHERP_TENANT_ID)).update({ lastFullAt: null });
  const result = await runJob(core, jsherpSyncJob, { notifier: outboxFor(core), trigger: 'manual' });
  if (!result.claimed) throw new UserFacingError('同步没有运行 (时段已被占用)。', 1);
  process.stdout.write(`${result.run.summary ?? ''}\n运行记录 #${result.run.id}\n`);
  return result.run.status === 'failed' ? 1 : 0;
}

async function links(core: Core, db: JshDb, as: string | undefined): Promise<void> {
  const actor = await cliActor(core, as);
  const list = await listCandidates(core, actor, db.tenantId);
  if (!list.length) {
    process.stdout.write('没有待确认的 jshERP 客户: 全部已关联。\n');
    return;
  }
  process.stdout.write(`待人工确认的 jshERP 客户 ${list.length} 个 (租户 ${db.tenantId}):\n`);
  for (const c of list) {
    const matches = c.matches
      ? (JSON.parse(c.matches) as { code: string; by: string }[])
          .map((m) => `${m.code}(${m.by === 'phone' ? '手机' : '名称'})`)
          .join('、')
      : '';
    process.stdout.write(
      c.kind === 'ambiguous'
        ? `  #${c.jshId}\t${c.jshName}\t多个可能: ${matches}\n`
        : `  #${c.jshId}\t${c.jshName}\t没有对应客户\n`,
    );
  }
  process.stdout.write(
    '\n关联: steward connect jsherp --link <客户编码>=<jshERP id>\n未关联的建为新客户: steward connect jsherp --import-unmatched (先试运行, 加 --commit 写入)\n',
  );
}

async function run(o: ConnectOptions): Promise<number | void> {
  return withCore(false, async (core) => {
    if (o.sync) return sync(core, Boolean(o.full));
    return withJsh(core, async (db) => {
      if (o.link) {
        const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(o.link);
        if (!m)
          throw new UserFacingError(
            `--link 的格式是 <客户编码>=<jshERP id>, 例如 --link C20260001=118; 收到「${o.link}」。`,
            2,
          );
        const r = await decideLink(core, await cliActor(core, o.as), db, m[1]!, Number(m[2]));
        process.stdout.write(`已关联: 客户 ${r.code} ↔ jshERP #${r.jshId}「${r.jshName}」。下次同步起带入其单据。\n`);
        return;
      }
      if (o.importUnmatched) {
        const r = await importUnmatched(core, await cliActor(core, o.as), db, { commit: Boolean(o.commit) });
        const rep = r.report;
        process.stdout.write(
          `未关联的 jshERP 客户 ${r.candidates} 个${rep.dryRun ? ' (试运行, 未写入)' : ''}: 新增 ${rep.created}, 跳过 ${rep.skipped}, 错误 ${rep.errors.length}${rep.duplicates.length ? `, 疑似重复 ${rep.duplicates.length}` : ''}\n`,
        );
        for (const e of rep.errors.slice(0, 10)) process.stdout.write(`  ${JSON.stringify(e)}\n`);
        process.stdout.write(
          rep.committed
            ? `已写入, 导入批次 ${rep.batchId}, 已关联 ${r.linked} 个 (撤销: steward import undo ${rep.batchId})。\n`
            : '加 --commit 写入。\n',
        );
        return rep.errors.length && !rep.committed ? 1 : 0;
      }
      if (o.links) return links(core, db, o.as);
      process.stdout.write(`${checkText(await checkJsherp(db, core.config.JSHERP_WRITE_BACK))}\n`);
    });
  });
}

/** `steward connect jsherp --check | --sync [--full] | --links | --link C=ID | --import-unmatched [--commit]`. */
export function registerConnect(program: Command): void {
  program
    .command('connect')
    .description('连接进销存 (connect an ERP): 目前支持 jshERP')
    .argument('<erp>', 'jsherp')
    .option('--check', '测试连接、表结构和租户, 显示客户数、未完成销售订单数、应收合计 (默认)')
    .option('--sync', '立即同步一次 (记入任务运行表)')
    .option('--full', '与 --sync 一起: 全量核对 (关闭 jshERP 中已不存在的未完成单据)')
    .option('--links', '列出待人工确认的 jshERP 客户 (多个可能 / 没有对应)')
    .option('--link <code=id>', '人工关联: 本系统客户编码 = jshERP 客户 id')
    .option('--import-unmatched', '把没有对应的 jshERP 客户导入为新客户 (试运行)')
    .option('--commit', '与 --import-unmatched 一起: 写入')
    .option('--as <operator>', '以该操作员身份 (邮箱 / 企业微信 / 钉钉账号)')
    .action((erp: string, o: ConnectOptions) =>
      runAction(async () => {
        if (erp.toLowerCase() !== 'jsherp')
          throw new UserFacingError(
            `暂不支持「${erp}」: 目前只能连接 jshERP (steward connect jsherp --check)。其他进销存请用 API 推送或文件导入。`,
            2,
          );
        return run(o);
      }),
    );
}
