import React, { useState } from 'react';
import { useNotice, type ActionProps } from 'adminjs';
import { ErrorBox, box, field, labelStyle, postRecordAction, primaryButton, requestFailed, type Revealed } from './ui';

/** The full contact details, as core revealed them. */
const RevealedContacts = ({ shown }: { shown: Revealed }) => (
  <dl
    data-testid="revealed"
    style={{
      background: '#f6ffed',
      border: '1px solid #b7eb8f',
      borderRadius: 6,
      padding: '12px 16px',
      marginTop: 16,
    }}
  >
    <dt style={{ fontWeight: 600 }}>联系人</dt>
    <dd>{shown.contact || '无'}</dd>
    <dt style={{ fontWeight: 600 }}>手机</dt>
    <dd data-testid="revealed-phone">{shown.phone || '无'}</dd>
    <dt style={{ fontWeight: 600 }}>地址</dt>
    <dd>{shown.address || '无'}</dd>
  </dl>
);

/** 查看手机号: shows the full phone and address after the operator says why; every view is audited. */
const RevealAction = (props: ActionProps) => {
  const { action, resource } = props;
  const record = props.record!;
  const [why, setWhy] = useState('');
  const [shown, setShown] = useState<Revealed | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addNotice = useNotice();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const data = await postRecordAction(resource.id, record.id, action.name, { why });
      if (data.notice) addNotice(data.notice);
      if (data.notice && data.notice.type === 'error') setError(data.notice.message);
      else setShown(data.revealed || null);
    } catch (err) {
      setError(requestFailed(err));
    }
    setBusy(false);
  };

  return (
    <form style={box} onSubmit={submit} data-testid="reveal-form">
      <div style={{ fontSize: 16, fontWeight: 600 }}>
        查看 {record.params.code} {record.params.name} 的完整联系方式
      </div>
      <p style={{ margin: '8px 0', color: '#666' }}>
        当前显示: 手机 {record.params.phoneMasked || '无'}, 地址 {record.params.addressMasked || '无'}
        。查看完整信息会记入审计日志。
      </p>
      <label style={labelStyle} htmlFor="why">
        查看原因 (可选)
      </label>
      <input
        id="why"
        name="why"
        style={field}
        value={why}
        onChange={(e) => setWhy(e.target.value)}
        maxLength={200}
        placeholder="例如: 电话核对对账单"
      />
      <ErrorBox message={error} />
      {shown ? (
        <RevealedContacts shown={shown} />
      ) : (
        <button type="submit" style={primaryButton()} disabled={busy} data-testid="reveal-submit">
          {busy ? '处理中…' : '显示完整信息'}
        </button>
      )}
    </form>
  );
};

export default RevealAction;
