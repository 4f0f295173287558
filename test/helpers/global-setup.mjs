// One directory per `npm test` run holds every temporary file of it: the SQLite databases and data
// directories the helpers make, Chromium's profiles, the readers' temp copies. Setting TMPDIR here,
// before jest starts its workers, points os.tmpdir() there in every worker and child process;
// global-teardown.mjs removes the directory. Without it each run left ~600 directories (~200 MB)
// in /tmp.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function makeRunTempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-run-'));
  // Others may pass through but not list it: the Galera nodes (test/cluster) run as the mysql user.
  fs.chmodSync(dir, 0o711);
  process.env.STEWARD_TEST_RUN_DIR = dir;
  process.env.TMPDIR = dir;
}
