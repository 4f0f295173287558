import React, { useState } from 'react';
import type { ActionProps, NoticeMessage } from 'adminjs';
import { ErrorBox, box, field, labelStyle, primaryButton } from './ui';
import { BatchLink, CommitHint, ErrorReportLink, cell, stat, useImportInfo, useImportUpload } from './import-ui';

type RowError = { row: number; column: string; message: string };
type Closing = { number: string; customerCode: string; error?: string };
type Report = {
  type: 'orders' | 'receivables';
  typeLabel: string;
  typeGuessed: boolean;
  fileName: string;
  sheet: string | null;
  dryRun: boolean;
  committed: boolean;
  batchId: string | null;
  snapshot: boolean;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  closing: number;
  closingSample: Closing[];
  closeErrors: Closing[];
  errorCount: number;
  failedRowCount: number;
  errors: RowError[];
  unknownColumns: string[];
  mergedLines: number;
};
type Answer = {
  notice?: NoticeMessage;
  info?: { maxMb: number; maxRows: number };
  report?: Report;
  token?: string | null;
  errorReportUrl?: string | null;
};

/** Snapshot mode: the documents this file no longer lists, to be closed (or marked paid), and those that cannot be. */
const Closings = ({ report, verb, closeWord }: { report: Report; verb: string; closeWord: string }) => (
  <>
    {report.snapshot && report.closingSample.length ? (
      <div style={{ marginTop: 12 }} data-testid="ledger-closing">
        快照模式: 以前从文件导入、仍未完成、这次文件里已没有的{report.typeLabel}
        {verb}
        {closeWord} {report.closing} 张: {report.closingSample.map((c) => c.number).join(', ')}
        {report.closing > report.closingSample.length ? ' ……' : ''}
      </div>
    ) : null}
    {report.closeErrors.length ? (
      <ul style={{ color: '#c20012' }}>
        {report.closeErrors.map((c) => (
          <li key={c.number}>
            {c.number} ({c.customerCode}) 无法{closeWord}: {c.error}
          </li>
        ))}
      </ul>
    ) : null}
  </>
);

/** The first errors: row (none for a whole-file problem), column and core's reason. */
const ErrorsTable = ({ errors }: { errors: RowError[] }) => (
  <table data-testid="ledger-errors" style={{ borderCollapse: 'collapse', marginTop: 16, width: '100%' }}>
    <thead>
      <tr>
        <th style={cell}>行号</th>
        <th style={cell}>列</th>
        <th style={cell}>原因</th>
      </tr>
    </thead>
    <tbody>
      {errors.map((e, i) => (
        <tr key={i}>
          <td style={cell}>{e.row || ''}</td>
          <td style={cell}>{e.column}</td>
          <td style={cell}>{e.message}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** The dry run or commit report: counts, the snapshot's closings, unknown columns, then the errors (row, column, reason). */
const ReportView = ({ report }: { report: Report }) => {
  const verb = report.committed ? '已' : '将';
  const closeWord = report.type === 'orders' ? '关闭' : '标为已收清';
  return (
    <div data-testid="ledger-report" style={{ marginTop: 16 }}>
      <div style={{ fontWeight: 600, marginBottom: 8 }}>
        {report.committed
          ? `已导入 (批次 #${report.batchId})`
          : report.dryRun
            ? '预检结果 (尚未写入任何数据)'
            : '没有导入'}
        : {report.fileName}
        {report.sheet ? ` · 工作表「${report.sheet}」` : ''} · {report.typeLabel}
        {report.typeGuessed ? ' (按表头识别)' : ''}
      </div>
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        {stat(`${verb}新增`, report.created, '#237804', 'stat-created')}
        {stat(`${verb}更新`, report.updated, '#0958d9', 'stat-updated')}
        {stat('不变', report.unchanged, '#555', 'stat-unchanged')}
        {stat('跳过 (标题/合计行)', report.skipped, '#555', 'stat-skipped')}
        {stat('出错行', report.failedRowCount, '#c20012', 'stat-errors')}
        {report.snapshot ? stat(`${verb}${closeWord}`, report.closing, '#ad4e00', 'stat-closing') : null}
      </div>
      <Closings report={report} verb={verb} closeWord={closeWord} />
      {report.mergedLines ? (
        <div style={{ marginTop: 8, color: '#666' }} data-testid="ledger-merged">
          明细文件: {report.mergedLines} 行明细已并入同一单号的订单 (金额相加)
        </div>
      ) : null}
      {report.unknownColumns.length ? (
        <div style={{ marginTop: 8, color: '#666' }} data-testid="ledger-unknown">
          未识别的列 (已忽略): {report.unknownColumns.join('、')}
        </div>
      ) : null}
      {report.errors.length ? <ErrorsTable errors={report.errors} /> : null}
      {report.errorCount > report.errors.length ? (
        <div style={{ color: '#666', marginTop: 4 }}>只显示前 {report.errors.length} 条, 全部错误见错误报告。</div>
      ) : null}
    </div>
  );
};

type Setter<T> = (v: T) => void;
type FieldsProps = {
  info: Answer['info'] | null;
  setFile: Setter<File | null>;
  type: string;
  setType: Setter<string>;
  sheet: string;
  setSheet: Setter<string>;
};

/** The intro with the accepted headers and limits, the file, the document type and the sheet name. */
const FileFields = ({ info, setFile, type, setType, sheet, setSheet }: FieldsProps) => (
  <>
    <div style={{ fontSize: 16, fontWeight: 600 }}>从 ERP 导出的 Excel / CSV 导入订单或应收款</div>
    <p style={{ color: '#666', lineHeight: 1.6 }}>
      先预检: 每一行按与 API 相同的规则检查 (停用客户不能新增未完成订单), 不写入任何数据; 确认无误后再点「确认导入」。
      表头可用中文或英文: 单据编号、客户编码 或 客户名称、单据日期、金额、状态 (订单);
      单据编号、客户、应收金额、已收金额、到期日 (应收款)。 最大 {info ? info.maxMb : '…'} MB、
      {info ? info.maxRows : '…'} 行。
    </p>
    <label style={labelStyle} htmlFor="file">
      文件 *
    </label>
    <input
      id="file"
      name="file"
      type="file"
      accept=".xlsx,.xls,.csv"
      style={field}
      onChange={(e) => setFile(e.target.files && e.target.files[0] ? e.target.files[0] : null)}
    />
    <label style={labelStyle} htmlFor="type">
      单据类型
    </label>
    <select id="type" name="type" style={field} value={type} onChange={(e) => setType(e.target.value)}>
      <option value="">按表头自动识别</option>
      <option value="orders">订单</option>
      <option value="receivables">应收款</option>
    </select>
    <label style={labelStyle} htmlFor="sheet">
      工作表名称 (可选, 默认第一个)
    </label>
    <input
      id="sheet"
      name="sheet"
      style={field}
      value={sheet}
      onChange={(e) => setSheet(e.target.value)}
      maxLength={100}
    />
  </>
);

/** 整表快照 (close what the file no longer lists) and 只导入有效行. */
const LedgerOptions = ({
  snapshot,
  setSnapshot,
  partial,
  setPartial,
}: {
  snapshot: boolean;
  setSnapshot: Setter<boolean>;
  partial: boolean;
  setPartial: Setter<boolean>;
}) => (
  <>
    <label style={{ display: 'block', marginTop: 12 }}>
      <input type="checkbox" name="snapshot" checked={snapshot} onChange={(e) => setSnapshot(e.target.checked)} />{' '}
      整表快照: 以前从文件导入、这次文件里没有的未完成单据视为已关闭 (API、jshERP 和本系统的单据不受影响)
    </label>
    <label style={{ display: 'block', marginTop: 8 }}>
      <input type="checkbox" name="partial" checked={partial} onChange={(e) => setPartial(e.target.checked)} />{' '}
      只导入有效行 (默认: 有一行出错就全部不导入)
    </label>
  </>
);

/**
 * Whether 确认导入 is offered (a dry run that would write or close something, with no problems
 * unless 只导入有效行 is on), and whether to say why it is not.
 */
function commitGate(answer: Answer | null, partial: boolean) {
  const report = answer && answer.report;
  const problems = report ? report.failedRowCount + report.closeErrors.length : 0;
  const canCommit = Boolean(
    report &&
      report.dryRun &&
      answer!.token &&
      report.created + report.updated + report.closing > 0 &&
      (partial || problems === 0),
  );
  const hint = Boolean(report && report.dryRun && !canCommit && problems > 0 && !partial);
  return { report, canCommit, hint };
}

/** 确认导入 with what it will write (and close, in snapshot mode). */
const CommitButton = ({ report, busy, onCommit }: { report: Report; busy: boolean; onCommit: () => void }) => (
  <button type="button" style={primaryButton()} disabled={busy} data-testid="ledger-import-commit" onClick={onCommit}>
    确认导入 (新增 {report.created}, 更新 {report.updated}
    {report.snapshot ? `, 关闭 ${report.closing}` : ''})
  </button>
);

/** 导入单据: upload an ERP export of orders or receivables → dry-run report → 确认导入 of the same file. */
const LedgerImportAction = (props: ActionProps) => {
  const { action, resource } = props;
  const [info, setInfo] = useState<Answer['info'] | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [type, setType] = useState('');
  const [snapshot, setSnapshot] = useState(false);
  const [partial, setPartial] = useState(false);
  const [sheet, setSheet] = useState('');
  const { answer, setAnswer, busy, error, setError, send } = useImportUpload<Answer>(resource.id, action.name);

  useImportInfo(resource.id, action.name, setInfo, setError);

  const check = (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return setError('请先选择要导入的 .xlsx 或 .csv 文件。');
    setAnswer(null);
    void send({ file, type, snapshot: String(snapshot), partial: String(partial), sheet });
  };

  const { report, canCommit, hint } = commitGate(answer, partial);
  return (
    <div style={box}>
      <form onSubmit={check} data-testid="ledger-import-form">
        <FileFields info={info} setFile={setFile} type={type} setType={setType} sheet={sheet} setSheet={setSheet} />
        <LedgerOptions snapshot={snapshot} setSnapshot={setSnapshot} partial={partial} setPartial={setPartial} />
        <button type="submit" style={primaryButton()} disabled={busy} data-testid="ledger-import-check">
          {busy ? '处理中…' : '上传并预检'}
        </button>
      </form>
      <ErrorBox message={error} testId="ledger-import-error" />
      {report ? <ReportView report={report} /> : null}
      {answer && answer.errorReportUrl ? <ErrorReportLink url={answer.errorReportUrl} /> : null}
      {canCommit ? (
        <CommitButton report={report!} busy={busy} onCommit={() => send({ token: answer!.token as string })} />
      ) : null}
      {hint ? <CommitHint /> : null}
      {report && report.committed ? <BatchLink batchId={report.batchId} /> : null}
    </div>
  );
};

export default LedgerImportAction;
