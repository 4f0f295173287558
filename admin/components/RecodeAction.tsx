import React, { useState } from 'react';
import { useNotice, type ActionProps } from 'adminjs';
import { ErrorBox, api, box, field, labelStyle, primaryButton, requestFailed } from './ui';

type Plan = { rows: number; problems: number; reasonFromSheet?: boolean; text: string };
type Answer = {
  notice?: { message: string; type: string };
  plan?: Plan;
};

/** The request as a form: the sheet if one was chosen (it wins), else the pasted rows. */
function recodeForm(file: File | null, rows: string, reason: string, submit: boolean): FormData {
  const data = new FormData();
  if (file) data.set('file', file);
  else data.set('rows', rows);
  data.set('reason', reason);
  data.set('submit', submit ? 'true' : '');
  return data;
}

type SourceProps = {
  file: File | null;
  setFile: (f: File | null) => void;
  rows: string;
  setRows: (v: string) => void;
  setPlan: (p: Plan | null) => void;
};

/** A sheet to upload, or rows to paste (disabled once a sheet is chosen); either change clears the last plan. */
const SheetOrRows = ({ file, setFile, rows, setRows, setPlan }: SourceProps) => (
  <>
    <label style={labelStyle} htmlFor="recode-file">
      上传表格 (.xlsx / .xls / .csv: 旧编码, 新编码, 原因)
    </label>
    <input
      id="recode-file"
      name="file"
      type="file"
      accept=".xlsx,.xls,.csv"
      style={field}
      data-testid="recode-file"
      onChange={(e) => {
        setFile(e.target.files && e.target.files[0] ? e.target.files[0] : null);
        setPlan(null);
      }}
    />
    <label style={labelStyle} htmlFor="rows">
      或粘贴: 旧编码, 新编码 (, 原因)
    </label>
    <textarea
      id="rows"
      rows={10}
      style={field}
      value={rows}
      disabled={Boolean(file)}
      onChange={(e) => {
        setRows(e.target.value);
        setPlan(null);
      }}
      placeholder={'旧编码\t新编码\t原因\nC20260012\tKH-0012\t对齐 ERP'}
    />
  </>
);

/** Core's plan: each customer's old and new code, and any problem per line. */
const PlanText = ({ text }: { text: string }) => (
  <pre style={{ whiteSpace: 'pre-wrap', background: '#f6f7fb', padding: 12, marginTop: 16 }} data-testid="recode-plan">
    {text}
  </pre>
);

/** 试运行 (needs rows or a sheet) and 提交审批 (needs a clean plan and a reason). */
const RecodeButtons = ({
  busy,
  canTry,
  canSubmit,
  send,
}: {
  busy: boolean;
  canTry: boolean;
  canSubmit: boolean;
  send: (submit: boolean) => Promise<void>;
}) => (
  <div style={{ display: 'flex', gap: 12, marginTop: 16 }}>
    <button
      type="button"
      style={primaryButton()}
      disabled={busy || !canTry}
      onClick={() => send(false)}
      data-testid="recode-dry-run"
    >
      {busy ? '处理中…' : '试运行'}
    </button>
    <button
      type="button"
      style={primaryButton()}
      disabled={busy || !canSubmit}
      onClick={() => send(true)}
      data-testid="recode-submit"
    >
      提交审批
    </button>
  </div>
);

/**
 * 批量改编码: paste the columns (旧编码, 新编码, optional 原因) or upload the sheet (.xlsx/.xls/.csv),
 * 试运行, then submit the request for approval. A chosen file wins over pasted rows and is sent
 * again on submit, where core checks every line once more.
 */
const RecodeAction = (props: ActionProps) => {
  const { action, resource } = props;
  const [rows, setRows] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [reason, setReason] = useState('');
  const [plan, setPlan] = useState<Plan | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addNotice = useNotice();

  const send = async (submit: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const res = await api.resourceAction({
        resourceId: resource.id,
        actionName: action.name,
        method: 'post',
        data: recodeForm(file, rows, reason, submit),
        headers: { 'Content-Type': 'multipart/form-data' },
      });
      const answer = res.data as Answer;
      if (answer.notice) addNotice(answer.notice as never);
      if (answer.notice && answer.notice.type === 'error') setError(answer.notice.message);
      else if (answer.plan) setPlan(answer.plan);
      else if (submit) {
        setPlan(null);
        setRows('');
        setFile(null);
      }
    } catch (err) {
      setError(requestFailed(err));
    }
    setBusy(false);
  };

  const ready = plan && plan.rows > 0 && plan.problems === 0;
  const hasReason = Boolean(reason.trim()) || Boolean(plan && plan.reasonFromSheet);
  return (
    <div style={box} data-testid="bulk-recode">
      <p style={{ lineHeight: 1.6 }}>
        从表格复制 旧编码, 新编码 两列 (可加第三列 原因) 粘贴到下面, 每行一个客户; 或直接上传表格文件。先试运行查看结果,
        没有问题再提交审批; 审批人批准后才执行。已有订单的客户也可以改, 旧编码会一直保留为别名。
      </p>
      <SheetOrRows file={file} setFile={setFile} rows={rows} setRows={setRows} setPlan={setPlan} />
      <label style={labelStyle} htmlFor="reason">
        原因 {plan && plan.reasonFromSheet ? '(已用表格里的原因, 也可以另写)' : '*'}
      </label>
      <input id="reason" style={field} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
      <ErrorBox message={error} />
      {plan ? <PlanText text={plan.text} /> : null}
      <RecodeButtons
        busy={busy}
        canTry={Boolean(file) || Boolean(rows.trim())}
        canSubmit={Boolean(ready) && hasReason}
        send={send}
      />
    </div>
  );
};

export default RecodeAction;
