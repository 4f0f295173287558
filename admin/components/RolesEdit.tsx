import React from 'react';
import type { EditPropertyProps } from 'adminjs';

/** The roles of an operator as checkboxes with Chinese labels; stored as their keys, comma-separated. */
const RolesEdit = (props: EditPropertyProps) => {
  const choices = (props.property.availableValues || []) as { value: string; label: string }[];
  const current = String(props.record.params[props.property.path] || '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const toggle = (value: string, on: boolean) => {
    const next = choices.map((c) => c.value).filter((v) => (v === value ? on : current.includes(v)));
    props.onChange(props.property.path, next.join(','));
  };
  const error = props.record.errors?.[props.property.path]?.message;
  return (
    <div style={{ marginBottom: 24 }} data-testid="roles-edit">
      <div style={{ fontSize: 12, marginBottom: 8 }}>角色 (可多选)</div>
      {choices.map((c) => (
        <label key={c.value} style={{ marginRight: 20, cursor: 'pointer' }}>
          <input
            type="checkbox"
            name={`role-${c.value}`}
            checked={current.includes(c.value)}
            onChange={(e) => toggle(c.value, e.target.checked)}
          />{' '}
          {c.label}
        </label>
      ))}
      {error ? <div style={{ color: '#c20012', marginTop: 6 }}>{error}</div> : null}
    </div>
  );
};

export default RolesEdit;
