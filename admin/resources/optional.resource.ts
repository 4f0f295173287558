import type { Model, ModelStatic } from 'sequelize';
import type { Core } from '../../core/context.js';
import type { Action as CoreAction } from '../../core/permissions.js';
import { StewardResource, exactRule, rangeRule } from '../adapter/steward-resource.js';
import { readOnly } from '../features/permissions.js';

/** A table another area owns, shown read-only once its model is registered in initModels. */
export interface OptionalTable {
  /** The key in `core.models` (e.g. 'JobRun'). */
  model: string;
  /** The resource id (AdminJS uses it in URLs and for translations: labels.<id>). */
  id: string;
  view: CoreAction;
  listProperties: string[];
  /** Columns never read (large or secret). */
  skip?: string[];
  filters?: { exact?: string[]; range?: string[] };
  sortBy: string;
}

/**
 * Tables from other areas: import batches, backups and job runs. A model not (yet) registered is
 * simply left out, so the back office never depends on another area's progress; add new tables here.
 */
export const OPTIONAL_TABLES: OptionalTable[] = [
  // 导入批次, 备份 and 任务运行 have their own factories (import-batch, backup, job-run .resource.ts).
];

/** The read-only resources for the optional tables whose models exist. */
export function optionalResources(core: Core, tables = OPTIONAL_TABLES) {
  const models = core.models as unknown as Record<string, ModelStatic<Model> | undefined>;
  return tables.flatMap((t) => {
    const model = models[t.model];
    if (!model) return [];
    const resource = new StewardResource(model, {
      skip: t.skip,
      sorts: { id: 'id', [t.sortBy]: t.sortBy },
      defaultSort: [t.sortBy, 'DESC'],
    });
    // The adapter's own view of the columns: a property it cannot see must not be listed.
    const attributes = resource.properties().map((p) => p.name());
    const filters = Object.fromEntries(
      [
        ...(t.filters?.exact ?? []).map((f) => [f, exactRule(f)] as const),
        ...(t.filters?.range ?? []).map((f) => [f, rangeRule(f)] as const),
      ].filter(([f]) => attributes.includes(f)),
    );
    resource.spec.filters = filters;
    return [
      {
        resource,
        options: {
          id: t.id,
          navigation: { name: 'system', icon: 'Settings' },
          sort: { sortBy: t.sortBy, direction: 'desc' as const },
          listProperties: t.listProperties.filter((p) => attributes.includes(p)),
          filterProperties: Object.keys(filters),
          actions: readOnly(t.view),
        },
      },
    ];
  });
}
