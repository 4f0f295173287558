import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { DWClient } from 'dingtalk-stream';
import WebSocket, { WebSocketServer } from 'ws';
import {
  clearKeepAlive,
  currentSocket,
  reconnectDelay,
  setReconnectDelay,
  setSocketUrl,
} from '../../../bot/channels/dingtalk/sdk-internals.js';
import { contract } from '../../helpers/vendor-contract.js';

/**
 * One contract per private dingtalk-stream member we reach (bot/channels/dingtalk/sdk-internals.ts):
 * after an upgrade, a failure here names dingtalk-stream, its installed version and what changed shape.
 */

const MODULE = 'bot/channels/dingtalk/sdk-internals.ts';
const check = (what: string, fn: () => unknown) => contract('dingtalk-stream', MODULE, what, fn);

let server: WebSocketServer;
let url: string;
const seen: string[] = [];

beforeAll(async () => {
  // The SDK announces connects and disconnects on the console.
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (_socket: WebSocket, req: IncomingMessage) => void seen.push(req.url ?? ''));
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/connect`;
});

afterAll(async () => {
  for (const socket of server.clients) socket.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const newClient = () => new DWClient({ clientId: 'contract-id', clientSecret: 'contract-secret', keepAlive: true });

it('DWClient still has the private fields and the methods StreamClient builds on', async () => {
  await check('DWClient instances own `dw_url`, `socket` and `heartbeatIntervallId`', () => {
    const client = newClient();
    for (const field of ['dw_url', 'socket', 'heartbeatIntervallId']) {
      expect([field, Object.hasOwn(client, field)]).toEqual([field, true]);
      expect([field, typeof (client as unknown as Record<string, unknown>)[field]]).toEqual([field, 'undefined']);
    }
  });
  await check('DWClient instances wait `reconnectInterval` (1000 ms) before reconnecting, and take another', () => {
    const client = newClient();
    expect(reconnectDelay(client)).toBe(1000);
    setReconnectDelay(client, 250);
    expect((client as unknown as { reconnectInterval: unknown }).reconnectInterval).toBe(250);
  });
  await check('DWClient.prototype has getEndpoint, _connect, connect, disconnect and the frame handlers', () => {
    const methods = ['getEndpoint', '_connect', 'connect', 'disconnect', 'onDownStream', 'onSystem'];
    const handlers = ['onEvent', 'onCallback', 'socketCallBackResponse'];
    for (const name of [...methods, ...handlers]) {
      const kind = typeof (DWClient.prototype as unknown as Record<string, unknown>)[name];
      expect([name, kind]).toEqual([name, 'function']);
    }
  });
});

it('_connect() opens `dw_url`, keeps the socket on `socket` and its keep-alive timer on `heartbeatIntervallId`', async () => {
  const client = newClient();
  try {
    await check('_connect() opens the URL in `dw_url`', async () => {
      setSocketUrl(client, `${url}?ticket=t-contract`);
      await client._connect();
      expect(seen).toContain('/connect?ticket=t-contract');
    });
    await check('`socket` holds the open ws WebSocket', () => {
      const socket = currentSocket(client);
      expect(socket).toBeInstanceOf(WebSocket);
      expect(socket?.readyState).toBe(WebSocket.OPEN);
    });
    await check('`heartbeatIntervallId` holds the keep-alive interval, and clearKeepAlive() clears it', () => {
      const timer = (client as unknown as { heartbeatIntervallId?: NodeJS.Timeout }).heartbeatIntervallId;
      expect(typeof timer?.refresh).toBe('function');
      const clear = jest.spyOn(global, 'clearInterval');
      try {
        clearKeepAlive(client);
        expect(clear).toHaveBeenCalledWith(timer);
      } finally {
        clear.mockRestore();
      }
    });
  } finally {
    client.disconnect();
  }
});
