import React from 'react';
import { Link } from 'react-router-dom';
import { BarChart, NamedBars } from './charts';
import { box } from './ui';
import { ReportFrame, h2, num, td, th } from './report-ui';

type Figures = {
  statusCounts: { key: string; label: string; count: number }[];
  byCategory: { category: string; count: number }[];
  newPerMonth: { month: string; count: number }[];
  sales12m: { orders: number; total: string; average: string; customersWithOrders: number; ordersPerCustomer: number };
  top10: {
    customerId: number;
    code: string;
    name: string;
    status: string;
    statusLabel: string;
    sales: string;
    orders: number;
    href: string;
  }[];
};

const STATUS_COLORS: Record<string, string> = { active: '#389e0d', inactive: '#d48806', deleted: '#8c8c8c' };
const grid: React.CSSProperties = {
  display: 'grid',
  gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))',
  gap: 16,
};

/** Customers by status and by 客户分类, as bars. */
const StatusAndCategory = ({ f }: { f: Figures }) => (
  <div style={grid}>
    <div style={box}>
      <div style={h2}>客户状态</div>
      <NamedBars
        data={f.statusCounts.map((c) => ({
          label: c.label,
          value: c.count,
          text: `${c.count} 个`,
          color: STATUS_COLORS[c.key],
        }))}
        color="#3040d6"
        testId="chart-status"
      />
    </div>
    <div style={box}>
      <div style={h2}>客户分类 (不含已删除)</div>
      <NamedBars
        data={f.byCategory.map((c) => ({ label: c.category, value: c.count, text: `${c.count} 个` }))}
        color="#3040d6"
        testId="chart-category"
      />
    </div>
  </div>
);

/** New customers per month, and the last 12 months' order figures. */
const NewAndOrders = ({ f }: { f: Figures }) => {
  const s = f.sales12m;
  return (
    <div style={grid}>
      <div style={box}>
        <div style={h2}>每月新增客户 (近 12 个月)</div>
        <BarChart data={f.newPerMonth} color="#3040d6" testId="chart-new" />
      </div>
      <div style={box} data-testid="sales12m">
        <div style={h2}>近 12 个月订单</div>
        <p>
          {s.orders} 单, 合计 {s.total}
        </p>
        <p>
          平均客单价 {s.average} · 下单客户 {s.customersWithOrders} 个 · 人均 {s.ordersPerCustomer} 单
        </p>
      </div>
    </div>
  );
};

/** The 10 customers with the most sales in the last 12 months. */
const TopTen = ({ f }: { f: Figures }) => (
  <div style={box}>
    <div style={h2}>近 12 个月销售额前 10 名</div>
    <table style={{ width: '100%', borderCollapse: 'collapse', fontSize: 13 }} data-testid="top10">
      <thead>
        <tr>
          <th style={th}>#</th>
          <th style={th}>客户</th>
          <th style={th}>状态</th>
          <th style={{ ...th, ...num }}>销售额</th>
          <th style={{ ...th, ...num }}>订单</th>
        </tr>
      </thead>
      <tbody>
        {f.top10.map((t, i) => (
          <tr key={t.customerId}>
            <td style={td}>{i + 1}</td>
            <td style={td}>
              <Link to={t.href}>
                {t.code} {t.name}
              </Link>
            </td>
            <td style={{ ...td, color: STATUS_COLORS[t.status] }}>{t.statusLabel}</td>
            <td style={{ ...td, ...num }}>{t.sales}</td>
            <td style={{ ...td, ...num }}>{t.orders}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {f.top10.length ? null : <p>近 12 个月没有销售订单。</p>}
  </div>
);

/** 客户分析: customers by status and 客户分类, new customers per month, order figures and the top 10, for everyone or one owner. */
const CustomerReport = () => (
  <ReportFrame
    pageName="customerReport"
    fields={[]}
    render={(data) => {
      const f = data.figures as unknown as Figures;
      return (
        <>
          <StatusAndCategory f={f} />
          <NewAndOrders f={f} />
          <TopTen f={f} />
        </>
      );
    }}
  />
);

export default CustomerReport;
