import React, { useState } from 'react';
import { useNotice, type ActionProps } from 'adminjs';
import { useNavigate } from 'react-router';
import { ErrorBox, box, field, h, labelStyle, postRecordAction, primaryButton, requestFailed } from './ui';

type NoteSpec = { label: string; required?: boolean; name?: string; input?: 'text' };
type SummaryLine = { path: string; label: string };

/** What is being confirmed, line by line (客户, 原因, 申请人, 合作历史, …): a referenced record by its title. */
const Summary = ({ lines, record }: { lines: SummaryLine[]; record: NonNullable<ActionProps['record']> }) => {
  const shown = lines
    .map(({ path, label }) => {
      const populated = record.populated?.[path] as { title?: string } | null | undefined;
      const raw = record.params?.[path] as unknown;
      return { label, value: populated?.title || (raw === null || raw === undefined ? '' : String(raw)) };
    })
    .filter((l) => l.value.trim());
  return (
    <dl style={{ margin: '12px 0', lineHeight: 1.6 }} data-testid="confirm-summary">
      {shown.map((l) => (
        <div key={l.label} style={{ display: 'flex', gap: 12, marginBottom: 4 }}>
          <dt style={{ ...labelStyle, minWidth: 96, margin: 0 }}>{l.label}</dt>
          <dd style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{l.value}</dd>
        </div>
      ))}
    </dl>
  );
};

/** The one input: a short text (e.g. an amount) or a longer note, required or not. */
const NoteField = ({ spec, note, setNote }: { spec: NoteSpec; note: string; setNote: (v: string) => void }) => (
  <div>
    <label style={labelStyle} htmlFor="note">
      {spec.label}
      {spec.required ? ' *' : ' (可选)'}
    </label>
    {spec.input === 'text' ? (
      <input
        id="note"
        name={spec.name || 'note'}
        style={field}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        maxLength={40}
      />
    ) : (
      <textarea
        id="note"
        name="note"
        rows={3}
        style={field}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        maxLength={500}
      />
    )}
  </div>
);

/** A confirmation step for record actions with at most one input (启用, 同意, 拒绝 + 理由, 登记收款 + 金额, …); only POST changes anything. */
const ConfirmAction = (props: ActionProps) => {
  const { action, resource } = props;
  const record = props.record!;
  const custom = (action.custom || {}) as {
    message?: string;
    button?: string;
    danger?: boolean;
    note?: NoteSpec;
    summary?: SummaryLine[];
  };
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addNotice = useNotice();
  const navigate = useNavigate();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (custom.note && custom.note.required && !note.trim()) {
      setError(`请填写${custom.note.label}`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const data = await postRecordAction(resource.id, record.id, action.name, {
        [(custom.note && custom.note.name) || 'note']: note,
      });
      if (data.notice) addNotice(data.notice);
      if (data.notice && data.notice.type === 'error') setError(data.notice.message);
      else navigate(h.recordActionUrl({ resourceId: resource.id, recordId: record.id, actionName: 'show' }));
    } catch (err) {
      setError(requestFailed(err));
    }
    setBusy(false);
  };

  return (
    <form style={box} onSubmit={submit} data-testid={`confirm-${action.name}`}>
      <div style={{ fontSize: 16, fontWeight: 600 }}>{record.title}</div>
      {custom.summary ? <Summary lines={custom.summary} record={record} /> : null}
      <p style={{ margin: '12px 0', lineHeight: 1.6 }}>{custom.message}</p>
      {custom.note ? <NoteField spec={custom.note} note={note} setNote={setNote} /> : null}
      <ErrorBox message={error} />
      <button type="submit" style={primaryButton(custom.danger)} disabled={busy} data-testid="confirm-submit">
        {busy ? '处理中…' : custom.button || '确认'}
      </button>
    </form>
  );
};

export default ConfirmAction;
