import type { ButtonVerb } from '../core/notify-port.js';

export { buttonId } from '../core/notify-port.js';

/** Button ids are short and ASCII (WeCom keys, console --click); each maps to the command a tap means. */
const VERBS: Record<ButtonVerb, string> = {
  confirm: '确认',
  'confirm-partial': '确认导入',
  cancel: '取消',
  approve: '同意',
  reject: '拒绝',
  deactivate: '停用客户',
  keep: '保留客户',
  'deactivate-all': '全部停用',
  pick: '',
  help: '帮助',
  'approve-merge': '批准合并',
  'reject-merge': '驳回合并',
  'approve-recode': '批准改编码',
  'reject-recode': '驳回改编码',
};

/** The chat text a button press stands for, or null for an unknown id. */
export function buttonText(id: string): string | null {
  const [verb, ...rest] = id.split(':');
  if (!verb || !(verb in VERBS)) return null;
  const arg = rest.join(':').replace(/_/g, ' ');
  if (verb === 'deactivate') return `停用客户 ${arg} 长期无交易`;
  if (verb === 'confirm-partial') return `确认导入 ${arg} 部分`;
  return `${VERBS[verb as ButtonVerb]} ${arg}`.trim();
}
