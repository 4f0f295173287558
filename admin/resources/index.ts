import type { Core } from '../../core/context.js';
import type { ApprovalNotifier } from '../../core/notify-port.js';
import { commerceResources } from './commerce.resource.js';
import { customerResource } from './customer.resource.js';
import { duplicatesResource } from './duplicates.resource.js';
import { codeReportResource } from './code-report.resource.js';
import { approvalResource, auditResource, recycleResource } from './lifecycle.resource.js';
import { operatorResource } from './operator.resource.js';
import { optionalResources } from './optional.resource.js';
import { importBatchResource } from './import-batch.resource.js';
import { backupResource } from './backup.resource.js';
import { jobRunResource } from './job-run.resource.js';
import { apiTokenResource } from './api-token.resource.js';
import { webhookDeliveryResource, webhookSubscriptionResource } from './webhook.resource.js';
import { jsherpResources } from './jsherp.resource.js';
import { listEntryResource } from './list-entry.resource.js';
import { mergeResource } from './merge.resource.js';

/**
 * Every resource of the back office, in menu order. One factory per resource; tables owned by
 * other areas (导入批次, 备份, 任务运行) are listed in optional.resource.ts and appear once their
 * models are registered.
 */
export function buildResources(core: Core, notifier?: ApprovalNotifier) {
  return [
    customerResource(core, notifier),
    duplicatesResource(core, notifier),
    codeReportResource(core, notifier),
    listEntryResource(core, 'category'),
    listEntryResource(core, 'region'),
    ...commerceResources(core),
    approvalResource(core),
    mergeResource(core, notifier),
    recycleResource(core),
    auditResource(core),
    operatorResource(core),
    importBatchResource(core),
    backupResource(core),
    apiTokenResource(core),
    webhookSubscriptionResource(core),
    webhookDeliveryResource(core),
    jobRunResource(core),
    ...optionalResources(core),
    ...jsherpResources(core),
  ];
}
