#!/usr/bin/env node
// `npm run bench -- <name> [args]` runs bench/<name>.ts under tsx. Each benchmark prints its
// figures and the ratio against a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const names = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...rest] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.error(`用法 (usage): npm run bench -- <${names.join('|')}> [参数]`);
  console.error('MariaDB 基准读取 BENCH_DATABASE_URL (默认 mysql://root@127.0.0.1:3306/steward_bench)。');
  process.exit(2);
}
// The bench's temporary files (data folders, SQLite files, workbooks, Galera nodes) go under one
// folder, removed when it ends, even by Ctrl-C. Others may pass through: Galera runs as mysql.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-run-'));
fs.chmodSync(tmp, 0o711);
process.on('SIGINT', () => undefined);
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, `${name}.ts`), ...rest], {
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: tmp },
});
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(r.status ?? 1);
