import React from 'react';
import type { ActionProps } from 'adminjs';
import { box } from './ui';

/** 如何还原: the back office lists backups but never restores; this says how to do it on the server. */
const BackupHelp = (props: ActionProps) => {
  const note = ((props.action.custom || {}) as { note?: string }).note;
  return (
    <div style={box} data-testid="backup-help">
      <div style={{ fontSize: 16, fontWeight: 600 }}>如何从备份还原</div>
      <p style={{ lineHeight: 1.8 }}>{note}</p>
      <pre style={{ background: '#f7f8fa', padding: 12, borderRadius: 6 }}>
        {
          'steward backup verify <备份路径>\nsteward restore <备份路径> --replace   # 会先自动做一次安全备份, 并要求确认'
        }
      </pre>
    </div>
  );
};

export default BackupHelp;
