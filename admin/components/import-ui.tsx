import React, { useEffect, useState } from 'react';
import { useNotice, type NoticeMessage } from 'adminjs';
import { api, h, requestFailed } from './ui';

/** What both import actions answer: a notice, the report, and the token that commits the staged file. */
export type UploadAnswer = {
  notice?: NoticeMessage;
  report?: unknown;
  token?: string | null;
  errorReportUrl?: string | null;
};

export const cell: React.CSSProperties = {
  border: '1px solid #e3e5ec',
  padding: '6px 10px',
  textAlign: 'left',
  fontSize: 13,
};

/** One count of the report (将新建, 出错行, …) as a small tile. */
export const stat = (label: string, value: number, color: string, testId: string) => (
  <div style={{ flex: '1 1 100px', background: '#f7f8fa', borderRadius: 6, padding: '10px 14px' }} data-testid={testId}>
    <div style={{ color: '#666', fontSize: 12 }}>{label}</div>
    <div style={{ fontSize: 22, fontWeight: 600, color }}>{value}</div>
  </div>
);

/**
 * The upload round trip both import pages share: `send` posts the fields as a form and keeps the
 * answer; a refusal without a report (a bad file, an expired token) shows as the error instead.
 */
export function useImportUpload<A extends UploadAnswer>(resourceId: string, actionName: string) {
  const [answer, setAnswer] = useState<A | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addNotice = useNotice();

  const send = async (fields: Record<string, string | File>) => {
    setBusy(true);
    setError(null);
    try {
      const data = new FormData();
      Object.entries(fields).forEach(([k, v]) => data.set(k, v));
      const res = await api.resourceAction({
        resourceId,
        actionName,
        method: 'post',
        data,
        headers: { 'Content-Type': 'multipart/form-data' },
      });
      const body = res.data as A;
      if (body.notice) addNotice(body.notice);
      if (body.notice && body.notice.type === 'error' && !body.report) setError(body.notice.message);
      else setAnswer(body);
    } catch (err) {
      const message = (err as { response?: { data?: A } }).response?.data?.notice?.message;
      setError(message || requestFailed(err));
    }
    setBusy(false);
  };
  return { answer, setAnswer, busy, error, setError, send };
}

/** Reads the action's limits (and template link) once, when the page opens. */
export function useImportInfo<I>(
  resourceId: string,
  actionName: string,
  setInfo: (info: I | null) => void,
  setError: (message: string) => void,
) {
  useEffect(() => {
    api
      .resourceAction({ resourceId, actionName, method: 'get' })
      .then((res) => setInfo((res.data as { info?: I }).info || null))
      .catch((err: unknown) => setError(requestFailed(err)));
  }, []);
}

/** 下载错误报告: the failed rows with their reasons, ready to fix and upload again. */
export const ErrorReportLink = ({ url }: { url: string }) => (
  <div style={{ marginTop: 12 }}>
    <a href={url} data-testid="error-report-link">
      下载错误报告
    </a>{' '}
    (出错的行和错误原因, 修改后可直接重新导入)
  </div>
);

/** Why 确认导入 is missing: by default one bad row stops the whole file. */
export const CommitHint = () => (
  <div style={{ marginTop: 12, color: '#ad4e00' }} data-testid="commit-hint">
    有出错的行: 默认一行出错就全部不导入。请下载错误报告修正后重新上传, 或勾选「只导入有效行」再预检。
  </div>
);

/** After a commit: the import batch, where it can also be undone. */
export const BatchLink = ({ batchId }: { batchId: string | null }) => (
  <div style={{ marginTop: 12 }}>
    <a
      href={h.recordActionUrl({
        resourceId: 'import_batches',
        recordId: String(batchId),
        actionName: 'show',
      })}
      data-testid="batch-link"
    >
      查看导入批次 #{batchId}
    </a>
  </div>
);
