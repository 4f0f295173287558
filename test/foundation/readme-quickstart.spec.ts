import fs from 'node:fs';
import { beforeAll, expect, it } from '@jest/globals';
import { Op } from 'sequelize';
import { eachDialect } from '../helpers/db.js';
import { seedDemoForTest } from '../helpers/demo-seed.js';
import { runProgram } from '../helpers/steward-cli.js';

interface Line {
  as: string;
  text: string;
  /** The follow-up its comment names ("then: 确认 C20260041"). */
  then?: string;
}

/** The chat commands of the README's "Try the bot without a messenger", in order (the interactive line has none). */
function quickStart(): Line[] {
  const section = fs.readFileSync('README.md', 'utf8').split('### Try the bot without a messenger')[1]!;
  const start = section.indexOf('```bash') + '```bash'.length;
  const block = section.slice(start, section.indexOf('```', start));
  return block.split('\n').flatMap((line) => {
    const m = /^npx steward chat --as (\S+) "([^"]+)"(?:.*then: (\S+ \S+))?/.exec(line.trim());
    return m ? [{ as: m[1]!, text: m[2]!, ...(m[3] ? { then: m[3] } : {}) }] : [];
  });
}

/** What a reply says when a command was refused or went nowhere. */
const REFUSED = /不归|没有权限|找不到|不存在|没有等待确认|不能删除|无法|已失效|没有等你审批|没有开通/;

// A new user's first commands: each must do what the README says, on the demo data `npm start` seeds.
eachDialect("the README's quick start in the console door", (h) => {
  beforeAll(() => seedDemoForTest(h.core));

  it('runs every chat line as written: 停用, a delete request, its approval, and the restore', async () => {
    const lines = quickStart();
    expect(lines.map((l) => l.text.split(' ')[0])).toEqual(['帮助', '停用客户', '删除客户', '待审批', '恢复客户']);
    const said: string[] = [];
    const chat = async (as: string, text: string) => {
      const r = await runProgram(h.core, ['chat', '--json', '--as', as, text]);
      const reply = (JSON.parse(r.out) as { replies: { text: string }[] }).replies.map((x) => x.text).join('\n');
      said.push(`${as} ${text}: ${reply}`);
      expect({ as, text, reply, refused: REFUSED.test(reply) }).toMatchObject({ refused: false });
      return reply;
    };
    for (const line of lines) {
      const reply = await chat(line.as, line.text);
      // The approval card names its number (审批单 #N); the README says to answer 「同意 <单号>」.
      if (line.text === '待审批') await chat(line.as, `同意 ${/审批单 #(\d+)/.exec(reply)?.[1] ?? '?'}`);
      if (line.then) await chat(line.as, line.then);
    }
    const code = (verb: string) => lines.find((l) => l.text.startsWith(verb))!.text.split(' ')[1]!;
    const { Customer, RecycleEntry } = h.core.models;
    expect((await Customer.findOne({ where: { code: code('停用客户') } }))?.status).toBe('inactive');
    // Deleted on approval, then restored from the recycle bin by the last line.
    const restored = await Customer.findOne({ where: { code: code('恢复客户') } });
    expect(restored?.status).toBe('active');
    expect(await RecycleEntry.count({ where: { customerCode: code('恢复客户'), restoredAt: { [Op.ne]: null } } })).toBe(
      1,
    );
    expect(said.join('\n')).toContain('已同意审批单');
  });
});
