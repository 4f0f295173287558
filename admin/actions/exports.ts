import type { Core } from '../../core/context.js';
import { COMPONENTS } from '../components.js';
import { ADMIN_DATA_ROUTES } from '../data/routes.js';
import { allowed, permit } from '../features/permissions.js';

/**
 * 导出 (resource action on 客户): the form; the file itself is streamed by the authenticated
 * POST route, which calls core's exportCustomers (masked unless 包含完整手机号, which core audits).
 */
export function exportDataAction(_core: Core) {
  return {
    actionType: 'resource' as const,
    icon: 'Download',
    component: COMPONENTS.ExportAction,
    ...permit('export'),
    handler: async (
      _request: unknown,
      _response: unknown,
      context: { currentAdmin?: import('adminjs').CurrentAdmin },
    ) => ({
      exportUrl: ADMIN_DATA_ROUTES.export,
      canReveal: allowed(context.currentAdmin, 'revealPersonal'),
    }),
  };
}
