import type { Command } from 'commander';
import {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  TOKEN_CACHE_MS,
  type ApiTokenInfo,
} from '../../core/api/tokens.js';
import { API_SCOPES } from '../../core/api/scopes.js';
import { localTime } from '../../core/deletion/approvals.js';
import type { Core } from '../../core/context.js';
import { commandCore, runAction, type CoreSource } from '../runtime.js';
import { cliActor, usingCore as using } from './data-support.js';

const STATE_LABELS: Record<ApiTokenInfo['state'], string> = { active: '有效', expired: '已过期', revoked: '已吊销' };

function listLine(core: Core, t: ApiTokenInfo): string {
  const when = (d: Date | null, none: string) => (d ? localTime(core, d) : none);
  return `${t.name}\t${t.prefix}…\t${t.scopes.join(',')}\t${STATE_LABELS[t.state]}\t过期: ${when(t.expiresAt, '永不')}\t最近使用: ${when(t.lastUsedAt, '从未')}\t创建: ${when(t.createdAt, '')} ${t.createdBy}`;
}

interface CreateOptions {
  name: string;
  scopes: string;
  expires?: string;
  as?: string;
  json: boolean;
}

/** Creates a token and shows it this once (only its sha256 is stored). */
async function createToken(core: Core, o: CreateOptions): Promise<void> {
  const { token, info } = await createApiToken(core, await cliActor(core, o.as), {
    name: o.name,
    scopes: o.scopes,
    expires: o.expires ?? null,
  });
  if (o.json) {
    process.stdout.write(`{"token": ${JSON.stringify(token)}}\n`);
    return;
  }
  process.stdout.write(
    [
      `已创建 API 令牌「${info.name}」(权限: ${info.scopes.join(', ')}; 过期: ${info.expiresAt ? localTime(core, info.expiresAt) : '永不'}):`,
      '',
      `  ${token}`,
      '',
      '令牌只显示这一次, 请立即保存到调用方的配置里 (数据库只保存它的 sha256, 无法找回)。',
      `调用时带请求头: Authorization: Bearer ${info.prefix}…`,
      '',
    ].join('\n'),
  );
}

/** `steward api-token create|list|revoke`: tokens for the HTTP API (/api/v1). */
export function registerApiToken(program: Command, source: CoreSource = commandCore): void {
  const cmd = program.command('api-token').description('HTTP API 令牌: 创建 (只显示一次)、列出、吊销 (API tokens)');
  cmd
    .command('create')
    .description('创建令牌; 令牌只显示这一次, 数据库只存它的 sha256')
    .requiredOption('--name <name>', '令牌名称, 例如 erp (审计记录里显示为 API:<名称>)')
    .requiredOption('--scopes <list>', `权限范围, 逗号分隔: ${API_SCOPES.join(', ')}`)
    .option('--expires <date>', '过期日期 YYYY-MM-DD (当天 0 点起失效); 默认永不过期')
    .option('--as <operator>', '以哪个操作员执行 (邮箱或聊天账号), 默认 STEWARD_OPERATOR 或 ADMIN_EMAIL')
    .option('--json', '只输出 {"token": "…"}', false)
    .action((o: CreateOptions) => runAction(() => using(source, o.json, (core) => createToken(core, o))));
  cmd
    .command('list')
    .description('列出全部令牌 (不含令牌本身)')
    .option('--as <operator>', '以哪个操作员执行')
    .option('--json', '输出 JSON', false)
    .action((o: { as?: string; json: boolean }) =>
      runAction(() =>
        using(source, o.json, async (core) => {
          const tokens = await listApiTokens(core, await cliActor(core, o.as));
          if (o.json) {
            process.stdout.write(`${JSON.stringify(tokens.map(({ id: _id, ...t }) => t))}\n`);
            return;
          }
          process.stdout.write(
            tokens.length
              ? `${tokens.map((t) => listLine(core, t)).join('\n')}\n`
              : '还没有 API 令牌。用 steward api-token create --name erp --scopes customers:read 创建。\n',
          );
        }),
      ),
    );
  cmd
    .command('revoke')
    .description(`吊销令牌 (运行中的服务最多 ${TOKEN_CACHE_MS / 1000} 秒内开始拒绝它)`)
    .argument('<name>', '令牌名称')
    .option('--as <operator>', '以哪个操作员执行')
    .action((name: string, o: { as?: string }) =>
      runAction(() =>
        using(source, false, async (core) => {
          const t = await revokeApiToken(core, await cliActor(core, o.as), name);
          process.stdout.write(
            `已吊销令牌「${t.name}」。正在运行的服务最多 ${TOKEN_CACHE_MS / 1000} 秒内开始拒绝它 (各实例缓存已验证的令牌 ${TOKEN_CACHE_MS / 1000} 秒)。\n`,
          );
        }),
      ),
    );
}
