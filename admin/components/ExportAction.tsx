import React, { useEffect, useState } from 'react';
import type { ActionProps } from 'adminjs';
import { ErrorBox, api, box, field, labelStyle, primaryButton, requestFailed } from './ui';

/**
 * 导出: a plain form POST, so the browser downloads the streamed file itself. Phones and
 * addresses are masked unless 包含完整手机号 is ticked (offered only with revealPersonal; audited).
 */
const ExportAction = (props: ActionProps) => {
  const { action, resource } = props;
  const [info, setInfo] = useState<{ exportUrl: string; canReveal: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .resourceAction({ resourceId: resource.id, actionName: action.name, method: 'get' })
      .then((res) => setInfo(res.data as unknown as { exportUrl: string; canReveal: boolean }))
      .catch((err: unknown) => setError(requestFailed(err)));
  }, []);

  return (
    <form style={box} method="post" action={info ? info.exportUrl : undefined} data-testid="export-form">
      <div style={{ fontSize: 16, fontWeight: 600 }}>导出客户</div>
      <p style={{ color: '#666' }}>列和表头与导入模板相同, 导出的文件修改后可以重新导入。手机和地址默认打码。</p>
      <label style={labelStyle} htmlFor="format">
        格式
      </label>
      <select id="format" name="format" style={field} defaultValue="xlsx">
        <option value="xlsx">Excel (.xlsx)</option>
        <option value="csv">CSV (UTF-8, Excel 可直接打开)</option>
      </select>
      <label style={labelStyle} htmlFor="status">
        状态
      </label>
      <select id="status" name="status" style={field} defaultValue="">
        <option value="">全部 (不含已删除)</option>
        <option value="active">启用</option>
        <option value="inactive">停用</option>
      </select>
      {info && info.canReveal ? (
        <label style={{ display: 'block', marginTop: 12 }}>
          <input type="checkbox" name="reveal" value="true" /> 包含完整手机号和地址 (会记入审计日志)
        </label>
      ) : null}
      <ErrorBox message={error} />
      <button type="submit" style={primaryButton()} disabled={!info} data-testid="export-submit">
        下载
      </button>
    </form>
  );
};

export default ExportAction;
