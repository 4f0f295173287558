import { describe, expect, it } from '@jest/globals';
import moment from 'moment';
import { DataTypes } from 'sequelize';

/**
 * Our sequelize patch (core/data/patches) writes UTC dates and plain days without moment. It must
 * write exactly what sequelize's own moment formatting writes, on every dialect we use.
 */
type Stringifier = { _stringify(v: unknown, o?: unknown): string; _sanitize(v: unknown, o?: unknown): unknown };
const typed = DataTypes as unknown as Record<string, Record<string, new (length?: number) => Stringifier>>;
const UTC = { timezone: '+00:00' };

/** Dates from year 1000 to 9999 (a seeded stream), the Unix epoch and two leap-day edges. */
function dates(): Date[] {
  let seed = 20261205;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lo = Date.UTC(1000, 0, 1);
  const hi = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  const out = [new Date(0), new Date('2024-02-29T23:59:59.999Z'), new Date('2100-03-01T00:00:00.001Z')];
  for (let i = 0; i < 500; i++) out.push(new Date(Math.floor(lo + next() * (hi - lo))));
  return out;
}

describe('sequelize date literals without moment', () => {
  it('DATETIME literals match moment formatting, in SQLite and MySQL form', () => {
    const sqlite = new typed.sqlite!.DATE!();
    const mysql = new typed.mysql!.DATE!();
    const mysqlMs = new typed.mysql!.DATE!(3);
    for (const d of dates()) {
      const m = moment(d).utcOffset('+00:00');
      expect([sqlite._stringify(d, UTC), mysql._stringify(d, UTC), mysqlMs._stringify(d, UTC)]).toEqual([
        m.format('YYYY-MM-DD HH:mm:ss.SSS Z'),
        m.format('YYYY-MM-DD HH:mm:ss'),
        m.format('YYYY-MM-DD HH:mm:ss.SSS'),
      ]);
    }
  });

  it('another zone, an out-of-range year and a moment still go through moment', () => {
    const mysql = new typed.mysql!.DATE!();
    const d = new Date('2026-12-05T20:30:00.000Z');
    expect(mysql._stringify(d, { timezone: '+08:00' })).toBe('2026-12-06 04:30:00');
    expect(mysql._stringify(new Date('0999-06-01T00:00:00Z'), UTC)).toBe(
      moment(new Date('0999-06-01T00:00:00Z')).utcOffset('+00:00').format('YYYY-MM-DD HH:mm:ss'),
    );
    expect(mysql._stringify(moment(d).utcOffset('+08:00'), UTC)).toBe('2026-12-06 04:30:00');
  });

  it('DATE (day) values: real days pass as written; anything else as moment had it', () => {
    const day = new typed.sqlite!.DATEONLY!();
    for (const v of ['2026-12-05', '2024-02-29', '1999-01-31'])
      expect([day._stringify(v), day._sanitize(v)]).toEqual([v, v]);
    for (const v of ['2026-02-30', '2026-13-01', '2026-12-05T08:00:00', new Date('2026-12-05T08:00:00Z')])
      expect([day._stringify(v), day._sanitize(v)]).toEqual([
        moment(v).format('YYYY-MM-DD'),
        moment(v).format('YYYY-MM-DD'),
      ]);
    expect(day._sanitize('2026-12-05', { raw: true })).toBe('2026-12-05');
  });
});
