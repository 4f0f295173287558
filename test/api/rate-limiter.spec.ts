import { describe, expect, it } from '@jest/globals';
import { RateLimiter } from '../../api/auth.js';

describe('the per-token rate limit', () => {
  it('refuses the request past the minute budget and names the wait', () => {
    const now = 1_000_000;
    const limiter = new RateLimiter(
      () => 2,
      () => now,
    );
    limiter.take(1, 'erp');
    limiter.take(1, 'erp');
    expect(() => limiter.take(1, 'erp')).toThrow(/令牌「erp」每分钟最多 2 次请求。请 30 秒后再试/);
  });

  it('a clock stepped back by an hour does not lock the token out', () => {
    let now = 10 * 3_600_000;
    const limiter = new RateLimiter(
      () => 60,
      () => now,
    );
    limiter.take(7, 'erp');
    now -= 3_600_000;
    expect(() => limiter.take(7, 'erp')).not.toThrow();
  });
});
