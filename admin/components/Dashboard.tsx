import React, { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { BarChart, LineChart } from './charts';
import { ErrorBox, api, box, requestFailed } from './ui';
import type { DashboardData } from '../dashboard';

const STATUS_COLORS: Record<string, string> = { active: '#389e0d', inactive: '#d48806', deleted: '#8c8c8c' };
const grid: React.CSSProperties = {
  display: 'grid',
  gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))',
  gap: 16,
};
const th: React.CSSProperties = {
  textAlign: 'left',
  padding: '6px 8px',
  borderBottom: '1px solid #e8e8ef',
  color: '#666',
  fontWeight: 600,
};
const td: React.CSSProperties = { padding: '6px 8px', borderBottom: '1px solid #f0f0f5' };
const h2: React.CSSProperties = { fontSize: 16, fontWeight: 600, margin: '0 0 12px' };

const Backup = ({ backup }: { backup: DashboardData['backup'] }) => {
  if (!backup) return <p data-testid="backup-none">尚无备份记录</p>;
  const color = backup.verifyStatus === 'passed' ? '#389e0d' : backup.verifyStatus === 'failed' ? '#c20012' : '#d48806';
  return (
    <div data-testid="backup-last">
      <p>
        最近一次备份: {backup.takenText} ({backup.totalRows} 行)
      </p>
      <p>
        校验: <span style={{ color, fontWeight: 600 }}>{backup.verifyLabel}</span>
        {backup.verifiedText ? ` (${backup.verifiedText})` : ''}
      </p>
    </div>
  );
};

type Props = { data: DashboardData };

/** Customers per status and the last 12 months' sales, as big numbers. */
const Counts = ({ data }: Props) => (
  <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap', marginBottom: 16 }}>
    {data.statusCounts.map((s) => (
      <div key={s.key} style={{ ...box, flex: '1 1 160px', marginBottom: 0 }} data-testid={`count-${s.key}`}>
        <div style={{ color: '#666', lineHeight: '20px', marginBottom: 8 }}>{s.label}</div>
        <div style={{ fontSize: 30, fontWeight: 700, lineHeight: '36px', color: STATUS_COLORS[s.key] }}>{s.count}</div>
      </div>
    ))}
    <div style={{ ...box, flex: '1 1 220px', marginBottom: 0 }}>
      <div style={{ color: '#666', lineHeight: '20px', marginBottom: 8 }}>近 12 个月销售额</div>
      <div style={{ fontSize: 22, fontWeight: 700, lineHeight: '30px' }}>{data.sales12m.total}</div>
      <div style={{ color: '#888', fontSize: 12, lineHeight: '18px', marginTop: 4 }}>
        {data.sales12m.orders} 单 · 客单价 {data.sales12m.average} · 人均 {data.sales12m.ordersPerCustomer} 单
      </div>
    </div>
  </div>
);

/** How fresh the ledger feed is (an orange edge when stale), and the customer code figures. */
const LedgerAndCodes = ({ data }: Props) => (
  <>
    <div
      style={{ ...box, borderLeft: `4px solid ${data.ledger.stale ? '#d48806' : '#1a7f37'}` }}
      data-testid="ledger-freshness"
    >
      <div style={h2}>进销存数据</div>
      <div>{data.ledger.text.replace(/^进销存数据: /, '')}</div>
    </div>
    <div style={box} data-testid="code-stats">
      <div style={h2}>客户编码 (规则 {data.codes.rule})</div>
      <div>
        共 {data.codes.total} 个: 自动 {data.codes.auto} · 手工 {data.codes.manual} · 改编码 {data.codes.recode} ·
        不合规则 <a href={data.codes.href}>{data.codes.offRule}</a> · 编号空缺 {data.codes.gaps} · 下一个{' '}
        {data.codes.next}
      </div>
    </div>
  </>
);

/** New customers per month and inactive customers over time. */
const Charts = ({ data }: Props) => (
  <div style={grid}>
    <div style={box}>
      <div style={h2}>每月新增客户 (近 24 个月)</div>
      <BarChart data={data.newPerMonth} color="#3040d6" testId="chart-new" />
    </div>
    <div style={box}>
      <div style={h2}>停用客户数 (每月月末, 近 12 个月)</div>
      <LineChart data={data.inactiveOverTime} color="#d48806" testId="chart-inactive" />
    </div>
  </div>
);

/** The 10 customers with the most sales in the last 12 months. */
const TopTen = ({ data }: Props) => (
  <div style={box}>
    <div style={h2}>近 12 个月销售额前 10 名</div>
    <table style={{ width: '100%', borderCollapse: 'collapse', fontSize: 13 }} data-testid="top10">
      <thead>
        <tr>
          <th style={th}>#</th>
          <th style={th}>客户</th>
          <th style={th}>状态</th>
          <th style={{ ...th, textAlign: 'right' }}>销售额</th>
          <th style={{ ...th, textAlign: 'right' }}>订单</th>
        </tr>
      </thead>
      <tbody>
        {data.top10.map((t, i) => (
          <tr key={t.customerId}>
            <td style={td}>{i + 1}</td>
            <td style={td}>
              <Link to={t.href}>
                {t.code} {t.name}
              </Link>
            </td>
            <td style={td}>{t.statusLabel}</td>
            <td style={{ ...td, textAlign: 'right' }}>{t.sales}</td>
            <td style={{ ...td, textAlign: 'right' }}>{t.orders}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {data.top10.length ? null : <p>近 12 个月没有销售订单。</p>}
  </div>
);

/** Deletion requests waiting for an approver, with a note when this operator cannot approve. */
const PendingApprovals = ({ data }: Props) => (
  <div style={box} data-testid="pending-approvals">
    <div style={h2}>待审批删除申请 ({data.pending.length})</div>
    {data.pending.length ? (
      <ul style={{ margin: 0, paddingLeft: 18, lineHeight: 1.9 }}>
        {data.pending.map((p) => (
          <li key={p.id}>
            <Link to={p.href}>
              #{p.id} {p.customerCode} {p.customerName}
            </Link>
            <span style={{ color: '#888' }}>
              {' '}
              — {p.requester} 申请, 原因: {p.reason}; {p.expiresText} 前有效
            </span>
          </li>
        ))}
      </ul>
    ) : (
      <p>没有待审批的申请。</p>
    )}
    {data.pending.length && !data.canApprove ? <p style={{ color: '#888' }}>你没有审批权限, 由审批人处理。</p> : null}
  </div>
);

/** Merge requests waiting for an approval from chat (shown only when there are some). */
const PendingMerges = ({ data }: Props) =>
  data.pendingMerges.length ? (
    <div style={box} data-testid="pending-merges">
      <div style={h2}>待审批合并申请 ({data.pendingMerges.length})</div>
      <ul style={{ margin: 0, paddingLeft: 18, lineHeight: 1.9 }}>
        {data.pendingMerges.map((m) => (
          <li key={m.id}>
            {m.text}{' '}
            <span style={{ color: '#888' }}>
              在聊天中回复「批准合并 {m.id}」或「驳回合并 {m.id} 理由」
            </span>
          </li>
        ))}
      </ul>
    </div>
  ) : null;

/** The back office's home: counts, the ledger feed, two charts, the top 10, pending approvals and the last backup. */
const Dashboard = () => {
  const [data, setData] = useState<DashboardData | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .getDashboard()
      .then((res) => setData(res.data as DashboardData))
      .catch((err: unknown) => setError(requestFailed(err)));
  }, []);
  if (error)
    return (
      <div style={{ padding: 24 }}>
        <ErrorBox message={error} />
      </div>
    );
  if (!data) return <div style={{ padding: 24 }}>正在加载…</div>;
  return (
    <div style={{ padding: 24, background: '#f4f5fa', minHeight: '100%' }} data-testid="dashboard">
      <h1 style={{ fontSize: 22, fontWeight: 600, margin: '0 0 16px' }}>客户概况</h1>
      <Counts data={data} />
      <LedgerAndCodes data={data} />
      <Charts data={data} />
      <div style={grid}>
        <TopTen data={data} />
        <div>
          <PendingApprovals data={data} />
          <PendingMerges data={data} />
          <div style={box}>
            <div style={h2}>备份</div>
            <Backup backup={data.backup} />
          </div>
        </div>
      </div>
    </div>
  );
};

export default Dashboard;
