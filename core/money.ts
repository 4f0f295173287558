/** Money as integer cents, so DECIMAL strings (MySQL) and numbers (SQLite) add up exactly. */
export type Cents = number;

/** Parses a DECIMAL value ("123.45", 123.45, null) into cents. */
export function toCents(value: string | number | null | undefined): Cents {
  if (value === null || value === undefined || value === '') return 0;
  const s = typeof value === 'number' ? value.toFixed(2) : value.trim();
  const m = /^(-)?(\d+)(?:\.(\d{0,2})\d*)?$/.exec(s);
  if (!m) throw new Error(`not a decimal amount: ${s}`);
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

/** Cents as a DECIMAL string for the database ("1234.50"). */
export function centsToDecimal(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Cents formatted for people: ¥12,345.60 */
export function formatYuan(cents: Cents): string {
  const [int, frac] = centsToDecimal(cents).split('.');
  return `¥${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}
