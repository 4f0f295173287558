import type { Door, Models, Role } from '../models/index.js';
import type { Config } from './config.js';
import type { Keys } from './privacy.js';
import type { Logger } from './logger.js';
import type { Schema } from './schema.js';
import { jobTitle } from './job-labels.js';

/** Everything core functions need, built once at start-up and passed in (no globals). */
export interface Core {
  models: Models;
  config: Config;
  keys: Keys;
  logger: Logger;
  /** The current time; tests replace it to move through expiry and retention. */
  now: () => Date;
  /** The migration runner (migrations/migrate.ts, put here by core/boot.ts). */
  schema: Schema;
}

/** What core needs of an operator; a stored Operator satisfies it, and so does the job runner. */
export interface OperatorLike {
  id: number | null;
  displayName: string;
  active: boolean;
  roleList(): Role[];
}

/** Who is acting and through which door; every core function takes one. */
export interface Actor {
  operator: OperatorLike;
  door: Door;
  /** The inbound message or request id, carried into logs. */
  requestId?: string;
}

/** The actor scheduled jobs act as: admin rights, recorded as door `job`. */
export function jobActor(name: string): Actor {
  return {
    door: 'job',
    operator: { id: null, displayName: `定时任务「${jobTitle(name)}」`, active: true, roleList: () => ['admin'] },
  };
}
