import { Agent, get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { io, type Socket, type SocketReservedEvents } from 'socket.io-client';
import { WebSocket } from 'ws';
import { loadConfig } from '../../src/config';
import { createSchemas, type ClientEventName } from '../../src/realtime/schemas';
import type {
  ClientToServerEvents,
  ErrorPayload,
  PartnerFoundPayload,
  ServerToClientEvents,
  SessionInfo,
} from '../../src/contract/events';

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents> & { session: SessionInfo };

export const DEFAULT_WAIT_MS = 5000;

/** Every event a client may send, read from the server's own schema table. */
export const CLIENT_EVENTS = Object.keys(createSchemas(loadConfig({ NODE_ENV: 'test' }).limits)) as ClientEventName[];
const open = new Set<Socket>();

/** Connects over websocket and resolves once the server has sent this connection's session. */
export async function connectClient(url: string, options: Parameters<typeof io>[1] = {}): Promise<TestClient> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, ...options }) as TestClient;
  open.add(socket);
  socket.session = await new Promise<SessionInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no session event within deadline')), DEFAULT_WAIT_MS);
    socket.once('session', (info) => {
      clearTimeout(timer);
      resolve(info);
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return socket;
}

/** Every event a client can receive: the contract's, plus socket.io-client's own (`disconnect`, ...). */
export type ServerEvents = ServerToClientEvents & SocketReservedEvents;
export type ServerEventName = keyof ServerEvents;
/** What a listener of `E` receives first (undefined for events without a payload). */
export type ServerPayload<E extends ServerEventName> = Parameters<ServerEvents[E]>[0];

/** Resolves with the next `event` payload, or rejects after `ms`. */
export function waitFor<E extends ServerEventName>(
  socket: Socket,
  event: E,
  ms?: number,
  filter?: (payload: ServerPayload<E>) => boolean,
): Promise<ServerPayload<E>>;
export function waitFor(
  socket: Socket,
  event: string,
  ms = DEFAULT_WAIT_MS,
  filter: (payload: unknown) => boolean = () => true,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`timed out after ${ms} ms waiting for "${event}"`));
    }, ms);
    const listener = (payload: unknown) => {
      if (!filter(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Fails if `event` arrives within `ms`: the only fixed wait, used to prove an absence. */
export function expectNoEvent(socket: Socket, event: ServerEventName, ms = 300): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const listener = (payload: unknown) => {
      clearTimeout(timer);
      reject(new Error(`unexpected "${event}": ${JSON.stringify(payload)}`));
    };
    const timer = setTimeout(() => {
      socket.off(event, listener);
      resolve();
    }, ms);
    socket.on(event, listener);
  });
}

/** Emits `event` (any name, any arguments) and resolves with the `error` the server answers it with. */
export function refusalOf(socket: Socket, event: string, ...args: unknown[]): Promise<ErrorPayload> {
  const refused = waitFor(socket, 'error');
  socket.emit(event, ...args);
  return refused;
}

/** Collects every payload of `event` from now on. */
export function record<E extends ServerEventName>(socket: Socket, event: E): ServerPayload<E>[];
export function record(socket: Socket, event: string): unknown[] {
  const seen: unknown[] = [];
  socket.on(event, (payload: unknown) => seen.push(payload));
  return seen;
}

export async function joinAndWait(
  socket: TestClient,
  payload: Parameters<ClientToServerEvents['join']>[0],
): Promise<PartnerFoundPayload> {
  const found = waitFor(socket, 'partner_found');
  socket.emit('join', payload);
  return found;
}

/** Two fresh clients paired in one room of `type`; given two urls, `a` connects to the first and `b` to the second. */
export async function pairClients(url: string | [string, string], type: 'chat' | 'video' = 'chat') {
  const [urlA, urlB] = typeof url === 'string' ? [url, url] : url;
  const a = await connectClient(urlA);
  const b = await connectClient(urlB);
  const waiting = waitFor(a, 'waiting_for_partner');
  const foundA = waitFor(a, 'partner_found');
  a.emit('join', { type });
  await waiting;
  const foundB = joinAndWait(b, { type });
  const [pa, pb] = await Promise.all([foundA, foundB]);
  return { a, b, roomId: pa.roomId, foundA: pa, foundB: pb };
}

/** Polls `check` until it returns true, or fails after `ms`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  ms = DEFAULT_WAIT_MS,
  { everyMs = 20, what = 'condition' }: { everyMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Disconnects every client and waits until each Engine.IO connection has closed: a polling client
 * first flushes its disconnect packet, and a request still pending when the server closes would
 * otherwise fail after the test and retry into a torn-down environment.
 */
export async function closeAllClients(): Promise<void> {
  const closing = [...open].map((socket) => {
    const engine = socket.io.engine;
    const closed =
      !engine || engine.readyState === 'closed'
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, DEFAULT_WAIT_MS);
            engine.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
          });
    socket.disconnect();
    engine?.close();
    return closed;
  });
  open.clear();
  await Promise.all(closing);
}

export type ConnectRefusal = Error & { data?: { code?: string; retryAfterMs?: number } };

/** Resolves with the `connect_error` of a connection the server refuses; fails if it is admitted. */
export function connectRefused(
  url: string,
  options: Parameters<typeof io>[1] = {},
  ms = DEFAULT_WAIT_MS,
): Promise<ConnectRefusal> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, ...options });
  open.add(socket);
  return new Promise<ConnectRefusal>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither admitted nor refused within deadline')), ms);
    socket.once('connect_error', (error: ConnectRefusal) => {
      clearTimeout(timer);
      resolve(error);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      reject(new Error('connection was admitted'));
    });
  });
}

/**
 * A socket.io client speaking raw Engine.IO v4 frames over a websocket, for packets the real client
 * refuses to send (malformed JSON, reserved event names, forged binary placeholders).
 */
export interface RawClient {
  /** Text frames received so far (Engine.IO packets: `0{...}` open, `40{...}` connect, `42[...]` events). */
  frames: string[];
  send(frame: string | Buffer): void;
  /** Resolves with the close code once the server (or we) closed the websocket. */
  closed: Promise<number>;
  close(): void;
}

export async function connectRaw(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers });
  const frames: string[] = [];
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const raw: RawClient = {
    frames,
    send: (frame) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    },
    closed,
    close: () => ws.close(),
  };
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw client: no namespace connect within deadline')), DEFAULT_WAIT_MS);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = data.toString();
      frames.push(frame);
      if (frame.startsWith('0{')) ws.send('40');
      else if (frame === '2') ws.send('3');
      else if (frame.startsWith('40{')) {
        clearTimeout(timer);
        resolve();
      } else if (frame.startsWith('44')) {
        clearTimeout(timer);
        reject(new Error(`raw client refused: ${frame}`));
      }
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void closed.then((code) => {
      clearTimeout(timer);
      reject(new Error(`raw client closed before connect (${code})`));
    });
  });
  await connected;
  return raw;
}

/** Client options that connect from `localAddress` (websocket transport: engine.io-client hands it to ws, untyped). */
export function fromAddress(localAddress: string, options: Parameters<typeof io>[1] = {}): Parameters<typeof io>[1] {
  return { ...options, localAddress } as Parameters<typeof io>[1];
}

/**
 * Resolves with the `connect_error` of a connection refused at the Engine.IO handshake, before any
 * session existed: a transport error without the `data` of a Socket.IO CONNECT_ERROR.
 */
export async function handshakeRefused(url: string, options: Parameters<typeof io>[1] = {}): Promise<ConnectRefusal> {
  const refusal = await connectRefused(url, options);
  if (refusal.data !== undefined) throw new Error(`refused after the handshake: ${JSON.stringify(refusal.data)}`);
  expect(refusal.message).toMatch(/websocket error|xhr poll error/);
  return refusal;
}

/** One raw Engine.IO polling handshake from `localAddress` (127.0.0.2 etc. act as other clients). */
export function pollingHandshake(
  url: string,
  {
    localAddress = '127.0.0.1',
    headers = {},
    agent = false,
  }: { localAddress?: string; headers?: Record<string, string>; agent?: Agent | false } = {},
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(`${url}/socket.io/?EIO=4&transport=polling`, { localAddress, headers, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    request.setTimeout(DEFAULT_WAIT_MS, () => request.destroy(new Error('polling handshake: no answer within deadline')));
    request.once('error', reject);
  });
}

/** A bare websocket that never sends CONNECT; resolves 'open', or the HTTP status it was refused with. */
export function bareWebsocket(url: string, localAddress = '127.0.0.1'): Promise<{ outcome: 'open' | number; ws: WebSocket }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { localAddress });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('bare websocket: neither open nor refused within deadline')),
      DEFAULT_WAIT_MS,
    );
    const settle = (outcome: 'open' | number) => {
      clearTimeout(timer);
      resolve({ outcome, ws });
    };
    ws.once('open', () => settle('open'));
    ws.once('unexpected-response', (_request, response) => {
      settle(response.statusCode ?? 0);
      ws.terminate();
    });
    // a refused upgrade arrives as 'unexpected-response' (then terminate's own error is ignored)
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
