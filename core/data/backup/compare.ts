import crypto from 'node:crypto';
import type { Models } from '../../../models/index.js';
import { tableLines, withSnapshot } from './snapshot.js';
import { tableSpecs } from './tables.js';

/** Row count and content hash of every backed-up table, read the way a backup reads them. */
export async function snapshotHashes(models: Models): Promise<Map<string, { rows: number; contentSha256: string }>> {
  const out = new Map<string, { rows: number; contentSha256: string }>();
  await withSnapshot(models.sequelize, async (t) => {
    for (const spec of tableSpecs(models)) {
      const hash = crypto.createHash('sha256');
      let rows = 0;
      for await (const lines of tableLines(models.sequelize, spec, t)) {
        for (const line of lines) hash.update(`${line}\n`);
        rows += lines.length;
      }
      out.set(spec.table, { rows, contentSha256: hash.digest('hex') });
    }
  });
  return out;
}
