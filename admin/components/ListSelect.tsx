import React, { useEffect, useState } from 'react';
import type { EditPropertyProps } from 'adminjs';
import { api, errorText, field, requestFailed } from './ui';

type Choice = { value: string; label: string; active: boolean };

/**
 * 客户分类 / 区域 as a drop-down of the company list's active entries, read live from the server
 * (listChoices). The value the customer had when the form opened stays offered even if its entry
 * was deactivated since; core checks whatever is saved.
 */
const ListSelect = (props: EditPropertyProps) => {
  const { property, record, resource, onChange } = props;
  const path = property.path;
  const value = String(record.params[path] ?? '');
  const [current] = useState(value);
  const [choices, setChoices] = useState<Choice[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api
      .resourceAction({ resourceId: resource.id, actionName: 'listChoices', params: { list: path, current } })
      .then((res) => {
        const data = res.data as { choices?: Choice[]; notice?: { message: string } };
        if (!live) return;
        if (data.choices) setChoices(data.choices);
        else setFailed(data.notice?.message ?? '读取可选值失败');
      })
      .catch((err) => live && setFailed(requestFailed(err)));
    return () => {
      live = false;
    };
  }, [resource.id, path, current]);

  const error = record.errors?.[path]?.message;
  return (
    <div style={{ marginBottom: 24 }} data-testid={`list-select-${path}`}>
      <label htmlFor={`list-${path}`} style={{ display: 'block', fontSize: 12, marginBottom: 8 }}>
        {property.label}
      </label>
      <select
        id={`list-${path}`}
        name={path}
        style={field}
        value={value}
        disabled={!choices}
        onChange={(e) => onChange(path, e.target.value)}
      >
        <option value="">{choices ? '(不填)' : '读取中…'}</option>
        {(choices ?? []).map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
      {property.description ? (
        <div style={{ fontSize: 12, color: '#898a9a', marginTop: 4 }}>{property.description}</div>
      ) : null}
      {failed ? <div style={errorText}>{failed}</div> : null}
      {error ? <div style={errorText}>{error}</div> : null}
    </div>
  );
};

export default ListSelect;
