import { describe, expect, it } from '@jest/globals';
import { cronText, timezoneText } from '../../core/job-labels.js';

describe('schedules as a person reads them', () => {
  it.each([
    ['0 3 * * *', '每天 03:00'],
    ['30 8 * * 1', '每周一 08:30'],
    ['0 9 * * 0,6', '每周日、六 09:00'],
    ['0 9 1 * *', '每月 1 日 09:00'],
    ['*/5 * * * *', '每 5 分钟'],
    ['15 * * * *', '每小时第 15 分'],
  ])('%s → %s', (expr, text) => expect(cronText(expr)).toBe(text));

  it('keeps an expression it cannot say simply, rather than saying something wrong', () => {
    for (const expr of ['0 9 * 1 *', '0 8-18 * * 1-5', '0 9 1 * 1', '0 0 3 * * *']) expect(cronText(expr)).toBe(expr);
  });

  it('names common time zones in Chinese and keeps others as they are', () => {
    expect(timezoneText('Asia/Shanghai')).toBe('北京时间');
    expect(timezoneText('Europe/Berlin')).toBe('Europe/Berlin');
  });
});
