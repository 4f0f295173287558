import type { Migration } from './types.js';
import { commercialModels } from './0001-commercial-models.js';
import { lifecycle } from './0002-lifecycle.js';

/** Every migration, in order. Listed explicitly so tsx, jest and a build all load them alike. */
export const MIGRATIONS: Migration[] = [commercialModels, lifecycle];
