import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { Link } from 'react-router-dom';
import { box } from './ui';

type Story = {
  status: string;
  stopped: { reason: string; memo: string; until: string } | null;
  pendingDeletion: { id: number; href: string; expires: string } | null;
  pendingMerge: { id: number } | null;
  business: [string, string][];
  timeline: { id: number; at: string; who: string; door: string; action: string; changes: string[] }[];
};

export const STATUS_STYLE: Record<string, { label: string; color: string; background: string }> = {
  active: { label: '启用', color: '#0a7a32', background: '#e3f6ea' },
  inactive: { label: '停用', color: '#a35200', background: '#fff1e0' },
  deleted: { label: '已删除', color: '#5f6368', background: '#eceff1' },
};

export const Badge = ({ status }: { status: string }) => {
  const s = STATUS_STYLE[status] || { label: status, color: '#333', background: '#eee' };
  return (
    <span
      data-testid={`status-${status}`}
      style={{
        color: s.color,
        background: s.background,
        borderRadius: 10,
        padding: '2px 10px',
        fontSize: 13,
        whiteSpace: 'nowrap',
      }}
    >
      {s.label}
    </span>
  );
};

/** The customer page's 360 view: status, what is pending, business at a glance and the timeline. */
const CustomerStory = (props: BasePropertyProps) => {
  const raw = props.record?.params?.story;
  if (typeof raw !== 'string' || !raw) return null;
  const story = JSON.parse(raw) as Story;
  return (
    <div data-testid="customer-story" style={{ marginBottom: 24 }}>
      <div style={{ ...box, display: 'flex', gap: 16, alignItems: 'center', flexWrap: 'wrap' }}>
        <Badge status={story.status} />
        {story.stopped ? (
          <span>
            停用原因: {story.stopped.reason}
            {story.stopped.memo ? ` (${story.stopped.memo})` : ''}
            {story.stopped.until ? `; 停用至 ${story.stopped.until}` : ''}
          </span>
        ) : null}
        {story.pendingDeletion ? (
          <span data-testid="pending-deletion" style={{ color: '#c20012' }}>
            待审批删除:{' '}
            <Link to={story.pendingDeletion.href.replace(/^\/admin/, '')}>审批单 #{story.pendingDeletion.id}</Link>{' '}
            (有效期至 {story.pendingDeletion.expires})
          </span>
        ) : null}
        {story.pendingMerge ? (
          <span style={{ color: '#a35200' }}>有待审批的合并申请 #{story.pendingMerge.id}</span>
        ) : null}
      </div>
      <div
        style={{ ...box, display: 'grid', gridTemplateColumns: 'repeat(3, minmax(160px, 1fr))', gap: 12 }}
        data-testid="business"
      >
        {story.business.map(([k, v]) => (
          <div key={k}>
            <div style={{ color: '#898a9a', fontSize: 12 }}>{k}</div>
            <div style={{ fontSize: 16, fontWeight: 600 }}>{v}</div>
          </div>
        ))}
      </div>
      <div style={box} data-testid="timeline">
        <div style={{ fontSize: 16, fontWeight: 600, marginBottom: 8 }}>时间线</div>
        {story.timeline.length ? (
          story.timeline.map((e) => (
            <div key={e.id} style={{ borderLeft: '3px solid #dfe3ea', paddingLeft: 12, marginBottom: 10 }}>
              <div>
                <b>{e.action}</b> · {e.who} · {e.door} · {e.at}
              </div>
              {e.changes.map((c, i) => (
                <div key={i} style={{ color: '#555', fontSize: 13 }}>
                  {c}
                </div>
              ))}
            </div>
          ))
        ) : (
          <div>还没有记录</div>
        )}
      </div>
    </div>
  );
};

export default CustomerStory;
