import fs from 'node:fs';
import { expect, it } from '@jest/globals';
import { CONFIG_SPEC } from '../../core/config.js';

const documented = new Set(
  fs
    .readFileSync('.env.example', 'utf8')
    .split('\n')
    .map((l) => /^([A-Z][A-Z0-9_]+)=/.exec(l)?.[1])
    .filter((k): k is string => Boolean(k)),
);

/** Every channel folder's env block (bot/channels/<id>/config.ts exports ENV_KEYS). */
async function channelKeys(): Promise<string[]> {
  const dirs = fs
    .readdirSync('bot/channels', { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(`bot/channels/${d.name}/config.ts`));
  const keys: string[] = [];
  for (const d of dirs) {
    const mod = (await import(`../../bot/channels/${d.name}/config.js`)) as { ENV_KEYS?: string[] };
    expect({ channel: d.name, exportsEnvKeys: Array.isArray(mod.ENV_KEYS) }).toEqual({
      channel: d.name,
      exportsEnvKeys: true,
    });
    keys.push(...mod.ENV_KEYS!);
  }
  return keys;
}

it(".env.example documents every configuration variable, the channels' blocks included", async () => {
  const channels = await channelKeys();
  expect(channels).toEqual(expect.arrayContaining(['WECOM_CORP_ID', 'DINGTALK_MODE']));
  const known = new Set([...Object.keys(CONFIG_SPEC), ...channels]);
  expect([...known].filter((k) => !documented.has(k))).toEqual([]);
  expect([...documented].filter((k) => !known.has(k))).toEqual([]);
});
