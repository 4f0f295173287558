import React, { useState } from 'react';
import type { ActionProps, NoticeMessage } from 'adminjs';
import { ErrorBox, box, field, labelStyle, primaryButton } from './ui';
import { BatchLink, CommitHint, ErrorReportLink, cell, stat, useImportInfo, useImportUpload } from './import-ui';

type RowError = { row: number; column: string; message: string };
type Report = {
  fileName: string;
  dryRun: boolean;
  committed: boolean;
  batchId: string | null;
  sheet: string | null;
  format: string | null;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  errorCount: number;
  failedRowCount: number;
  errors: RowError[];
  valueProblems?: string[];
  duplicateCount: number;
  duplicates: { row: number; matches: string[] }[];
  alreadyImported: { batchId: string; at: string; operatorName: string } | null;
};
type Answer = {
  notice?: NoticeMessage;
  info?: { templateUrl: string; maxMb: number; maxRows: number };
  report?: Report;
  token?: string | null;
  errorReportUrl?: string | null;
};

/** What the file's values need: list entries it names that do not exist yet, and how to map or add them. */
const ValueProblems = ({ problems }: { problems: string[] }) => (
  <div
    data-testid="import-value-problems"
    style={{
      marginTop: 16,
      background: '#fff7e6',
      padding: '10px 14px',
      borderRadius: 6,
      whiteSpace: 'pre-wrap',
      lineHeight: 1.6,
    }}
  >
    {problems.join('\n')}
  </div>
);

/** The first errors: row, column and core's reason. */
const ErrorsTable = ({ errors }: { errors: RowError[] }) => (
  <table data-testid="import-errors" style={{ borderCollapse: 'collapse', marginTop: 16, width: '100%' }}>
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
          <td style={cell}>{e.row}</td>
          <td style={cell}>{e.column}</td>
          <td style={cell}>{e.message}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** Rows that look like existing customers: a hint, never a block. */
const DuplicatesTable = ({ duplicates }: { duplicates: Report['duplicates'] }) => (
  <table data-testid="import-duplicates" style={{ borderCollapse: 'collapse', marginTop: 16, width: '100%' }}>
    <thead>
      <tr>
        <th style={cell}>行号</th>
        <th style={cell}>疑似重复的已有客户 (名称或手机相同, 仅提示, 不阻止导入)</th>
      </tr>
    </thead>
    <tbody>
      {duplicates.map((d) => (
        <tr key={d.row}>
          <td style={cell}>{d.row}</td>
          <td style={cell}>{d.matches.join(', ')}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** The report of a dry run or a commit: counts, then the errors (row, column, reason) and duplicate candidates. */
const ReportView = ({ report }: { report: Report }) => (
  <div data-testid="import-report" style={{ marginTop: 16 }}>
    <div style={{ fontWeight: 600, marginBottom: 8 }}>
      {report.committed
        ? `已导入 (批次 #${report.batchId})`
        : report.dryRun
          ? '预检结果 (尚未写入任何数据)'
          : '没有导入'}
      : {report.fileName}
      {report.sheet ? ` · 工作表「${report.sheet}」` : ''}
    </div>
    <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
      {stat('将新建', report.created, '#237804', 'stat-created')}
      {stat('将更新', report.updated, '#0958d9', 'stat-updated')}
      {stat('未变', report.unchanged, '#555', 'stat-unchanged')}
      {stat('跳过 (空行/标题/合计行)', report.skipped, '#555', 'stat-skipped')}
      {stat('出错行', report.failedRowCount, '#c20012', 'stat-errors')}
      {stat('疑似重复', report.duplicateCount, '#ad4e00', 'stat-duplicates')}
    </div>
    {report.valueProblems && report.valueProblems.length ? <ValueProblems problems={report.valueProblems} /> : null}
    {report.errors.length ? <ErrorsTable errors={report.errors} /> : null}
    {report.errorCount > report.errors.length ? (
      <div style={{ color: '#666', marginTop: 4 }}>只显示前 {report.errors.length} 条, 全部错误见错误报告。</div>
    ) : null}
    {report.duplicates.length ? <DuplicatesTable duplicates={report.duplicates} /> : null}
  </div>
);

type Setter<T> = (v: T) => void;
type OptionsProps = {
  ignoreUnknown: boolean;
  setIgnoreUnknown: Setter<boolean>;
  partial: boolean;
  setPartial: Setter<boolean>;
  mapValues: string;
  setMapValues: Setter<string>;
  createMissing: boolean;
  setCreateMissing: Setter<boolean>;
};

/** How to treat the file: unknown columns, partial imports, value mapping and adding missing list entries. */
const ImportOptions = (p: OptionsProps) => (
  <>
    <label style={{ display: 'block', marginTop: 12 }}>
      <input
        type="checkbox"
        name="ignoreUnknown"
        checked={p.ignoreUnknown}
        onChange={(e) => p.setIgnoreUnknown(e.target.checked)}
      />{' '}
      忽略未知列
    </label>
    <label style={{ display: 'block', marginTop: 8 }}>
      <input type="checkbox" name="partial" checked={p.partial} onChange={(e) => p.setPartial(e.target.checked)} />{' '}
      只导入有效行 (默认: 有一行出错就全部不导入)
    </label>
    <label style={labelStyle} htmlFor="mapValues">
      值对应 (可选, 每行一条, 例如 客户分类:零售=零售商 或 区域:华东区=华东)
    </label>
    <textarea
      id="mapValues"
      name="mapValues"
      style={{ ...field, height: 60 }}
      value={p.mapValues}
      onChange={(e) => p.setMapValues(e.target.value)}
      maxLength={2000}
    />
    <label style={{ display: 'block', marginTop: 8 }}>
      <input
        type="checkbox"
        name="createMissing"
        checked={p.createMissing}
        onChange={(e) => p.setCreateMissing(e.target.checked)}
      />{' '}
      表中没有的客户分类/区域自动新增 (仅管理员; 预检时先列出将新增的值)
    </label>
  </>
);

/** The intro with the limits and the template, the file and the sheet name. */
const FileFields = ({
  info,
  setFile,
  sheet,
  setSheet,
}: {
  info: Answer['info'] | null;
  setFile: Setter<File | null>;
  sheet: string;
  setSheet: Setter<string>;
}) => (
  <>
    <div style={{ fontSize: 16, fontWeight: 600 }}>从 Excel / CSV 导入客户</div>
    <p style={{ color: '#666', lineHeight: 1.6 }}>
      先预检: 系统检查每一行并给出报告, 不写入任何数据; 确认无误后再点「确认导入」。支持 .xlsx、旧版 .xls 和 .csv (UTF-8
      或 GBK), 最大 {info ? info.maxMb : '…'} MB、{info ? info.maxRows : '…'} 行。
      {info ? (
        <a href={info.templateUrl} data-testid="template-link">
          下载导入模板
        </a>
      ) : null}
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

/**
 * Whether 确认导入 is offered (a dry run that would write something, with no failed rows unless
 * 只导入有效行 is on), and whether to say why it is not.
 */
function commitGate(answer: Answer | null, partial: boolean) {
  const report = answer && answer.report;
  const canCommit = Boolean(
    report &&
      report.dryRun &&
      answer!.token &&
      report.created + report.updated > 0 &&
      (partial || report.failedRowCount === 0),
  );
  const hint = Boolean(report && report.dryRun && !canCommit && report.failedRowCount > 0 && !partial);
  return { report, canCommit, hint };
}

/** 确认导入 with what it will write. */
const CommitButton = ({ report, busy, onCommit }: { report: Report; busy: boolean; onCommit: () => void }) => (
  <button type="button" style={primaryButton()} disabled={busy} data-testid="import-commit" onClick={onCommit}>
    确认导入 (新建 {report.created}, 更新 {report.updated})
  </button>
);

/** 导入客户: upload → dry-run report → 确认导入 of the same file (kept on the server for an hour). */
const ImportAction = (props: ActionProps) => {
  const { action, resource } = props;
  const [info, setInfo] = useState<Answer['info'] | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [ignoreUnknown, setIgnoreUnknown] = useState(false);
  const [partial, setPartial] = useState(false);
  const [sheet, setSheet] = useState('');
  const [mapValues, setMapValues] = useState('');
  const [createMissing, setCreateMissing] = useState(false);
  const { answer, setAnswer, busy, error, setError, send } = useImportUpload<Answer>(resource.id, action.name);

  useImportInfo(resource.id, action.name, setInfo, setError);

  const check = (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return setError('请先选择要导入的 .xlsx 或 .csv 文件。');
    setAnswer(null);
    void send({
      file,
      ignoreUnknown: String(ignoreUnknown),
      partial: String(partial),
      sheet,
      mapValues,
      createMissing: String(createMissing),
    });
  };

  const { report, canCommit, hint } = commitGate(answer, partial);
  return (
    <div style={box}>
      <form onSubmit={check} data-testid="import-form">
        <FileFields info={info} setFile={setFile} sheet={sheet} setSheet={setSheet} />
        <ImportOptions
          ignoreUnknown={ignoreUnknown}
          setIgnoreUnknown={setIgnoreUnknown}
          partial={partial}
          setPartial={setPartial}
          mapValues={mapValues}
          setMapValues={setMapValues}
          createMissing={createMissing}
          setCreateMissing={setCreateMissing}
        />
        <button type="submit" style={primaryButton()} disabled={busy} data-testid="import-check">
          {busy ? '处理中…' : '上传并预检'}
        </button>
      </form>
      <ErrorBox message={error} testId="import-error" />
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

export default ImportAction;
