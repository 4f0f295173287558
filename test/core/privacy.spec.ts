import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { editCustomer } from '../../core/customers/edit.js';
import { revealCustomer } from '../../core/customers/reveal.js';
import { searchCustomers } from '../../core/customers/search.js';
import { deactivate } from '../../core/customers/status.js';
import { createLogger, type Logger } from '../../core/logger.js';
import { blindIndex, decrypt, encrypt, maskAddress, maskPhone, type Keys } from '../../core/privacy.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { eventsOf, expectRefused, newCustomer } from './fixtures.js';

const keys = (): Keys => ({
  dataKey: crypto.randomBytes(32),
  indexKey: crypto.randomBytes(32),
  sessionSecret: 'x'.repeat(32),
  auditKey: crypto.randomBytes(32),
});

describe('privacy primitives', () => {
  it('mask a phone as 138****5678 and an address after six characters', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('075588886666')).toBe('075****6666');
    expect(maskPhone('12345')).toBe('***45');
    expect(maskPhone(null)).toBe('');
    expect(maskAddress('深圳市南山区科技园科苑路 15 号')).toBe('深圳市南山区****');
    expect(maskAddress('北京')).toBe('****');
  });

  it('encrypt with AES-256-GCM: a fresh IV each time, refused with the wrong key or after tampering', () => {
    const k = keys();
    const a = encrypt(k, '13812345678')!;
    const b = encrypt(k, '13812345678')!;
    expect(a).toMatch(/^v1:/);
    expect(a).not.toBe(b);
    expect(decrypt(k, a)).toBe('13812345678');
    expect(() => decrypt(keys(), a)).toThrow();
    const raw = Buffer.from(a.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => decrypt(k, `v1:${raw.toString('base64')}`)).toThrow();
    expect(encrypt(k, '')).toBeNull();
  });

  it('make a blind index that is stable per key and says nothing without it', () => {
    const k = keys();
    expect(blindIndex(k, '13812345678')).toBe(blindIndex(k, '13812345678'));
    expect(blindIndex(k, '13812345678')).not.toBe(blindIndex(keys(), '13812345678'));
    expect(blindIndex(k, '13812345678')).toMatch(/^[0-9a-f]{64}$/);
  });
});

/** Points the logger's output at an array; the level, serializers and redaction stay those of the real logger. */
function capture(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger(level);
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = { write: (s: string) => lines.push(s) };
  return { logger, lines };
}

let admin: Actor;
let finance: Actor;
let sales: Actor;

/** An admin, a finance clerk (WeCom) and a salesperson; each block gets its own database. */
function setupActors(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('隐私管理员', ['admin']);
    finance = await h.actor('隐私财务', ['finance'], 'wecom');
    sales = await h.actor('隐私销售', ['sales']);
  });
}

eachDialect('personal data at rest and on reveal', (h) => {
  setupActors(h);

  it('store phone and address encrypted; the raw columns do not hold the plaintext', async () => {
    const c = await newCustomer(h, admin, { phone: '13812345678', address: '深圳市南山区科技园科苑路 15 号' });
    const [rows] = await h.core.models.sequelize.query(
      'SELECT phone_enc, phone_hash, address_enc FROM customers WHERE id = ?',
      { replacements: [c.id] },
    );
    const row = (rows as Record<string, string>[])[0]!;
    expect(row.phone_enc).toMatch(/^v1:/);
    expect(row.phone_enc).not.toContain('13812345678');
    expect(row.address_enc).toMatch(/^v1:/);
    expect(row.address_enc).not.toContain('科苑路');
    expect(row.phone_hash).toBe(blindIndex(h.core.keys, '13812345678'));
    expect(decrypt(h.core.keys, row.address_enc)).toBe('深圳市南山区科技园科苑路 15 号');
    const [hit] = (await searchCustomers(h.core, sales, { phone: '13812345678' })).items;
    expect(hit).toMatchObject({ code: c.code, phoneMasked: '138****5678', addressMasked: '深圳市南山区****' });
  });

  it('reveal needs the revealPersonal permission and is itself audited', async () => {
    const c = await newCustomer(h, admin, {
      phone: '13955556666',
      address: '杭州市滨江区网商路 699 号',
      contact: '马云飞',
    });
    await expectRefused(revealCustomer(h.core, sales, c.code), 'NOT_PERMITTED', '查看完整个人信息', '管理员 / 财务');
    expect((await eventsOf(h.core, c.id)).map((e) => e.action)).toEqual(['customer.create']);
    const shown = await revealCustomer(h.core, finance, c.code, '核对发票地址');
    expect(shown).toEqual({
      code: c.code,
      phone: '13955556666',
      address: '杭州市滨江区网商路 699 号',
      contact: '马云飞',
    });
    const events = await eventsOf(h.core, c.id);
    expect(events.at(-1)).toMatchObject({ action: 'customer.reveal', operatorName: '隐私财务', door: 'wecom' });
    expect(JSON.parse(events.at(-1)!.diff)).toMatchObject({ info: { why: '核对发票地址' } });
  });
});

eachDialect('personal data in logs', (h) => {
  setupActors(h);

  it('never write personal data to the logs', async () => {
    const { logger, lines } = capture();
    const original = h.core.logger;
    h.core.logger = logger;
    try {
      const actor = { ...admin, requestId: 'req-privacy-1' };
      const { customer } = await createCustomer(h.core, actor, {
        name: '厦门鹭岛海鲜有限公司',
        contact: '林小红',
        phone: '13700009999',
        address: '厦门市思明区鹭江道 8 号',
      });
      await editCustomer(h.core, actor, customer.code, { phone: '13700008888', address: '厦门市湖里区 1 号' });
      await deactivate(h.core, actor, customer.code, { reason: '客户要求' });
      await revealCustomer(h.core, actor, customer.code);
      await expectRefused(
        createCustomer(h.core, actor, { name: '厦门鹭岛海鲜有限公司', phone: '13700008888' }),
        'CONFLICT',
      );
      logger.info({ customer: { phone: '13700008888', contact: '林小红', address: '厦门' } }, 'a careless log call');
    } finally {
      h.core.logger = original;
    }
    const text = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    const changes = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'customer change committed');
    expect(changes.map((l) => l.action)).toEqual([
      'customer.create',
      'customer.edit',
      'customer.deactivate',
      'customer.reveal',
    ]);
    expect(changes[0]).toMatchObject({
      requestId: 'req-privacy-1',
      door: 'cli',
      customerCode: expect.stringMatching(/^C/),
    });
    for (const secret of ['1370000', '林小红', '鹭江道', '湖里区', '鹭岛']) expect(text).not.toContain(secret);
    expect(text).toContain('[已隐藏]');
  });
});
