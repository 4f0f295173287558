import React from 'react';
import { Link } from 'react-router-dom';
import { NamedBars } from './charts';
import { box } from './ui';
import { ReportFrame, h2, num, td, th } from './report-ui';

type Debtor = {
  customerId: number;
  code: string;
  name: string;
  status: string;
  statusLabel: string;
  ownerName: string | null;
  href: string;
  amounts: string[];
  total: string;
};
type Figures = {
  asOf: string;
  buckets: { key: string; label: string; count: number; cents: number; amount: string }[];
  total: string;
  notDue: string;
  debtors: Debtor[];
};

const COLORS: Record<string, string> = {
  '0-30': '#389e0d',
  '31-90': '#d48806',
  '91-180': '#d4380d',
  '180+': '#a8071a',
};

/** Open amounts per age bucket, as bars, with the total and what is not yet due. */
const AgingChart = ({ f }: { f: Figures }) => (
  <div style={box}>
    <div style={h2}>未收金额按账龄 (截至 {f.asOf})</div>
    <NamedBars
      data={f.buckets.map((b) => ({
        label: b.label,
        value: b.cents,
        text: `${b.amount} (${b.count} 笔)`,
        color: COLORS[b.key],
      }))}
      color="#3040d6"
      testId="chart-aging"
    />
    <p data-testid="aging-total">
      合计未收 {f.total}, 其中未到期 {f.notDue}
    </p>
  </div>
);

/** The customers who owe the most, split by age bucket; deleted customers greyed. */
const DebtorsTable = ({ f }: { f: Figures }) => (
  <div style={box}>
    <div style={h2}>欠款最多的客户</div>
    <table style={{ width: '100%', borderCollapse: 'collapse', fontSize: 13 }} data-testid="debtors">
      <thead>
        <tr>
          <th style={th}>客户</th>
          <th style={th}>状态</th>
          <th style={th}>负责人</th>
          {f.buckets.map((b) => (
            <th key={b.key} style={{ ...th, ...num }}>
              {b.label}
            </th>
          ))}
          <th style={{ ...th, ...num }}>合计</th>
        </tr>
      </thead>
      <tbody>
        {f.debtors.map((d) => (
          <tr key={d.customerId}>
            <td style={td}>
              <Link to={d.href}>
                {d.code} {d.name}
              </Link>
            </td>
            <td style={{ ...td, color: d.status === 'deleted' ? '#8c8c8c' : undefined }}>{d.statusLabel}</td>
            <td style={td}>{d.ownerName || '—'}</td>
            {d.amounts.map((a, i) => (
              <td key={i} style={{ ...td, ...num }}>
                {a}
              </td>
            ))}
            <td style={{ ...td, ...num, fontWeight: 600 }}>{d.total}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {f.debtors.length ? null : <p>没有未收的应收款。</p>}
  </div>
);

/** 应收账龄: open receivables by age (chart and table) as of a chosen day, and who owes the most. */
const AgingReport = () => (
  <ReportFrame
    pageName="agingReport"
    fields={['asOf']}
    render={(data) => {
      const f = data.figures as unknown as Figures;
      return (
        <>
          <AgingChart f={f} />
          <DebtorsTable f={f} />
        </>
      );
    }}
  />
);

export default AgingReport;
