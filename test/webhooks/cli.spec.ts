import { expect, it } from '@jest/globals';
import { registerWebhooks } from '../../cli/commands/webhooks.js';
import { eachDialect } from '../helpers/db.js';
import { runSteward } from '../helpers/steward-cli.js';

eachDialect('steward webhooks (in process, on the test database)', { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' }, (h) => {
  const steward = (...argv: string[]) => runSteward(registerWebhooks, h.core, argv);

  it('adds (secret shown once), lists without secrets, refuses bad input, and removes', async () => {
    const added = await steward(
      'webhooks',
      'add',
      '--url',
      'http://127.0.0.1:9/hooks',
      '--events',
      'customer.deactivated,customer.created',
      '--json',
    );
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    const sub = JSON.parse(added.out) as { id: number; url: string; events: string; secret: string };
    expect(sub).toEqual({
      id: 1,
      url: 'http://127.0.0.1:9/hooks',
      events: 'customer.created,customer.deactivated',
      secret: expect.stringMatching(/^whsec_/),
    });

    const bad = await steward('webhooks', 'add', '--url', 'http://192.168.1.20/hooks', '--events', 'customer.nope');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('customer.nope');

    const listed = await steward('webhooks', 'list');
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('#1\t启用\thttp://127.0.0.1:9/hooks\tcustomer.created,customer.deactivated');
    expect(listed.out).not.toContain(sub.secret);

    expect((await steward('webhooks', 'remove', '1')).out).toContain('已删除 webhook 订阅 #1');
    const after = await steward('webhooks', 'list', '--json');
    expect(JSON.parse(after.out)).toEqual([expect.objectContaining({ id: 1, active: false })]);
  });
});
