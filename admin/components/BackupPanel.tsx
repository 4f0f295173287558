import React, { useEffect, useState } from 'react';
import { useNotice, type ActionProps } from 'adminjs';
import { ErrorBox, api, box, primaryButton, requestFailed } from './ui';

type Panel = {
  schedule: string;
  timezone: string;
  encrypted: boolean;
  lastRun: { at: string; status: string; summary: string } | null;
  lastBackup: { at: string; name: string; verify: string } | null;
};
const VERIFY: Record<string, string> = { unverified: '未校验', passed: '校验通过', failed: '校验失败' };

/** The schedule, whether backups are encrypted, the last scheduled run and the newest backup. */
const ScheduleAndLast = ({ panel }: { panel: Panel }) => (
  <div style={{ lineHeight: 1.9 }}>
    <div>
      定时备份: {panel.schedule} ({panel.timezone}); 备份文件
      {panel.encrypted ? '已加密 (STEWARD_BACKUP_KEY)' : '未加密: 建议设置 STEWARD_BACKUP_KEY'}
    </div>
    <div data-testid="backup-last-run">
      上次定时任务:{' '}
      {panel.lastRun ? `${panel.lastRun.at} ${panel.lastRun.status} — ${panel.lastRun.summary}` : '还没有运行过'}
    </div>
    <div data-testid="backup-last">
      最近一份备份:{' '}
      {panel.lastBackup
        ? `${panel.lastBackup.name} (${panel.lastBackup.at}, ${VERIFY[panel.lastBackup.verify] || panel.lastBackup.verify})`
        : '尚无备份'}
    </div>
  </div>
);

/** 立即备份: the schedule and the last result, and a button that backs up and verifies now (POST). */
const BackupPanel = (props: ActionProps) => {
  const [panel, setPanel] = useState<Panel | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addNotice = useNotice();
  const call = async (method: 'get' | 'post') => {
    const res = await api.resourceAction({
      resourceId: props.resource.id,
      actionName: props.action.name,
      method,
      data: method === 'post' ? {} : undefined,
    });
    const data = res.data as { panel?: Panel; notice?: { message: string; type: 'success' | 'error' } };
    if (data.panel) setPanel(data.panel);
    if (data.notice) addNotice(data.notice);
    if (data.notice && data.notice.type === 'error') setError(data.notice.message);
  };
  useEffect(() => {
    call('get').catch((e) => setError(requestFailed(e)));
  }, []);
  const backupNow = async () => {
    setBusy(true);
    setError(null);
    try {
      await call('post');
    } catch (e) {
      setError(requestFailed(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={box} data-testid="backup-panel">
      <div style={{ fontSize: 16, fontWeight: 600, marginBottom: 12 }}>备份</div>
      {panel ? <ScheduleAndLast panel={panel} /> : <div>读取中…</div>}
      {error ? <ErrorBox message={error} /> : null}
      <button
        type="button"
        style={{ ...primaryButton(), marginTop: 16 }}
        disabled={busy}
        onClick={backupNow}
        data-testid="backup-now"
      >
        {busy ? '正在备份并校验…' : '立即备份'}
      </button>
    </div>
  );
};

export default BackupPanel;
