import type { Command } from 'commander';
import { WEBHOOK_EVENTS } from '../../core/webhooks/catalogue.js';
import {
  addSubscription,
  listSubscriptions,
  removeSubscription,
  replayDelivery,
} from '../../core/webhooks/subscriptions.js';
import type { Core } from '../../core/context.js';
import { runAction, UserFacingError } from '../runtime.js';
import { cliActor, withCore } from './data-support.js';

function positiveId(raw: string, what: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UserFacingError(`${what}应为正整数, 收到「${raw}」。`, 2);
  return Number(raw);
}

const out = (text: string) => process.stdout.write(text);

interface AddOptions {
  url: string;
  events: string;
  secret?: string;
  as?: string;
  json: boolean;
}

/** Subscribes a URL; a generated signing secret is shown this once. */
async function addWebhook(core: Core, o: AddOptions): Promise<void> {
  const {
    subscription: s,
    secret,
    generated,
  } = await addSubscription(core, await cliActor(core, o.as), {
    url: o.url,
    events: o.events,
    secret: o.secret,
  });
  if (o.json) out(`${JSON.stringify({ id: s.id, url: s.url, events: s.events, ...(generated ? { secret } : {}) })}\n`);
  else {
    out(`已新增 webhook 订阅 #${s.id}: ${s.url}\n  事件: ${s.events}\n`);
    if (generated) out(`  签名密钥 (只显示这一次, 请交给接收方保存): ${secret}\n`);
  }
}

/** `steward webhooks add|list|remove|replay`: outbound webhook subscriptions. */
export function registerWebhooks(program: Command): void {
  const hooks = program.command('webhooks').description('Webhook 订阅: 客户变更推送到其他系统 (outbound webhooks)');
  hooks
    .command('add')
    .description('新增订阅; 未给 --secret 时生成签名密钥, 只显示这一次')
    .requiredOption('--url <url>', '接收地址, http(s)://…')
    .requiredOption('--events <list>', `事件类型, 逗号分隔, * 表示全部: ${WEBHOOK_EVENTS.join(', ')}`)
    .option('--secret <secret>', '签名密钥 (16–200 个字符); 默认自动生成 whsec_…')
    .option('--as <operator>', '以哪位操作员身份执行 (邮箱、企业微信或钉钉账号)')
    .option('--json', '输出 JSON: {"id","url","events","secret"}', false)
    .action((o: AddOptions) => runAction(() => withCore(o.json, (core) => addWebhook(core, o))));
  hooks
    .command('list')
    .description('列出订阅 (不显示密钥)')
    .option('--as <operator>', '以哪位操作员身份执行')
    .option('--json', '输出 JSON 数组', false)
    .action((o: { as?: string; json: boolean }) =>
      runAction(() =>
        withCore(o.json, async (core) => {
          const subs = await listSubscriptions(core, await cliActor(core, o.as));
          if (o.json) return void out(`${JSON.stringify(subs)}\n`);
          if (!subs.length) return void out('还没有 webhook 订阅。用 steward webhooks add --url … --events … 新增。\n');
          for (const s of subs)
            out(`#${s.id}\t${s.active ? '启用' : '已删除'}\t${s.url}\t${s.events}\t${s.createdBy}\n`);
        }),
      ),
    );
  hooks
    .command('remove')
    .description('删除订阅: 不再推送, 未送达的投递标记为失败')
    .argument('<id>', '订阅编号')
    .option('--as <operator>', '以哪位操作员身份执行')
    .action((id: string, o: { as?: string }) =>
      runAction(() =>
        withCore(false, async (core) => {
          const s = await removeSubscription(core, await cliActor(core, o.as), positiveId(id, '订阅编号'));
          out(`已删除 webhook 订阅 #${s.id}: ${s.url}\n`);
        }),
      ),
    );
  hooks
    .command('replay')
    .description('重新投递: 同一事件 (相同事件 ID) 排到该订阅队尾, 发送时重新签名')
    .argument('<deliveryId>', '投递编号 (后台「Webhook 投递记录」里的编号)')
    .option('--as <operator>', '以哪位操作员身份执行')
    .action((id: string, o: { as?: string }) =>
      runAction(() =>
        withCore(false, async (core) => {
          const row = await replayDelivery(core, await cliActor(core, o.as), positiveId(id, '投递编号'));
          out(`已重新排队: 投递 #${row.id} (事件 ${row.ref}); 运行中的服务会按顺序发送。\n`);
        }),
      ),
    );
}
