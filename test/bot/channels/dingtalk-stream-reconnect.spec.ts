import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TOPIC_ROBOT } from 'dingtalk-stream';
import type { SocketReceiver } from '../../../bot/channels/contract.js';
import { FakeDingtalkStream } from '../../helpers/fakes/dingtalk-stream-server.js';
import {
  APP_KEY,
  APP_SECRET,
  RECONNECT_MS,
  robotData,
  startReceiver,
  streamCore,
  until,
} from '../../helpers/dingtalk-stream.js';

let fake: FakeDingtalkStream;
let seq = 0;
const running: SocketReceiver[] = [];

beforeAll(async () => {
  // The SDK announces connects and disconnects on the console; the logs under test are pino's.
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  fake = await new FakeDingtalkStream(APP_KEY, APP_SECRET).start();
});
/** Around every test of this file: called in each describe, as a folder's specs share one registry (test/helpers/specs.ts). */
function aroundEachTest(): void {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
  });
}
afterAll(async () => fake.stop());

const connected = () => startReceiver(fake, running, {}, streamCore(fake.url));

describe('DingTalk Stream mode: disconnects', () => {
  aroundEachTest();
  it('a SYSTEM disconnect, then the server closing: the SDK reconnects with a new ticket and messages flow again', async () => {
    const t = await connected();
    const gateways = fake.gatewayRequests.length;
    const first = fake.connections.at(-1)!;
    fake.announceDisconnect(100);
    await fake.waitFor(() => fake.connections.at(-1) !== first && !fake.connections.at(-1)!.closed, 8000);
    expect(first.closed).toBe(true);
    expect(fake.gatewayRequests.length).toBe(gateways + 1);
    expect(fake.connections.at(-1)!.ticket).not.toBe(first.ticket);
    const id = fake.push(TOPIC_ROBOT, robotData(++seq, {}, fake.url));
    await until(() => t.later.length === 1);
    await fake.waitFor(() => fake.repliesTo(id).length > 0);
    expect(fake.repliesTo(id)[0]!.connection).toBe(fake.connections.length - 1);

    // A dropped socket (no closing handshake) is reconnected too.
    const second = fake.connections.at(-1)!;
    fake.drop();
    await fake.waitFor(() => fake.connections.at(-1) !== second && !fake.connections.at(-1)!.closed, 8000);
    fake.push(TOPIC_ROBOT, robotData(++seq, {}, fake.url));
    await until(() => t.later.length === 2);
  });

  it('stop() disconnects for good: the socket closes, nothing reconnects, nothing more is handled', async () => {
    const t = await connected();
    const conn = fake.connections.at(-1)!;
    const gateways = fake.gatewayRequests.length;
    await t.receiver.stop();
    expect(conn.closed).toBe(true);
    await new Promise((r) => setTimeout(r, 3 * RECONNECT_MS));
    expect(fake.gatewayRequests.length).toBe(gateways);
    expect(fake.live).toBeUndefined();
    expect(t.handled).toHaveLength(0);
  });

  it('stop() while a reconnect is pending: no reconnect after it', async () => {
    const t = await connected();
    const gateways = fake.gatewayRequests.length;
    fake.drop();
    await fake.waitFor(() => fake.connections.at(-1)!.closed);
    // Let the client see the close: the SDK's close handler has now scheduled a reconnect in RECONNECT_MS.
    await new Promise((r) => setTimeout(r, RECONNECT_MS / 3));
    await t.receiver.stop();
    await new Promise((r) => setTimeout(r, 3 * RECONNECT_MS));
    expect(fake.gatewayRequests.length).toBe(gateways);
    expect(fake.live).toBeUndefined();
  });

  it('start() after stop() connects again (the lease came back)', async () => {
    const t = await connected();
    await t.receiver.stop();
    const before = fake.connections.length;
    await t.receiver.start();
    await fake.waitFor(() => fake.connections.length === before + 1);
    fake.push(TOPIC_ROBOT, robotData(++seq, {}, fake.url));
    await until(() => t.later.length === 1);
  });
});
