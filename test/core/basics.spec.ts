import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from '../../core/canonical.js';
import { ConfigError, loadConfig } from '../../core/config.js';
import { DomainError } from '../../core/errors.js';
import { centsToDecimal, formatYuan, parseAmount, toCents } from '../../core/money.js';
import { loadKeys } from '../../core/privacy.js';
import { normalizeName, normalizePhone, toHalfWidth } from '../../core/text.js';

describe('text normalisation', () => {
  it('turn full-width ASCII and the ideographic space into half-width', () => {
    expect(toHalfWidth('ＡＢＣ１２３－\u3000（）')).toBe('ABC123- ()');
  });

  it('compare names without width, spaces, punctuation or the company suffix', () => {
    expect(normalizeName('深圳 华强电子 有限公司')).toBe('深圳华强电子');
    expect(normalizeName('深圳华强电子股份有限公司')).toBe(normalizeName('深圳华强电子有限责任公司'));
    expect(normalizeName('ＡＢＣ（中国）有限公司')).toBe('abc中国');
    expect(normalizeName('有限公司')).toBe('有限公司');
  });

  it('reduce phones to digits from text, numbers, Excel notation and +86', () => {
    expect(normalizePhone('138-1234-5678')).toBe('13812345678');
    expect(normalizePhone('+86 138 1234 5678')).toBe('13812345678');
    expect(normalizePhone('１３８１２３４５６７８')).toBe('13812345678');
    expect(normalizePhone(13812345678)).toBe('13812345678');
    expect(normalizePhone('1.3812345678E+10')).toBe('13812345678');
    expect(normalizePhone('0755-8888 6666')).toBe('075588886666');
  });
});

describe('money as integer cents', () => {
  it('read DECIMAL strings (MySQL) and numbers (SQLite) alike', () => {
    expect(toCents('1234.5')).toBe(123450);
    expect(toCents(1234.5)).toBe(123450);
    expect(toCents('0.10')).toBe(10);
    expect(toCents(0.1 + 0.2)).toBe(30);
    expect(toCents(null)).toBe(0);
    expect(toCents('-3.05')).toBe(-305);
  });

  it('write and show cents', () => {
    expect(centsToDecimal(123450)).toBe('1234.50');
    expect(centsToDecimal(-5)).toBe('-0.05');
    expect(formatYuan(123456789)).toBe('¥1,234,567.89');
  });

  it('parse what people type, refusing anything else with a Chinese field error', () => {
    expect(parseAmount('¥1,234.5', 'total', '订单金额')).toBe(123450);
    expect(parseAmount(' 99 ', 'total', '订单金额')).toBe(9900);
    for (const bad of ['abc', '1.234', '-1', '', null, Number.NaN]) {
      let err: unknown;
      try {
        parseAmount(bad as string, 'total', '订单金额');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).details.errors).toEqual([
        { field: 'total', message: expect.stringContaining('订单金额') },
      ]);
    }
    expect(() => parseAmount('1000000000000', 'total', '订单金额')).toThrow('订单金额过大');
  });
});

describe('canonical JSON', () => {
  it('sort keys at every level and drop undefined, so equal data hashes the same', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: undefined } })).toBe('{"a":{"d":[{"x":2,"y":1}]},"b":1}');
    expect(canonicalJson({ at: new Date('2026-01-01T00:00:00Z') })).toBe('{"at":"2026-01-01T00:00:00.000Z"}');
  });
});

describe('data keys', () => {
  const base = (dir: string, env: Record<string, string> = {}) =>
    loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', ...env });

  it('generate development keys once into DATA_DIR, with a warning, and reuse them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-keys-'));
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as never;
    const first = loadKeys(base(dir), logger);
    const second = loadKeys(base(dir), logger);
    expect(first.dataKey.length).toBe(32);
    expect(second.dataKey.equals(first.dataKey)).toBe(true);
    expect(second.indexKey.equals(first.indexKey)).toBe(true);
    expect(first.indexKey.equals(first.dataKey)).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(fs.statSync(path.join(dir, 'dev-keys.json')).mode & 0o777).toBe(0o600);
  });

  it('refuse to start in production without keys', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-keys-'));
    expect(() => loadKeys(base(dir, { NODE_ENV: 'production' }))).toThrow(ConfigError);
    expect(() => loadKeys(base(dir, { NODE_ENV: 'production' }))).toThrow('STEWARD_DATA_KEY');
    expect(fs.existsSync(path.join(dir, 'dev-keys.json'))).toBe(false);
  });
});
