import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config.js';
import { openCore } from '../../core/boot.js';
import { createLogger } from '../../core/logger.js';
import { cloneMysqlTemplate } from './mysql-template.js';

const MIGRATIONS = path.resolve('migrations');

/** A name that changes whenever a migration file does (added, renamed or edited). */
function schemaFingerprint(): string {
  const hash = crypto.createHash('sha256');
  for (const name of fs.readdirSync(MIGRATIONS).sort()) {
    hash.update(name).update(fs.readFileSync(path.join(MIGRATIONS, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * An SQLite file with every migration applied and nothing else (no key canary, no rows a test
 * makes), built once per change of the migrations and shared by the jest workers: a test block
 * copies it (milliseconds) instead of migrating (a few hundred). Its own prepareDatabase still
 * runs, finds nothing to migrate and writes the block's key canary. MariaDB: mysql-template.ts.
 */
async function migratedTemplate(): Promise<string> {
  const file = path.join(os.tmpdir(), `steward-schema-${schemaFingerprint()}.sqlite`);
  if (fs.existsSync(file)) return file;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-schema-'));
  const core = migrationCore(`sqlite:${path.join(dir, 'build.sqlite')}`, dir);
  try {
    await core.schema.up(core.models.sequelize);
    // One self-contained file (no -wal beside it), renamed into place so a reader never sees half of it.
    const part = path.join(dir, 'template.sqlite');
    await core.models.sequelize.query(`VACUUM INTO '${part}'`);
    fs.renameSync(part, file);
  } finally {
    await core.models.sequelize.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return file;
}

/** A core on `url` that only runs migrations (its keys are thrown away with it). */
function migrationCore(url: string, dir: string) {
  return openCore(
    loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: url,
      DATA_DIR: dir,
      STEWARD_DEMO: 'false',
      STEWARD_DATA_KEY: crypto.randomBytes(32).toString('base64'),
      STEWARD_INDEX_KEY: crypto.randomBytes(32).toString('base64'),
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    }),
    createLogger('silent'),
  );
}

/** Fills the new, empty database at `url` (SQLite or MySQL/MariaDB) with the migrated schema. */
export async function fromMigratedTemplate(url: string): Promise<string> {
  if (url.startsWith('sqlite:')) fs.copyFileSync(await migratedTemplate(), url.slice('sqlite:'.length));
  else await cloneMysqlTemplate(url, schemaFingerprint(), (templateUrl, dir) => migrationCore(templateUrl, dir));
  return url;
}
