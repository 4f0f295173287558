import type { Core } from '../context.js';
import { localParts } from '../customers/codes.js';

/** 'YYYY-MM-DD' of today in the configured time zone. */
export function localToday(core: Core): string {
  const p = localParts(core.now(), core.config.STEWARD_TIMEZONE);
  return `${p.year}-${p.month}-${p.day}`;
}

/** A calendar date string moved by whole days (no time zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A month key 'YYYY-MM' moved by whole months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** The last `count` month keys, oldest first, ending with the current local month. */
export function recentMonths(core: Core, count: number): string[] {
  const current = localToday(core).slice(0, 7);
  return Array.from({ length: count }, (_, i) => addMonths(current, i - count + 1));
}

/** Minutes the zone is ahead of UTC at `instant`. */
function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - instant.getTime()) / 60_000);
}

/** The instant local midnight starts on the first day of `month` ('YYYY-MM') in `timeZone`. */
export function monthStart(month: string, timeZone: string): Date {
  const guess = new Date(`${month}-01T00:00:00Z`);
  const first = new Date(guess.getTime() - zoneOffsetMinutes(guess, timeZone) * 60_000);
  // A second pass settles the rare month that starts across a DST change.
  return new Date(guess.getTime() - zoneOffsetMinutes(first, timeZone) * 60_000);
}
