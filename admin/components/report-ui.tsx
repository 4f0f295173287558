import React, { useEffect, useState } from 'react';
import { ErrorBox, api, box, primaryButton, requestFailed } from './ui';
import type { ReportPageData } from '../reports/pages';

export type Params = { from?: string; to?: string; asOf?: string; ownerId?: string };

export const th: React.CSSProperties = {
  textAlign: 'left',
  padding: '6px 8px',
  borderBottom: '1px solid #e8e8ef',
  color: '#666',
  fontWeight: 600,
};
export const td: React.CSSProperties = { padding: '6px 8px', borderBottom: '1px solid #f0f0f5' };
export const num: React.CSSProperties = { textAlign: 'right' };
export const h2: React.CSSProperties = { fontSize: 16, fontWeight: 600, margin: '0 0 12px' };
const input: React.CSSProperties = { padding: '7px 10px', border: '1px solid #c0c4d0', borderRadius: 4, fontSize: 14 };
const label: React.CSSProperties = { display: 'flex', flexDirection: 'column', gap: 6, fontSize: 13, color: '#555' };

/** The page's data for the chosen filters, fetched again whenever they change. */
export function useReport(pageName: string) {
  const [params, setParams] = useState<Params>({});
  const [data, setData] = useState<ReportPageData | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setError(null);
    const query = Object.fromEntries(Object.entries(params).filter(([, v]) => v));
    api
      .getPage({ pageName, params: query })
      .then((res) => setData(res.data as ReportPageData))
      .catch((err: unknown) => setError(requestFailed(err)));
  }, [JSON.stringify(params)]);
  return { params, setParams, data, error };
}

type Change = (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => void;

/** The report's own period fields: a month range, an as-of date, or both. */
const PeriodFields = ({
  fields,
  draft,
  set,
}: {
  fields: ('months' | 'asOf')[];
  draft: Params;
  set: (k: keyof Params) => Change;
}) => (
  <>
    {fields.includes('months') ? (
      <>
        <label style={label}>
          起始月份
          <input
            type="month"
            name="from"
            style={input}
            value={draft.from}
            onChange={set('from')}
            data-testid="filter-from"
          />
        </label>
        <label style={label}>
          结束月份
          <input type="month" name="to" style={input} value={draft.to} onChange={set('to')} data-testid="filter-to" />
        </label>
      </>
    ) : null}
    {fields.includes('asOf') ? (
      <label style={label}>
        账龄计算日
        <input
          type="date"
          name="asOf"
          style={input}
          value={draft.asOf}
          onChange={set('asOf')}
          data-testid="filter-as-of"
        />
      </label>
    ) : null}
  </>
);

/** 导出 Excel: posts the applied filters as a form, so the browser downloads the file. */
const ExportForm = ({ data }: { data: ReportPageData }) => (
  <form method="post" action={data.exportUrl} style={{ margin: 0 }} data-testid="report-export">
    {Object.entries(data.params).map(([k, v]) => (
      <input key={k} type="hidden" name={k} value={String(v)} />
    ))}
    <button type="submit" style={{ ...primaryButton(), marginTop: 0, background: '#1a7f37' }}>
      导出 Excel
    </button>
  </form>
);

/**
 * The filter bar: the fields the report takes (month range, as-of date) and 负责人, applied with 查询;
 * 导出 Excel posts the same fields as a form, so the browser downloads the file.
 */
export const Filters = ({
  data,
  fields,
  onApply,
}: {
  data: ReportPageData;
  fields: ('months' | 'asOf')[];
  onApply: (p: Params) => void;
}) => {
  const p = data.params as Params & { ownerId?: number | string };
  const shown = (data.shown || {}) as Params;
  const [draft, setDraft] = useState<Params>({
    from: p.from || shown.from || '',
    to: p.to || shown.to || '',
    asOf: p.asOf || shown.asOf || '',
    ownerId: p.ownerId ? String(p.ownerId) : '',
  });
  const set =
    (k: keyof Params): Change =>
    (e) =>
      setDraft({ ...draft, [k]: e.target.value });
  return (
    <div
      style={{ ...box, display: 'flex', gap: 16, alignItems: 'flex-end', flexWrap: 'wrap' }}
      data-testid="report-filters"
    >
      <PeriodFields fields={fields} draft={draft} set={set} />
      <label style={label}>
        负责人
        <select name="ownerId" style={input} value={draft.ownerId} onChange={set('ownerId')} data-testid="filter-owner">
          <option value="">全部</option>
          {data.owners.map((o) => (
            <option key={o.id} value={String(o.id)}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        style={{ ...primaryButton(), marginTop: 0 }}
        onClick={() => onApply(draft)}
        data-testid="filter-apply"
      >
        查询
      </button>
      {data.canExport ? <ExportForm data={data} /> : null}
    </div>
  );
};

/** Title, the filters in words, and the refusal or loading state; `children` get the figures. */
export const ReportFrame = ({
  pageName,
  fields,
  render,
}: {
  pageName: string;
  fields: ('months' | 'asOf')[];
  render: (data: ReportPageData) => React.ReactNode;
}) => {
  const { setParams, data, error } = useReport(pageName);
  return (
    <div style={{ padding: 24, background: '#f4f5fa', minHeight: '100%' }} data-testid={`report-${pageName}`}>
      <h1 style={{ fontSize: 22, fontWeight: 600, margin: '0 0 16px' }}>{data ? data.title : '报表'}</h1>
      <ErrorBox message={error || (data && data.error) || null} />
      {!data && !error ? <div>正在加载…</div> : null}
      {data ? <Filters key={JSON.stringify(data.params)} data={data} fields={fields} onApply={setParams} /> : null}
      {data && data.filterText ? (
        <p style={{ color: '#666', margin: '0 0 16px' }} data-testid="report-scope">
          {data.filterText}
        </p>
      ) : null}
      {data && data.figures ? render(data) : null}
    </div>
  );
};
