import type { Core } from '../context.js';
import { backupRoot } from '../data/backup/manifest.js';
import { chainHead, checkpointSigned, findCheckpoints, type FoundCheckpoint } from './checkpoint.js';
import { verifyAuditChain, type ChainReport, type RestoreNote } from './verify.js';

/** What `steward audit verify` reports. */
export interface AuditVerification {
  ok: boolean;
  chain: ChainReport;
  /** The newest signed checkpoint found (all of them are compared). */
  checkpoint: FoundCheckpoint | null;
  /** One Chinese line per finding, problems first. */
  problems: string[];
  notes: string[];
}

const range = (from: number, to: number) => (from === to ? `#${from}` : `#${from}–#${to}`);

function restoreLine(r: RestoreNote): string {
  return `第 ${r.eventId} 条记录: ${r.at} ${r.by} 从备份「${r.backup}」还原了整个数据库, 链头由 #${r.headBefore.id} (共 ${r.headBefore.count} 条) 回到 #${r.headAfter.id} (共 ${r.headAfter.count} 条)${r.headBefore.id > r.headAfter.id ? `, 事件 ${range(r.headAfter.id + 1, r.headBefore.id)} 因还原而不在链中` : ''}。`;
}

/** Compares the chain with one signed checkpoint; returns the problem, or null with an optional note. */
async function compare(
  core: Core,
  found: FoundCheckpoint,
  chain: ChainReport,
): Promise<{ problem: string | null; explained?: boolean }> {
  const c = found.checkpoint;
  const head = await chainHead(core);
  const at = await core.models.AuditEvent.findByPk(c.id);
  if (c.id === 0 || (at && at.hash === c.hash)) {
    if (c.id && head.count < c.count)
      return {
        problem: `校验点 (${c.at}, ${found.source}) 时链中到 #${c.id} 共 ${c.count} 条, 现在只剩 ${head.count} 条: 有事件被删除。`,
      };
    return { problem: null };
  }
  // A restore recorded after the checkpoint explains why its head is gone.
  const explained = (chain.restores ?? []).find((r) => r.headBefore.id >= c.id && r.at >= c.at);
  if (explained) return { problem: null, explained: true };
  if (!at && head.id < c.id) {
    return {
      problem: `链被截断或回滚: 校验点 (${c.at}, ${found.source}) 记录链头为第 ${c.id} 条 (共 ${c.count} 条), 数据库里的链只到第 ${head.id} 条 (共 ${head.count} 条)。事件 ${range(head.id + 1, c.id)} 不在链中, 且链中没有还原记录说明 (可能被删除, 或数据库被回滚到旧备份)。`,
    };
  }
  return {
    problem: `第 ${c.id} 条与校验点 (${c.at}, ${found.source}) 记录的 hash 不符: 校验点之前的链被改写或回滚后重写。`,
  };
}

/**
 * The whole check: the chain itself (keyed links, personal data), then its head against the newest
 * signed checkpoint found (the append-only file, backup manifests, and any given, e.g. pasted from
 * the admins' chat). Restores recorded in the chain are listed, so a rollback is explained, not hidden.
 */
export async function verifyAudit(core: Core, extra: FoundCheckpoint[] = []): Promise<AuditVerification> {
  const chain = await verifyAuditChain(core);
  const problems: string[] = [];
  const notes: string[] = [];
  if (!chain.ok) problems.push(`审计链损坏: ${chain.reason}`);
  const all = [...extra, ...findCheckpoints(core.config, backupRoot(core.config))];
  const signed = all.filter((f) => checkpointSigned(core.keys, f.checkpoint));
  for (const f of all.filter((x) => !signed.includes(x)))
    notes.push(`忽略签名无效的校验点 (${f.source}): 不是用当前 STEWARD_AUDIT_KEY 签的。`);
  // Every signed checkpoint must still be in the chain, or be explained by a recorded restore.
  const seen = new Set<string>();
  const unique = signed.filter(
    (f) =>
      !seen.has(`${f.checkpoint.id}:${f.checkpoint.hash}`) &&
      Boolean(seen.add(`${f.checkpoint.id}:${f.checkpoint.hash}`)),
  );
  const newest =
    [...unique].sort((a, b) =>
      a.checkpoint.at < b.checkpoint.at
        ? 1
        : a.checkpoint.at > b.checkpoint.at
          ? -1
          : b.checkpoint.id - a.checkpoint.id,
    )[0] ?? null;
  if (chain.ok) {
    let explained = 0;
    for (const f of unique) {
      const r = await compare(core, f, chain);
      if (r.problem) problems.push(r.problem);
      else if (r.explained) explained++;
    }
    if (unique.length && !problems.length)
      notes.push(
        `与 ${unique.length} 个校验点比对一致${explained ? ` (其中 ${explained} 个的链头因还原而不在链中, 已由还原记录说明)` : ''}; 最新的是 ${newest!.checkpoint.at} (${newest!.source}): 第 ${newest!.checkpoint.id} 条, 共 ${newest!.checkpoint.count} 条。`,
      );
  }
  if (!newest) notes.push('没有找到校验点 (DATA_DIR/audit-checkpoints.jsonl、备份清单); 只检查了链本身。');
  for (const r of chain.restores ?? []) notes.push(restoreLine(r));
  return { ok: problems.length === 0, chain, checkpoint: newest, problems, notes };
}

/** The report as lines for the CLI and chat. */
export function auditVerificationText(v: AuditVerification): string {
  const head = v.ok
    ? `审计链完整: 共 ${v.chain.checked} 条事件, 每条都用审计密钥签名${v.checkpoint ? ', 与最新校验点一致' : ''}。`
    : `审计链校验未通过 (${v.problems.length} 个问题):`;
  return [head, ...v.problems.map((p) => `  ✗ ${p}`), ...v.notes.map((n) => `  · ${n}`)].join('\n');
}
