/**
 * What a Chinese reader would trip over in a page's text: English interface words and raw JSON.
 * Data is allowed: e-mail addresses, URLs, customer/product/order codes, hashes, file names, and
 * the few Latin-script terms a Chinese office uses as they are (ERP, API, Excel, …).
 */
const DATA = [
  /[\w.+-]+@[\w.-]+/g, // e-mail
  /https?:\/\/\S+/g, // URL
  // Paths before codes: temp-dir suffixes such as steward-run-D1h51s would read as codes and cut a path apart.
  /(\/[\w.-]+){2,}\/?/g, // file paths on the server
  /\b[A-Z]{1,6}[-_]?\d[\w-]*/g, // codes: C20260001, P-1001, SO-2026-0001, A4, M6
  /\b[0-9a-f]{12,}\b/gi, // hashes (and their first 12 digits), ids
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, // uuids
  /\bdemo-[a-z]+\d*\b/g, // the demo's chat account ids
  /\b[\w.-]+:\d{2,}\b/g, // host:pid of the instance that ran a job
  /\{[A-Z]+(:\d+)?\}/g, // the configured CODE_RULE's placeholders, e.g. C{YYYY}{SEQ:4}
  /\b[\w.-]+\.(xlsx|xls|csv|json|gz|zip|png)\b/gi, // file names
  /\b\d+(\.\d+)?\s?(mm|m|kg|g|MB|KB|GB|ms|s)\b/g, // units next to numbers
  /\b(wecom|dingtalk|feishu|lark):[\w-]+/gi, // chat account ids (渠道:账号) are data
];
const TERMS = new Set([
  'ERP',
  'API',
  'Excel',
  'CSV',
  'Webhook',
  'LED',
  'ID',
  'jshERP',
  'HTTP',
  'HTTPS',
  'URL',
  'IP',
  'SQLite',
  'MariaDB',
  'MySQL',
  'TOTP',
  'OK',
]);

/** English words (two or more Latin letters) and raw-JSON fragments in `text`, each once. */
export function foreignText(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.match(/[{[]\s*"[\w\u4e00-\u9fff]+"\s*:/g) ?? []) out.add(`JSON ${m}`);
  let rest = text;
  for (const re of DATA) rest = rest.replace(re, ' ');
  for (const word of rest.match(/[A-Za-z][A-Za-z'-]+/g) ?? []) if (!TERMS.has(word)) out.add(word);
  return [...out];
}
