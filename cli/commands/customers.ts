import type { Command } from 'commander';
import type { Core } from '../../core/context.js';
import { approveMerge } from '../../core/customers/merge/act.js';
import { mergeLine, movedText, planText } from '../../core/customers/merge/format.js';
import {
  absorbedOf,
  getMerge,
  pendingMerges,
  previewMerge,
  rejectMerge,
  requestMerge,
} from '../../core/customers/merge/request.js';
import { unmerge } from '../../core/customers/merge/undo.js';
import type { CustomerInput } from '../../core/customers/schema.js';
import { localTime } from '../../core/deletion/approvals.js';
import { commandCore, runAction, UserFacingError, type CoreSource } from '../runtime.js';
import { cliActor, confirm } from './data-support.js';

async function using<T>(source: CoreSource, fn: (core: Core) => Promise<T>): Promise<T> {
  const core = await source.open();
  try {
    return await fn(core);
  } finally {
    await source.close(core);
  }
}

const AS = ['--as <operator>', '以哪个操作员执行 (邮箱或聊天账号), 默认 STEWARD_OPERATOR 或 ADMIN_EMAIL'] as const;

/** `--set` field words (as in chat) → customer fields. */
const FIELDS: Record<string, keyof CustomerInput | 'owner'> = {
  名称: 'name',
  客户名称: 'name',
  name: 'name',
  联系人: 'contact',
  contact: 'contact',
  手机: 'phone',
  电话: 'phone',
  phone: 'phone',
  地址: 'address',
  address: 'address',
  分类: 'category',
  客户分类: 'category',
  category: 'category',
  备注: 'note',
  note: 'note',
  负责人: 'owner',
  owner: 'owner',
  区域: 'region',
  地区: 'region',
  region: 'region',
};

async function valuesFrom(core: Core, sets: string[]): Promise<CustomerInput> {
  const out: CustomerInput = {};
  for (const s of sets) {
    const m = /^([^=]+)=(.*)$/.exec(s);
    const key = m ? FIELDS[m[1]!.trim()] : undefined;
    if (!m || !key)
      throw new UserFacingError(
        `--set 应为 字段=值, 字段可用: 名称、联系人、手机、地址、分类、区域、备注、负责人 (收到「${s}」)。`,
        2,
      );
    const value = m[2]!.trim();
    if (key !== 'owner') (out as Record<string, string>)[key] = value;
    else {
      const op = await core.models.Operator.findOne({ where: { displayName: value } });
      if (!op) throw new UserFacingError(`找不到负责人「${value}」: 请写操作员姓名。`, 2);
      out.ownerId = op.id;
    }
  }
  return out;
}

const collect = (v: string, prev: string[]) => [...prev, v];

function id(raw: string): number {
  const n = Number(raw.replace(/^#/, ''));
  if (!Number.isInteger(n) || n <= 0) throw new UserFacingError(`合并单号应为数字 (收到「${raw}」)。`, 2);
  return n;
}

interface MergeOptions {
  reason: string;
  set: string[];
  yes: boolean;
  as?: string;
}

/** Shows what a merge would do; with --yes, files the request for another approver. */
async function proposeMerge(core: Core, keep: string, absorb: string[], o: MergeOptions): Promise<void> {
  const actor = await cliActor(core, o.as);
  const input = { keep, absorb, reason: o.reason, values: await valuesFrom(core, o.set) };
  const plan = await previewMerge(core, actor, input);
  process.stdout.write(`${planText(core, plan, o.reason)}\n`);
  if (!o.yes) {
    process.stdout.write('只显示了比较结果, 没有提交。确认无误后加 --yes 提交合并申请。\n');
    return;
  }
  const { merge } = await requestMerge(core, actor, input);
  process.stdout.write(
    `已提交合并申请 #${merge.id}, ${localTime(core, merge.expiresAt)} 前有效; 请另一位审批人执行 steward customers merge-approve ${merge.id} (或在聊天里「批准合并 ${merge.id}」)。\n`,
  );
}

/** `steward customers merge|merges|merge-approve|merge-reject|unmerge`: merging duplicate customers. */
export function registerCustomers(program: Command, source: CoreSource = commandCore): void {
  const cmd = program.command('customers').description('客户: 合并重复客户及撤销 (merge duplicate customers)');
  cmd
    .command('merge <keep> <absorb...>')
    .description('合并客户: 先显示差异和要转移的数据; 加 --yes 提交申请, 由另一位审批人批准后执行')
    .requiredOption('--reason <text>', '合并原因')
    .option('--set <字段=值>', '合并后改用的值, 可重复, 例如 --set 名称=杭州瑞丰五金有限公司', collect, [])
    .option('--yes', '确认提交合并申请 (否则只显示比较结果)', false)
    .option(...AS)
    .addHelpText(
      'after',
      '\n例子 (example):\n  steward customers merge C20260009 C20260011 --reason 重复录入 --set 名称=杭州瑞丰五金有限公司 --yes',
    )
    .action((keep: string, absorb: string[], o: MergeOptions) =>
      runAction(() => using(source, (core) => proposeMerge(core, keep, absorb, o))),
    );
  cmd
    .command('merges')
    .description('列出待审批的合并申请')
    .option(...AS)
    .action((o: { as?: string }) =>
      runAction(() =>
        using(source, async (core) => {
          const list = await pendingMerges(core, await cliActor(core, o.as));
          process.stdout.write(
            list.length ? `${list.map((m) => mergeLine(core, m)).join('\n')}\n` : '没有待审批的合并申请。\n',
          );
        }),
      ),
    );
  registerMergeDecisions(cmd, source);
}

/** `merge-approve`, `merge-reject` and `unmerge`: what an approver does with a merge request. */
function registerMergeDecisions(cmd: Command, source: CoreSource): void {
  cmd
    .command('merge-approve <id>')
    .description('批准合并申请并立即执行 (不能批准自己提交的)')
    .option(...AS)
    .action((raw: string, o: { as?: string }) =>
      runAction(() =>
        using(source, async (core) => {
          const r = await approveMerge(core, await cliActor(core, o.as), id(raw));
          process.stdout.write(
            `合并单 #${r.merge.id} 已执行: ${r.absorbed.map((a) => a.code).join('、')} 已并入 ${r.keep.code}; 转移了 ${movedText(r.moved)}。${localTime(core, r.undoableUntil).slice(0, 10)} 前可撤销 (steward customers unmerge ${r.merge.id})。\n`,
          );
        }),
      ),
    );
  cmd
    .command('merge-reject <id>')
    .description('驳回合并申请')
    .option('--note <text>', '理由', '')
    .option(...AS)
    .action((raw: string, o: { note: string; as?: string }) =>
      runAction(() =>
        using(source, async (core) => {
          const m = await rejectMerge(core, await cliActor(core, o.as), id(raw), o.note);
          process.stdout.write(`已驳回合并单 #${m.id}, 客户保持原状。\n`);
        }),
      ),
    );
  cmd
    .command('unmerge <id>')
    .description('撤销合并 (回收站保留期内): 数据移回, 并入的客户以原编码恢复')
    .option('--yes', '不再询问', false)
    .option(...AS)
    .action((raw: string, o: { yes: boolean; as?: string }) =>
      runAction(() =>
        using(source, async (core) => {
          const actor = await cliActor(core, o.as);
          const m = await getMerge(core, id(raw));
          await confirm(
            `将撤销合并单 #${m.id}: ${absorbedOf(m)
              .map((a) => a.code)
              .join('、')} 从 ${m.keepCode} 中恢复为独立客户。`,
            o.yes,
          );
          const r = await unmerge(core, actor, m.id);
          process.stdout.write(
            `已撤销合并单 #${r.merge.id}: ${r.restored.map((c) => c.code).join('、')} 已恢复为独立客户, 数据已从 ${r.keep.code} 移回。\n`,
          );
        }),
      ),
    );
}
