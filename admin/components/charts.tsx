import React from 'react';

export type Point = { month: string; count: number };

const W = 560;
const H = 220;
const PAD = { top: 24, right: 12, bottom: 36, left: 40 };

/** A y-axis top that is a round number at or above the largest value. */
function niceMax(values: number[]): number {
  const max = Math.max(1, ...values);
  const step = Math.pow(10, Math.floor(Math.log10(max)));
  return Math.ceil(max / step) * step;
}

/** 1月, 2月…; January and the first bar also name the year, so a 24-month axis reads unambiguously. */
const monthLabel = (m: string, i: number) =>
  i === 0 || m.endsWith('-01') ? `${m.slice(2, 4)}年${Number(m.slice(5, 7))}月` : `${Number(m.slice(5, 7))}月`;

function Axes({ top, format = String }: { top: number; format?: (n: number) => string }) {
  const ticks = [...new Set([0, 0.5, 1].map((f) => Math.round(top * f)))];
  const innerH = H - PAD.top - PAD.bottom;
  return (
    <g>
      {ticks.map((t, i) => {
        const y = PAD.top + innerH - (t / top) * innerH;
        return (
          <g key={i}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} stroke="#e8e8ef" />
            <text x={PAD.left - 6} y={y + 4} fontSize="11" textAnchor="end" fill="#888">
              {format(t)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** Bars per month with their value on top; drawn in SVG so it works offline. */
export const BarChart = ({
  data,
  color,
  testId,
  format = String,
}: {
  data: Point[];
  color: string;
  testId: string;
  format?: (n: number) => string;
}) => {
  const top = niceMax(data.map((d) => d.count));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(data.length, 1);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" data-testid={testId}>
      <Axes top={top} format={format} />
      {data.map((d, i) => {
        const h = (d.count / top) * innerH;
        const x = PAD.left + i * slot + slot * 0.15;
        return (
          <g key={d.month}>
            <rect x={x} y={PAD.top + innerH - h} width={slot * 0.7} height={h} fill={color} rx="2">
              <title>{`${d.month}: ${format(d.count)}`}</title>
            </rect>
            {d.count ? (
              <text x={x + slot * 0.35} y={PAD.top + innerH - h - 4} fontSize="11" textAnchor="middle" fill="#333">
                {format(d.count)}
              </text>
            ) : null}
            {data.length <= 12 || i % 3 === 0 ? (
              <text x={x + slot * 0.35} y={H - PAD.bottom + 16} fontSize="11" textAnchor="middle" fill="#666">
                {data.length > 12 ? `${d.month.slice(2, 4)}年${Number(d.month.slice(5, 7))}月` : monthLabel(d.month, i)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
};

/** A line through the month-end values, with dots and labels. */
export const LineChart = ({ data, color, testId }: { data: Point[]; color: string; testId: string }) => {
  const top = niceMax(data.map((d) => d.count));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const step = innerW / Math.max(data.length - 1, 1);
  const xy = data.map((d, i) => [PAD.left + i * step, PAD.top + innerH - (d.count / top) * innerH] as const);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" data-testid={testId}>
      <Axes top={top} />
      <polyline points={xy.map(([x, y]) => `${x},${y}`).join(' ')} fill="none" stroke={color} strokeWidth="2.5" />
      {data.map((d, i) => (
        <g key={d.month}>
          <circle cx={xy[i]![0]} cy={xy[i]![1]} r="4" fill={color}>
            <title>{`${d.month}: ${d.count}`}</title>
          </circle>
          <text x={xy[i]![0]} y={xy[i]![1] - 8} fontSize="11" textAnchor="middle" fill="#333">
            {d.count}
          </text>
          <text x={xy[i]![0]} y={H - PAD.bottom + 16} fontSize="11" textAnchor="middle" fill="#666">
            {monthLabel(d.month, i)}
          </text>
        </g>
      ))}
    </svg>
  );
};

/** Amounts in 元 for chart labels: 950, 1.2万, 3.4亿. */
export const shortYuan = (yuan: number): string => {
  if (Math.abs(yuan) >= 1e8) return `${Number((yuan / 1e8).toFixed(1))}亿`;
  if (Math.abs(yuan) >= 1e4) return `${Number((yuan / 1e4).toFixed(1))}万`;
  return String(Math.round(yuan));
};

/** Horizontal bars for named values (账龄段, 客户分类): the label left, the bar, the value text right. */
export const NamedBars = ({
  data,
  color,
  testId,
}: {
  data: { label: string; value: number; text: string; color?: string }[];
  color: string;
  testId: string;
}) => {
  const max = Math.max(1, ...data.map((d) => d.value));
  const row = 30;
  const labelW = 110;
  const textW = 130;
  const barW = W - labelW - textW;
  return (
    <svg viewBox={`0 0 ${W} ${row * data.length + 8}`} width="100%" role="img" data-testid={testId}>
      {data.map((d, i) => {
        const w = Math.max(d.value > 0 ? 2 : 0, (d.value / max) * barW);
        const y = 4 + i * row;
        return (
          <g key={d.label}>
            <text x={labelW - 8} y={y + 18} fontSize="12" textAnchor="end" fill="#444">
              {d.label}
            </text>
            <rect x={labelW} y={y + 4} width={w} height={row - 10} fill={d.color || color} rx="2">
              <title>{`${d.label}: ${d.text}`}</title>
            </rect>
            <text x={labelW + w + 6} y={y + 18} fontSize="12" fill="#333">
              {d.text}
            </text>
          </g>
        );
      })}
    </svg>
  );
};
