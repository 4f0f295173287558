import React, { useState } from 'react';
import { useNotice, type ActionProps } from 'adminjs';
import { useNavigate } from 'react-router';
import {
  ErrorBox,
  FieldError,
  box,
  field,
  h,
  labelStyle,
  postRecordAction,
  primaryButton,
  requestFailed,
  type FieldErrors,
} from './ui';

type Setter = (v: string) => void;
type FieldsProps = {
  reasons: string[];
  reason: string;
  setReason: Setter;
  memo: string;
  setMemo: Setter;
  until: string;
  setUntil: Setter;
  fieldErrors: FieldErrors;
};

/** 停用原因 (a memo is required for 其他), 备注 and 停用至, each with core's message under it. */
const DeactivateFields = ({ reasons, reason, setReason, memo, setMemo, until, setUntil, fieldErrors }: FieldsProps) => (
  <>
    <label style={labelStyle} htmlFor="reason">
      停用原因 *
    </label>
    <select id="reason" name="reason" style={field} value={reason} onChange={(e) => setReason(e.target.value)} required>
      <option value="">请选择原因</option>
      {reasons.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
    <FieldError errors={fieldErrors} name="reason" />
    <label style={labelStyle} htmlFor="memo">
      备注{reason === '其他' ? ' *' : ' (可选)'}
    </label>
    <textarea
      id="memo"
      name="memo"
      rows={3}
      style={field}
      value={memo}
      onChange={(e) => setMemo(e.target.value)}
      maxLength={500}
    />
    <FieldError errors={fieldErrors} name="memo" />
    <label style={labelStyle} htmlFor="until">
      停用至 (可选, 到期自动启用)
    </label>
    <input id="until" name="until" type="date" style={field} value={until} onChange={(e) => setUntil(e.target.value)} />
    <FieldError errors={fieldErrors} name="until" />
  </>
);

/** 停用: a reason from the fixed list, a memo (required for 其他) and an optional 停用至 date. */
const DeactivateAction = (props: ActionProps) => {
  const { action, resource } = props;
  const record = props.record!;
  const reasons = ((action.custom || {}) as { reasons?: string[] }).reasons || [];
  const [reason, setReason] = useState('');
  const [memo, setMemo] = useState('');
  const [until, setUntil] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const addNotice = useNotice();
  const navigate = useNavigate();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const data = await postRecordAction(resource.id, record.id, action.name, { reason, memo, until });
      if (data.notice) addNotice(data.notice);
      if (data.notice && data.notice.type === 'error') {
        setError(data.notice.message);
        setFieldErrors(((data.record && data.record.errors) || {}) as FieldErrors);
      } else navigate(h.recordActionUrl({ resourceId: resource.id, recordId: record.id, actionName: 'show' }));
    } catch (err) {
      setError(requestFailed(err));
    }
    setBusy(false);
  };

  return (
    <form style={box} onSubmit={submit} data-testid="deactivate-form">
      <div style={{ fontSize: 16, fontWeight: 600 }}>
        停用客户 {record.params.code} {record.params.name}
      </div>
      <p style={{ margin: '8px 0', color: '#666' }}>
        停用后不能再新建订单或预留库存; 资料和历史都保留, 随时可以重新启用。
      </p>
      <DeactivateFields
        reasons={reasons}
        reason={reason}
        setReason={setReason}
        memo={memo}
        setMemo={setMemo}
        until={until}
        setUntil={setUntil}
        fieldErrors={fieldErrors}
      />
      <ErrorBox message={error} />
      <button type="submit" style={primaryButton(true)} disabled={busy} data-testid="deactivate-submit">
        {busy ? '处理中…' : '确认停用'}
      </button>
    </form>
  );
};

export default DeactivateAction;
