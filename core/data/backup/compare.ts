import crypto from 'node:crypto';
import type { Models } from '../../../models/index.js';
import type { LineShape } from './line-blocks.js';
import { tableBlocks, withSnapshot } from './snapshot.js';
import { tableSpecs } from './tables.js';

/** Row count and content hash of every backed-up table, read the way a backup reads them. */
export async function snapshotHashes(
  models: Models,
  shape: LineShape,
): Promise<Map<string, { rows: number; contentSha256: string }>> {
  const out = new Map<string, { rows: number; contentSha256: string }>();
  await withSnapshot(models.sequelize, async (t) => {
    for (const spec of tableSpecs(models)) {
      const hash = crypto.createHash('sha256');
      let rows = 0;
      for await (const ready of tableBlocks(models.sequelize, spec, t, shape)) {
        for (const b of ready) {
          hash.update(b.block);
          rows += b.rows;
        }
      }
      out.set(spec.table, { rows, contentSha256: hash.digest('hex') });
    }
  });
  return out;
}
