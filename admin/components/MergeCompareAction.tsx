import React, { useState } from 'react';
import { useNotice, type ActionProps } from 'adminjs';
import { useNavigate } from 'react-router';
import { ErrorBox, box, field, h, labelStyle, postRecordAction, primaryButton, requestFailed } from './ui';

type ComparisonData = {
  keep: string;
  customers: { code: string; name: string }[];
  fields: { field: string; label: string; values: { code: string; value: string }[]; result: string }[];
  text: string;
};

const cell: React.CSSProperties = {
  border: '1px solid #e0e3ea',
  padding: '6px 10px',
  textAlign: 'left',
  verticalAlign: 'top',
};

type Picks = Record<string, string>;

/** What both steps post: the stage, the codes, the reason and each picked value as pick.<field>. */
function mergeFields(stage: 'compare' | 'submit', absorb: string, reason: string, picks: Picks) {
  const fields: Record<string, string> = { stage, absorb, reason };
  Object.entries(picks).forEach(([f, code]) => {
    fields[`pick.${f}`] = code;
  });
  return fields;
}

/** The differing fields side by side; a radio per customer picks the value to keep (default: the kept customer's). */
const FieldPicks = ({ cmp, picks, setPicks }: { cmp: ComparisonData; picks: Picks; setPicks: (p: Picks) => void }) => (
  <table style={{ borderCollapse: 'collapse', width: '100%' }} data-testid="merge-fields">
    <thead>
      <tr>
        <th style={cell}>字段</th>
        {cmp.customers.map((c) => (
          <th key={c.code} style={cell}>
            {c.code} {c.name}
          </th>
        ))}
      </tr>
    </thead>
    <tbody>
      {cmp.fields.map((f) => (
        <tr key={f.field}>
          <td style={cell}>{f.label}</td>
          {cmp.customers.map((c) => {
            const v = f.values.find((x) => x.code === c.code);
            const chosen = (picks[f.field] || cmp.keep) === c.code;
            return (
              <td key={c.code} style={{ ...cell, background: chosen ? '#e6f4ff' : undefined }}>
                <label>
                  <input
                    type="radio"
                    name={`pick.${f.field}`}
                    checked={chosen}
                    onChange={() => setPicks({ ...picks, [f.field]: c.code })}
                  />{' '}
                  {v ? v.value : f.values[0]!.value}
                </label>
              </td>
            );
          })}
        </tr>
      ))}
    </tbody>
  </table>
);

type ComparisonProps = {
  cmp: ComparisonData;
  picks: Picks;
  setPicks: (p: Picks) => void;
  reason: string;
  setReason: (v: string) => void;
  busy: boolean;
  onSubmit: () => void;
};

/** The comparison, core's summary of what moves, the reason, and 提交合并申请. */
const Comparison = ({ cmp, picks, setPicks, reason, setReason, busy, onSubmit }: ComparisonProps) => (
  <div>
    <p style={{ color: '#666' }}>只列出不同的字段; 默认保留 {cmp.keep} 的值, 可逐项改选。</p>
    <FieldPicks cmp={cmp} picks={picks} setPicks={setPicks} />
    <pre style={{ whiteSpace: 'pre-wrap', background: '#f7f8fa', padding: 12, borderRadius: 6 }}>{cmp.text}</pre>
    <label style={labelStyle} htmlFor="reason">
      合并原因 *
    </label>
    <textarea
      id="reason"
      rows={2}
      style={field}
      value={reason}
      onChange={(e) => setReason(e.target.value)}
      maxLength={500}
    />
    <button
      type="button"
      style={{ ...primaryButton(true), marginTop: 12 }}
      disabled={busy || !reason.trim()}
      onClick={onSubmit}
      data-testid="merge-submit"
    >
      提交合并申请
    </button>
  </div>
);

/** The codes to merge into this customer, and 比较; a new code clears the last comparison. */
const CodesToMerge = ({
  absorb,
  onChange,
  busy,
  onCompare,
}: {
  absorb: string;
  onChange: (v: string) => void;
  busy: boolean;
  onCompare: () => void;
}) => (
  <>
    <label style={labelStyle} htmlFor="absorb">
      并入编码 (可写多个, 用空格分开) *
    </label>
    <input id="absorb" style={field} value={absorb} onChange={(e) => onChange(e.target.value)} />
    <button
      type="button"
      style={{ ...primaryButton(), marginTop: 12 }}
      disabled={busy || !absorb.trim()}
      onClick={onCompare}
      data-testid="merge-compare-button"
    >
      比较
    </button>
  </>
);

/** 合并: type the codes to merge into this customer, compare side by side, pick each differing field's value, then file the request. */
const MergeCompareAction = (props: ActionProps) => {
  const { action, resource } = props;
  const record = props.record!;
  const [absorb, setAbsorb] = useState('');
  const [reason, setReason] = useState('');
  const [picks, setPicks] = useState<Picks>({});
  const [cmp, setCmp] = useState<ComparisonData | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addNotice = useNotice();
  const navigate = useNavigate();

  const post = async (stage: 'compare' | 'submit') => {
    setBusy(true);
    setError(null);
    try {
      const fields = mergeFields(stage, absorb, reason, picks);
      const data = (await postRecordAction(resource.id, record.id, action.name, fields)) as {
        notice?: { message: string; type: string };
        comparison?: ComparisonData;
      };
      if (data.notice && data.notice.type === 'error') setError(data.notice.message);
      else if (stage === 'compare') setCmp(data.comparison || null);
      else {
        if (data.notice) addNotice(data.notice as never);
        navigate(h.recordActionUrl({ resourceId: resource.id, recordId: record.id, actionName: 'show' }));
      }
    } catch (err) {
      setError(requestFailed(err));
    }
    setBusy(false);
  };

  return (
    <div style={box} data-testid="merge-compare">
      <div style={{ fontSize: 16, fontWeight: 600 }}>
        合并到 {record.params.code} {record.params.name} (保留此客户)
      </div>
      <CodesToMerge
        absorb={absorb}
        onChange={(v) => {
          setAbsorb(v);
          setCmp(null);
        }}
        busy={busy}
        onCompare={() => post('compare')}
      />
      {cmp ? (
        <Comparison
          cmp={cmp}
          picks={picks}
          setPicks={setPicks}
          reason={reason}
          setReason={setReason}
          busy={busy}
          onSubmit={() => post('submit')}
        />
      ) : null}
      <ErrorBox message={error} />
    </div>
  );
};

export default MergeCompareAction;
