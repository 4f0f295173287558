import React, { useEffect, useState } from 'react';
import { useNotice, type ActionProps, type RecordJSON } from 'adminjs';
import { useNavigate } from 'react-router';
import {
  ErrorBox,
  api,
  box,
  field,
  h,
  labelStyle,
  postRecordAction,
  primaryButton,
  requestFailed,
  type ActionAnswer,
  type Blocker,
  type Precheck,
} from './ui';

const BlockerList = ({ blockers, suggestion }: { blockers: Blocker[]; suggestion?: string | null }) => (
  <div
    data-testid="blocker-list"
    style={{
      background: '#fff7e6',
      border: '1px solid #ffc069',
      borderRadius: 6,
      padding: '12px 16px',
      margin: '12px 0',
    }}
  >
    <div style={{ fontWeight: 600, color: '#ad4e00', marginBottom: 8 }}>还有业务未了结, 不能删除:</div>
    <ol style={{ margin: 0, paddingLeft: 20, lineHeight: 1.8 }}>
      {blockers.map((b) => (
        <li key={b.kind} data-testid={`blocker-${b.kind}`}>
          {b.text}
        </li>
      ))}
    </ol>
    {suggestion ? <div style={{ marginTop: 8, color: '#614700' }}>{suggestion}</div> : null}
  </div>
);

/** The cooperation history; a top customer's warning (with the 停用 suggestion) comes first, in red. */
const History = ({ check }: { check: Precheck }) =>
  check.historyText ? (
    <div
      data-testid="history"
      style={{
        whiteSpace: 'pre-wrap',
        margin: '8px 0',
        padding: check.history && check.history.top ? '8px 12px' : 0,
        color: check.history && check.history.top ? '#a8071a' : '#444',
        background: check.history && check.history.top ? '#fff1f0' : 'transparent',
        borderRadius: 6,
      }}
    >
      {check.historyText}
    </div>
  ) : null;

/** The customer the request is for. */
const Title = ({ record }: { record: RecordJSON }) => (
  <div style={{ fontSize: 16, fontWeight: 600 }}>
    申请删除客户 {record.params.code} {record.params.name}
  </div>
);

/** While the precheck runs (or when it could not be read). */
const Checking = ({ record, error }: { record: RecordJSON; error: string | null }) => (
  <div style={box}>
    <Title record={record} />
    <p data-testid="precheck-loading">正在检查未完成的业务…</p>
    <ErrorBox message={error} />
  </div>
);

/** Business still open: the full list of what blocks deletion, and no form. */
const Blocked = ({ record, check, error }: { record: RecordJSON; check: Precheck; error: string | null }) => (
  <div style={box} data-testid="deletion-blocked">
    <Title record={record} />
    <History check={check} />
    <BlockerList blockers={check.blockers} suggestion={check.suggestion} />
    <ErrorBox message={error} />
  </div>
);

type Setter = (v: string) => void;

/** 删除原因 (required) and 处理说明 (how the earlier open business was handled). */
const ReasonAndNote = ({
  reason,
  setReason,
  note,
  setNote,
}: {
  reason: string;
  setReason: Setter;
  note: string;
  setNote: Setter;
}) => (
  <>
    <label style={labelStyle} htmlFor="reason">
      删除原因 *
    </label>
    <textarea
      id="reason"
      name="reason"
      rows={3}
      style={field}
      value={reason}
      onChange={(e) => setReason(e.target.value)}
      maxLength={500}
      required
    />
    <label style={labelStyle} htmlFor="note">
      处理说明 (可选): 之前的未完成业务是怎样处理的
    </label>
    <textarea
      id="note"
      name="note"
      rows={2}
      style={field}
      value={note}
      onChange={(e) => setNote(e.target.value)}
      maxLength={500}
    />
  </>
);

/** 申请删除: shows the precheck's full blocker list first; the request can be sent only when there is none. */
const DeletionRequestAction = (props: ActionProps) => {
  const { action, resource } = props;
  const record = props.record!;
  const [check, setCheck] = useState<Precheck | null>(null);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addNotice = useNotice();
  const navigate = useNavigate();

  useEffect(() => {
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name, method: 'get' })
      .then((res: { data: ActionAnswer }) => {
        if (res.data.notice && res.data.notice.type === 'error') setError(res.data.notice.message);
        setCheck(res.data.precheck || { blockers: [] });
      })
      .catch((err: unknown) => setError(requestFailed(err)));
  }, [record.id]);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const data = await postRecordAction(resource.id, record.id, action.name, { reason, note });
      if (data.notice) addNotice(data.notice);
      if (data.notice && data.notice.type === 'error') {
        setError(data.notice.message);
        const blockers = data.error && data.error.details && data.error.details.blockers;
        if (blockers) setCheck({ ...(check || {}), blockers });
      } else navigate(h.recordActionUrl({ resourceId: resource.id, recordId: record.id, actionName: 'show' }));
    } catch (err) {
      setError(requestFailed(err));
    }
    setBusy(false);
  };

  if (!check) return <Checking record={record} error={error} />;
  if (check.blockers.length) return <Blocked record={record} check={check} error={error} />;
  return (
    <form style={box} onSubmit={submit} data-testid="deletion-form">
      <Title record={record} />
      <History check={check} />
      <p style={{ margin: '8px 0', color: '#666' }}>
        检查通过: 没有未完成订单、未收款或库存预留。提交后需要另一位审批人同意, 同意后客户移入回收站, 保留期内可以恢复。
      </p>
      <ReasonAndNote reason={reason} setReason={setReason} note={note} setNote={setNote} />
      <ErrorBox message={error} />
      <button type="submit" style={primaryButton(true)} disabled={busy} data-testid="deletion-submit">
        {busy ? '提交中…' : '提交删除申请'}
      </button>
    </form>
  );
};

export default DeletionRequestAction;
