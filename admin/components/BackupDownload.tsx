import React from 'react';
import type { ActionProps } from 'adminjs';
import { box, primaryButton } from './ui';

/** 下载: a form POST (audited, CSRF-checked like every other write) that streams the backup as a zip. */
const BackupDownload = (props: ActionProps) => {
  const custom = (props.action.custom || {}) as { url: string; encrypted: boolean };
  const record = props.record!;
  return (
    <form method="post" action={`${custom.url}/${record.id}`} style={box} data-testid="backup-download">
      <p style={{ lineHeight: 1.8 }}>
        下载这份备份 (
        {String(record.params.path || '')
          .split('/')
          .pop()}
        ) 为 zip 文件。下载会记入审计日志。
        {custom.encrypted
          ? ' 文件已用 STEWARD_BACKUP_KEY 加密, 还原时需要同一把密钥。'
          : ' 注意: 这份备份未加密, 含客户的个人信息, 请妥善保管。'}
      </p>
      <button type="submit" style={primaryButton()}>
        下载 zip
      </button>
    </form>
  );
};

export default BackupDownload;
