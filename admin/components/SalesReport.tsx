import React from 'react';
import { BarChart, shortYuan } from './charts';
import { box } from './ui';
import { ReportFrame, h2, num, td, th } from './report-ui';

type Figures = {
  months: { month: string; orders: number; cents: number; total: string; deleted: string | null }[];
  total: string;
  orders: number;
  deletedNote: string;
};

/** 月度销售: sales per month (chart and table) for a month range and an owner; deleted customers' share said apart. */
const SalesReport = () => (
  <ReportFrame
    pageName="salesReport"
    fields={['months']}
    render={(data) => {
      const f = data.figures as unknown as Figures;
      return (
        <>
          <div style={box}>
            <div style={h2}>每月销售额 (元)</div>
            <BarChart
              data={f.months.map((m) => ({ month: m.month, count: m.cents / 100 }))}
              color="#3040d6"
              testId="chart-sales"
              format={shortYuan}
            />
          </div>
          <div style={box}>
            <table style={{ width: '100%', borderCollapse: 'collapse', fontSize: 13 }} data-testid="sales-table">
              <thead>
                <tr>
                  <th style={th}>月份</th>
                  <th style={{ ...th, ...num }}>订单数</th>
                  <th style={{ ...th, ...num }}>销售额</th>
                  <th style={{ ...th, ...num }}>其中已删除客户</th>
                </tr>
              </thead>
              <tbody>
                {f.months.map((m) => (
                  <tr key={m.month}>
                    <td style={td}>{m.month}</td>
                    <td style={{ ...td, ...num }}>{m.orders}</td>
                    <td style={{ ...td, ...num }}>{m.total}</td>
                    <td style={{ ...td, ...num }}>{m.deleted || '—'}</td>
                  </tr>
                ))}
                <tr>
                  <td style={{ ...td, fontWeight: 600 }}>合计</td>
                  <td style={{ ...td, ...num, fontWeight: 600 }}>{f.orders}</td>
                  <td style={{ ...td, ...num, fontWeight: 600 }}>{f.total}</td>
                  <td style={td} />
                </tr>
              </tbody>
            </table>
            <p style={{ color: '#666', marginTop: 12 }} data-testid="sales-note">
              {f.deletedNote}
            </p>
          </div>
        </>
      );
    }}
  />
);

export default SalesReport;
