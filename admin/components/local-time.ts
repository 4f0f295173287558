/**
 * Times in the company's time zone (STEWARD_TIMEZONE, handed to the page as AdminJS.env), not the
 * browser's: AdminJS's own date cells use the browser's zone, so a laptop set to UTC showed times
 * eight hours off the ones in chat and in the server-formatted pages.
 */
type Env = { AdminJS?: { env?: Record<string, string> } };

const zone = () => (window as unknown as Env).AdminJS?.env?.STEWARD_TIMEZONE || undefined;

/** One formatter per zone: building an Intl.DateTimeFormat costs more than formatting, and a list formats a cell per row. */
const formatters = new Map<string | undefined, Intl.DateTimeFormat>();
function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** 2026-12-05 08:46 for a datetime, 2026-12-05 for a date (dates are calendar days: never shifted). */
export function localValue(value: unknown, type: string): string {
  if (value === null || value === undefined || value === '') return '';
  const text = String(value);
  if (type === 'date') return text.slice(0, 10);
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  const parts = Object.fromEntries(
    formatter(zone())
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
