import React, { useEffect, useState } from 'react';
import { useNotice, type ActionProps, type NoticeMessage } from 'adminjs';
import { ErrorBox, api, box, postRecordAction, primaryButton, requestFailed } from './ui';

type Undone = {
  batchId: string;
  fileName: string;
  removed: number;
  restored: number;
  touched: { row: number; code: string; reason: string }[];
};

/** What core undid, and the rows it left because they changed after the import. */
const UndoResult = ({ undone }: { undone: Undone }) => (
  <div
    data-testid="undo-result"
    style={{ background: '#f6ffed', border: '1px solid #b7eb8f', borderRadius: 6, padding: '12px 16px' }}
  >
    <div>
      已删除新建的客户 {undone.removed} 个, 已恢复被更新的客户 {undone.restored} 个。
    </div>
    {undone.touched.length ? (
      <div style={{ marginTop: 8 }}>
        <div style={{ fontWeight: 600 }}>以下 {undone.touched.length} 行没有撤销:</div>
        <ul data-testid="undo-touched">
          {undone.touched.map((t) => (
            <li key={t.row}>
              第 {t.row} 行 {t.code}: {t.reason}
            </li>
          ))}
        </ul>
      </div>
    ) : null}
  </div>
);

/** 撤销导入: confirms, then shows what core undid and which rows it left because they were touched since. */
const UndoImportAction = (props: ActionProps) => {
  const { action, resource } = props;
  const record = props.record!;
  const [outcomes, setOutcomes] = useState<string>('');
  const [undone, setUndone] = useState<Undone | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addNotice = useNotice();

  useEffect(() => {
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name, method: 'get' })
      .then((res) => setOutcomes((res.data as unknown as { outcomes?: string }).outcomes || ''))
      .catch((err: unknown) => setError(requestFailed(err)));
  }, []);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const data = (await postRecordAction(resource.id, record.id, action.name, {})) as {
        notice?: NoticeMessage;
        undone?: Undone;
      };
      if (data.notice) addNotice(data.notice);
      if (data.notice && data.notice.type === 'error') setError(data.notice.message);
      else setUndone(data.undone || null);
    } catch (err) {
      setError(requestFailed(err));
    }
    setBusy(false);
  };

  return (
    <form style={box} onSubmit={submit} data-testid="undo-import-form">
      <div style={{ fontSize: 16, fontWeight: 600 }}>
        撤销导入批次 #{record.id} ({record.params.fileName})
      </div>
      <p style={{ lineHeight: 1.6 }}>
        本批次: {outcomes || '…'}。撤销会删除本批次新建的客户、把本批次更新过的客户恢复原值;
        导入后又被修改、下过单或申请过删除的客户不会撤销, 会列在下面。
      </p>
      <ErrorBox message={error} />
      {undone ? (
        <UndoResult undone={undone} />
      ) : (
        <button type="submit" style={primaryButton(true)} disabled={busy} data-testid="undo-submit">
          {busy ? '处理中…' : '确认撤销'}
        </button>
      )}
    </form>
  );
};

export default UndoImportAction;
