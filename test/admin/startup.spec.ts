import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

describe('steward serve that cannot start', () => {
  it('exits non-zero with a Chinese reason instead of lingering without listening', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-start-'));
    try {
      const child = spawn(process.execPath, ['cli/bin.mjs', 'serve'], {
        env: {
          ...process.env,
          DATA_DIR: dataDir,
          PORT: String(port),
          HOST: '127.0.0.1',
          STEWARD_DEMO: 'false',
          DATABASE_URL: `sqlite:${path.join(dataDir, 'steward.sqlite')}`,
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(`端口 ${port} 已被占用`);
    } finally {
      busy.close();
    }
  }, 150_000);
});
