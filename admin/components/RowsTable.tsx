import React from 'react';
import { useTranslation, type BasePropertyProps } from 'adminjs';

/**
 * A property whose value is a JSON list of rows (see admin/format/readable.ts), shown as a table:
 * the audit diff as 字段 / 原值 / 新值, job details and backup figures as 项目 / 值.
 */
const RowsTable = (props: BasePropertyProps) => {
  const raw = props.record?.params?.[props.property.path];
  let rows: string[][] = [];
  try {
    rows = typeof raw === 'string' && raw ? (JSON.parse(raw) as string[][]) : [];
  } catch {
    rows = [];
  }
  const { translateProperty } = useTranslation();
  const label = translateProperty(props.property.label, props.resource.id);
  if (!rows.length)
    return (
      <div style={{ marginBottom: 24 }}>
        <div style={{ color: '#898a9a', fontSize: 12 }}>{label}</div>
        <div>—</div>
      </div>
    );
  const heads = rows[0]!.length === 3 ? ['字段', '原值', '新值'] : ['项目', '值'];
  const cell = {
    padding: '6px 12px',
    borderBottom: '1px solid #eee',
    textAlign: 'left' as const,
    verticalAlign: 'top' as const,
    whiteSpace: 'pre-wrap' as const,
  };
  return (
    <div style={{ marginBottom: 24 }} data-testid={`rows-${props.property.path}`}>
      <div style={{ color: '#898a9a', fontSize: 12, marginBottom: 4 }}>{label}</div>
      <table style={{ borderCollapse: 'collapse', minWidth: 420 }}>
        <thead>
          <tr>
            {heads.map((x) => (
              <th key={x} style={{ ...cell, fontWeight: 600 }}>
                {x}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j} style={cell}>
                  {c}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

export default RowsTable;
