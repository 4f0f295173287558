// Removes the run's temporary directory (see global-setup.mjs), whatever the tests' outcome.
import fs from 'node:fs';

export default function removeRunTempDir() {
  const dir = process.env.STEWARD_TEST_RUN_DIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
