import type { DWClient } from 'dingtalk-stream';
import type WebSocket from 'ws';

/**
 * Every touch of dingtalk-stream's private members, in one place: DWClient declares these
 * `private` and offers no hook for them, so stream-client.ts reaches them only through these
 * functions. They are as of 2.1.5, the version stream-client.ts patches; after an upgrade,
 * test/bot/channels/dingtalk-sdk-internals.spec.ts says (naming dingtalk-stream and its version)
 * which of these no longer holds.
 *
 *   - `dw_url` (string): the socket URL, endpoint plus ticket, that `_connect()` opens. Our
 *     getEndpoint() asks our configurable gateway and sets it (the SDK's own hard-codes
 *     api.dingtalk.com).
 *   - `socket` (a `ws` WebSocket, set by `_connect()`): read to close a socket the server announced
 *     it would drop but has not, and to wait for the close on stop().
 *   - `heartbeatIntervallId` (an interval, set when a keepAlive socket opens): cleared before the
 *     next `_connect()`, since the SDK leaks one per reconnect and two can kill a healthy socket.
 *   - `reconnectInterval` (ms, 1000): how long the SDK's close handler waits before `connect()`;
 *     read as the base of our backoff, and set when a runtime asks for another (tests of reconnects).
 *
 * The methods StreamClient overrides (getEndpoint, `_connect` despite its underscore, connect,
 * onDownStream, onSystem) are public in the SDK's types; the contract test checks them too.
 */

/** DWClient's private members, as 2.1.5 keeps them. */
interface DWClientPrivates {
  dw_url?: string;
  socket?: WebSocket;
  heartbeatIntervallId?: NodeJS.Timeout;
  reconnectInterval: number;
}

const privates = (client: DWClient) => client as unknown as DWClientPrivates;

/** Sets the URL (endpoint and ticket) the client's next `_connect()` opens. */
export function setSocketUrl(client: DWClient, url: string): void {
  privates(client).dw_url = url;
}

/** The client's current (or last) socket, if it has opened one. */
export function currentSocket(client: DWClient): WebSocket | undefined {
  return privates(client).socket;
}

/** Stops the keep-alive timer of the client's previous socket, if one is running. */
export function clearKeepAlive(client: DWClient): void {
  const { heartbeatIntervallId } = privates(client);
  if (heartbeatIntervallId) clearInterval(heartbeatIntervallId);
}

/** How long the SDK waits after a drop before it reconnects (ms). */
export function reconnectDelay(client: DWClient): number {
  return privates(client).reconnectInterval;
}

/** Sets how long the SDK waits after a drop before it reconnects (ms). */
export function setReconnectDelay(client: DWClient, ms: number): void {
  privates(client).reconnectInterval = ms;
}
