import type { Core } from '../../core/context.js';
import { localTime } from '../../core/deletion/approvals.js';
import { JOB_STATUS_LABELS, JOB_TITLES, JOB_TRIGGER_LABELS, jobTitle } from '../../core/job-labels.js';
import type { JobRun } from '../../models/index.js';
import { StewardResource, exactRule, rangeRule } from '../adapter/steward-resource.js';
import { COMPONENTS } from '../components.js';
import { readOnly } from '../features/permissions.js';
import { detailRows } from '../format/readable.js';

const choices = (map: Record<string, string>) => Object.entries(map).map(([value, label]) => ({ value, label }));
const shown = { isSortable: false, isVisible: { list: true, show: true, edit: false, filter: false } };

/** Job runs with their Chinese name, local times, and the detail JSON as rows for a table. */
function jobRunAdapter(core: Core): StewardResource<JobRun> {
  const when = (d: Date | null) => (d ? localTime(core, new Date(d)) : '—');
  return new StewardResource<JobRun>(core.models.JobRun, {
    filters: { job: exactRule('job'), status: exactRule('status'), startedAt: rangeRule('startedAt') },
    sorts: { id: 'id', startedAt: 'id' },
    defaultSort: ['id', 'DESC'],
    toParams: (r) => {
      let detail: unknown = null;
      try {
        detail = r.detail ? JSON.parse(r.detail) : null;
      } catch {
        detail = r.detail;
      }
      return {
        ...(r.get({ plain: true }) as Record<string, unknown>),
        jobTitle: jobTitle(r.job),
        // A hand run's slot is a random id: it says nothing to a person.
        slot: r.trigger === 'manual' ? '手动运行' : when(new Date(r.slot)),
        started: when(r.startedAt),
        finished: when(r.finishedAt),
        detailView: JSON.stringify(detailRows(core, detail)),
        detail: '',
      };
    },
  });
}

/** 任务运行: each job run with its Chinese name, state, local times and its figures as a table. */
export function jobRunResource(core: Core) {
  return {
    resource: jobRunAdapter(core),
    options: {
      id: 'job_runs',
      navigation: { name: 'system', icon: 'Settings' },
      sort: { sortBy: 'id', direction: 'desc' as const },
      listProperties: ['id', 'jobTitle', 'trigger', 'status', 'started', 'finished', 'summary'],
      showProperties: [
        'id',
        'jobTitle',
        'trigger',
        'slot',
        'dryRun',
        'instance',
        'status',
        'started',
        'finished',
        'summary',
        'detailView',
      ],
      filterProperties: ['job', 'status', 'startedAt'],
      properties: {
        job: { availableValues: choices(JOB_TITLES) },
        status: { availableValues: choices(JOB_STATUS_LABELS) },
        trigger: { availableValues: choices(JOB_TRIGGER_LABELS) },
        jobTitle: { type: 'string' as const, ...shown },
        started: { type: 'string' as const, ...shown },
        finished: { type: 'string' as const, ...shown },
        detailView: {
          type: 'string' as const,
          ...shown,
          isVisible: { list: false, show: true, edit: false, filter: false },
          components: { show: COMPONENTS.RowsTable },
        },
      },
      actions: readOnly(),
    },
  };
}
