import readline from 'node:readline/promises';
import type { Command } from 'commander';
import { consoleInbox, consoleSay, createBot, renderReplies, type ConsoleOptions, type Reply } from '../compose.js';
import { CHANNEL_ID_PATTERN } from '../../core/operators.js';
import { commandCore, runAction, UserFacingError } from '../runtime.js';

function print(replies: Reply[], json: boolean): string[] {
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ replies: replies.map((r) => ({ text: r.title ? `${r.title}\n${r.text}` : r.text, buttons: (r.buttons ?? []).map((b) => ({ id: b.id, text: b.text })) })) })}\n`,
    );
    return [];
  }
  const { text, buttons } = renderReplies(replies);
  process.stdout.write(`${text}\n`);
  return buttons;
}

/** `steward chat`: talk to the bot as a chat user, without a messenger. */
export function registerChat(program: Command): void {
  program
    .command('chat')
    .description('以聊天用户身份和机器人对话 (talk to the bot from the terminal)')
    .argument('[text...]', '要发送的消息; 省略则进入交互模式')
    .requiredOption('--as <userId>', '聊天账号, 例如 demo-sales')
    .option('--channel <id>', '按哪个渠道的账号识别: wecom (企业微信)、dingtalk (钉钉)、feishu (飞书)…', 'wecom')
    .option('--group', '当作群聊消息 (个人信息脱敏)', false)
    .option('--click <buttonId>', '按下一个按钮 (按钮 id 见 --json 输出)')
    .option('--json', '输出 JSON: {"replies":[{"text","buttons":[{"id","text"}]}]}', false)
    .addHelpText(
      'after',
      '\n例子 (examples):\n  steward chat --as demo-sales "帮助"\n  steward chat --as demo-sales "停用客户 C20260012 客户要求"\n  steward chat --as demo-approver --json "待审批"\n  steward chat --as demo-approver --click approve:3\n  steward chat --as demo-admin "导入客户 ./客户.xlsx"   (试运行导入, 之后「确认导入 XXXX」)\n  steward chat --as demo-sales --channel feishu "帮助"\n  steward chat --as demo-sales            (交互模式 / interactive)',
    )
    .action((words: string[], o: { as: string; channel: string; group: boolean; click?: string; json: boolean }) =>
      runAction(async () => {
        if (!CHANNEL_ID_PATTERN.test(o.channel))
          throw new UserFacingError(
            `--channel 应为渠道 ID (小写字母开头, 2-32 位小写字母、数字或连字符), 例如 wecom、dingtalk、feishu; 收到「${o.channel}」`,
            2,
          );
        const core = await commandCore.open();
        const bot = createBot(core, { dispatch: false });
        const opts: ConsoleOptions = { as: o.as, door: o.channel, group: o.group };
        try {
          const inbox = await consoleInbox(bot.deps, opts);
          if (inbox.length && !o.json)
            process.stdout.write(`📬 你有 ${inbox.length} 条新通知:\n${renderReplies(inbox, 100).text}\n\n`);
          const text = words.join(' ');
          if (text || o.click) {
            print(await consoleSay(bot.deps, opts, { text, click: o.click }), o.json);
            return;
          }
          await interactive(bot.deps, opts);
        } finally {
          await commandCore.close(core);
        }
      }),
    );
}

async function interactive(deps: Parameters<typeof consoleSay>[0], opts: ConsoleOptions): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  process.stdout.write(
    `以 ${opts.as} 身份对话 (${opts.door}${opts.group ? ', 群聊' : ''})。发送「帮助」查看命令; 数字选择按钮; 输入 exit 退出。\n`,
  );
  let buttons: string[] = [];
  for (;;) {
    let line: string;
    try {
      line = (await rl.question('> ')).trim();
    } catch {
      break;
    }
    if (line === 'exit' || line === 'quit') break;
    const n = Number(line);
    const click = /^\d+$/.test(line) && buttons[n - 1] ? buttons[n - 1] : undefined;
    const replies = await consoleSay(deps, opts, click ? { click } : { text: line });
    buttons = print(replies, false);
    const inbox = await consoleInbox(deps, opts);
    if (inbox.length) process.stdout.write(`\n📬 新通知:\n${renderReplies(inbox, 100).text}\n`);
  }
  rl.close();
}
