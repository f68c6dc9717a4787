import type { ChatMessage, ErrorPayload } from '../../src/contract/events';
import {
  closeAllClients,
  connectClient,
  connectRefused,
  handshakeRefused,
  pollingHandshake,
  eventually,
  expectNoEvent,
  pairClients,
  record,
  waitFor,
  type TestClient,
} from '../helpers/clients';
import { getJson, startTestServer, type TestServer } from '../helpers/server';

let srv: TestServer | undefined;
afterEach(async () => {
  await closeAllClients();
  await srv?.close();
  srv = undefined;
});

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  srv = await startTestServer(env);
  return srv;
}

async function refusalCount(url: string, code: string): Promise<number> {
  return (await getJson(`${url}/stats`)).body.refusals[code];
}

function nextError(socket: TestClient, ms?: number): Promise<ErrorPayload> {
  return waitFor(socket, 'error', ms);
}

/** Sends a message from `a` and resolves once `b` has it. */
async function deliver(a: TestClient, b: TestClient, roomId: string, text: string): Promise<ChatMessage> {
  const delivered = waitFor(b, 'new_message', 5000, (m) => m.text === text);
  a.emit('send_message', { roomId, message: text });
  return delivered;
}

describe('MAX_HTTP_BUFFER_SIZE', () => {
  test('an oversize frame closes only the offending socket; other pairs keep chatting', async () => {
    const { url } = await start({ MAX_HTTP_BUFFER_SIZE: '4096', MAX_MESSAGE_LENGTH: '20000' });
    const honest = await pairClients(url);
    const offender = await pairClients(url);
    await deliver(offender.a, offender.b, offender.roomId, 'x'.repeat(3000));
    const dropped = waitFor(offender.a, 'disconnect');
    const partnerTold = waitFor(offender.b, 'partner_disconnected');
    const nothing = expectNoEvent(offender.b, 'new_message');
    offender.a.emit('send_message', { roomId: offender.roomId, message: 'x'.repeat(5000) });
    expect(await dropped).toMatch(/transport (close|error)/);
    expect((await partnerTold).reason).toBe('disconnected');
    await nothing;
    expect(honest.a.connected && honest.b.connected && offender.b.connected).toBe(true);
    await deliver(honest.a, honest.b, honest.roomId, 'still chatting');
    await deliver(honest.b, honest.a, honest.roomId, 'both ways');
    await eventually(async () => (await getJson(`${url}/stats`)).body.connectedUsers === 3);
  });

  test('an oversize binary attachment closes the socket too', async () => {
    const { url } = await start({ MAX_HTTP_BUFFER_SIZE: '4096' });
    const honest = await pairClients(url);
    const offender = await connectClient(url);
    const dropped = waitFor(offender, 'disconnect');
    (offender as any).emit('send_message', { roomId: 'x', message: Buffer.alloc(8192) });
    expect(await dropped).toMatch(/transport (close|error)/);
    await deliver(honest.a, honest.b, honest.roomId, 'unaffected');
  });
});

/** Three messages arrive; the fourth is refused with RATE_LIMITED and never reaches the partner. */
async function expectFourthMessageRateLimited(a: TestClient, b: TestClient, roomId: string): Promise<void> {
  const received = record(b, 'new_message');
  for (const text of ['m1', 'm2', 'm3']) a.emit('send_message', { roomId, message: text });
  await eventually(() => received.length === 3);
  const refused = nextError(a);
  const dropped = expectNoEvent(b, 'new_message');
  a.emit('send_message', { roomId, message: 'm4' });
  const error = await refused;
  expect(error).toMatchObject({ code: 'RATE_LIMITED', event: 'send_message' });
  expect(error.retryAfterMs).toBeGreaterThan(0);
  expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  await dropped;
  expect(received.map((m) => m.text)).toEqual(['m1', 'm2', 'm3']);
}

describe('per-socket event budgets', () => {
  test('RATE_LIMIT_POINTS / RATE_LIMIT_DURATION: RATE_LIMITED with retryAfterMs, the event is dropped', async () => {
    const { url } = await start({ RATE_LIMIT_POINTS: '4', RATE_LIMIT_DURATION: '60' });
    const { a, b, roomId } = await pairClients(url); // one join each
    await expectFourthMessageRateLimited(a, b, roomId);
    // every event counts, not only messages
    const typingRefused = nextError(a);
    a.emit('typing', { roomId, isTyping: true });
    expect(await typingRefused).toMatchObject({ code: 'RATE_LIMITED', event: 'typing' });
    // the budget is per socket: b still has its own
    await deliver(b, a, roomId, 'b is fine');
    expect(await refusalCount(url, 'RATE_LIMITED')).toBe(2);
  });

  test('the budget comes back after RATE_LIMIT_DURATION', async () => {
    const { url } = await start({ RATE_LIMIT_POINTS: '2', RATE_LIMIT_DURATION: '1' });
    const { a, b, roomId } = await pairClients(url);
    const texts = record(b, 'new_message');
    a.emit('send_message', { roomId, message: 'one' });
    a.emit('send_message', { roomId, message: 'two' });
    const { retryAfterMs } = await nextError(a);
    expect(retryAfterMs).toBeLessThanOrEqual(1000);
    await eventually(async () => {
      const outcome = Promise.race([
        waitFor(b, 'new_message', 3000, (m) => m.text === 'later').then(() => true),
        nextError(a, 3000).then(() => false),
      ]);
      a.emit('send_message', { roomId, message: 'later' });
      return outcome;
    }, 10000);
    expect(texts.map((m) => m.text)).toEqual(['one', 'later']);
  });

  test('JOIN_RATE_LIMIT_*: join and next share a tighter budget; a refused join does not queue', async () => {
    const { url } = await start({ JOIN_RATE_LIMIT_POINTS: '3', JOIN_RATE_LIMIT_DURATION: '60' });
    const a = await connectClient(url);
    a.emit('join', { type: 'chat' });
    await waitFor(a, 'waiting_for_partner');
    a.emit('leave_queue');
    a.emit('next');
    await waitFor(a, 'waiting_for_partner');
    a.emit('leave_queue');
    a.emit('join', { type: 'video' });
    await waitFor(a, 'waiting_for_partner');
    a.emit('leave_queue');
    const refused = nextError(a);
    a.emit('join', { type: 'chat' });
    const error = await refused;
    expect(error).toMatchObject({ code: 'RATE_LIMITED', event: 'join' });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    const refusedNext = nextError(a);
    a.emit('next');
    expect(await refusedNext).toMatchObject({ code: 'RATE_LIMITED', event: 'next' });
    expect(await srv!.server.services.queue.isWaiting(a.session.userId)).toBe(false);
    // other events are not on the join budget
    const notQueued = nextError(a);
    a.emit('leave_queue');
    expect((await notQueued).code).toBe('NOT_QUEUED');
  });

  test('MESSAGE_RATE_LIMIT_*: send_message has its own budget; other events still pass', async () => {
    const { url } = await start({ MESSAGE_RATE_LIMIT_POINTS: '3', MESSAGE_RATE_LIMIT_DURATION: '60' });
    const { a, b, roomId } = await pairClients(url);
    await expectFourthMessageRateLimited(a, b, roomId);
    const typing = waitFor(b, 'user_typing');
    a.emit('typing', { roomId, isTyping: true });
    await typing;
    await deliver(b, a, roomId, 'b has its own budget');
  });

  test('RATE_LIMIT_DISCONNECT_AFTER: sustained refusals cost the connection, and only that one', async () => {
    const { url } = await start({ RATE_LIMIT_DISCONNECT_AFTER: '3' });
    const { a, b, roomId } = await pairClients(url);
    const abuser = await connectClient(url);
    const errors = record(abuser, 'error');
    const dropped = waitFor(abuser, 'disconnect');
    for (let i = 0; i < 20; i += 1) abuser.emit('send_message', { roomId, message: 'spam' });
    expect(await dropped).toBe('io server disconnect');
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBeLessThanOrEqual(4);
    expect(errors.every((error) => error.code === 'NOT_IN_ROOM')).toBe(true);
    await deliver(a, b, roomId, 'unaffected');
    await eventually(async () => (await getJson(`${url}/stats`)).body.connectedUsers === 2);
  });

  test('RATE_LIMIT_DISCONNECT_AFTER counts rate-limit refusals too', async () => {
    const { url } = await start({ RATE_LIMIT_POINTS: '2', RATE_LIMIT_DISCONNECT_AFTER: '5' });
    const flooder = await connectClient(url);
    const errors = record(flooder, 'error');
    const dropped = waitFor(flooder, 'disconnect');
    for (let i = 0; i < 50; i += 1) flooder.emit('typing', { roomId: 'r', isTyping: true });
    expect(await dropped).toBe('io server disconnect');
    expect(errors.filter((error) => error.code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBeLessThanOrEqual(6);
  });
});

describe('per-IP connection limits', () => {
  test('MAX_CONNECTIONS_PER_IP: the handshake is refused and says why; after one leaves, a new one is admitted', async () => {
    const { url } = await start({ MAX_CONNECTIONS_PER_IP: '2' });
    const first = await connectClient(url);
    await connectClient(url);
    await handshakeRefused(url);
    const polling = await pollingHandshake(url);
    expect(polling.status).toBe(403);
    expect(JSON.parse(polling.body).message).toMatch(/open connections/i);
    first.disconnect();
    await eventually(async () => {
      try {
        await connectClient(url);
        return true;
      } catch {
        return false;
      }
    });
    await handshakeRefused(url);
    expect((await getJson(`${url}/stats`)).body.connectedUsers).toBe(2);
  });

  test('CONNECTION_RATE_LIMIT_*: too many new handshakes per window are refused, saying when to retry', async () => {
    const { url } = await start({ CONNECTION_RATE_LIMIT_POINTS: '3', CONNECTION_RATE_LIMIT_DURATION: '60' });
    for (let i = 0; i < 3; i += 1) (await connectClient(url)).disconnect();
    await handshakeRefused(url);
    const polling = await pollingHandshake(url);
    expect(polling.status).toBe(403);
    const retryInSeconds = Number(/retry in (\d+) s/.exec(JSON.parse(polling.body).message)?.[1]);
    expect(retryInSeconds).toBeGreaterThan(0);
    expect(retryInSeconds).toBeLessThanOrEqual(60);
    expect((await getJson(`${url}/health`)).status).toBe(200);
  });

  test('TRUST_PROXY=false: forged X-Forwarded-For headers do not evade the per-IP cap', async () => {
    const { url } = await start({ TRUST_PROXY: 'false', MAX_CONNECTIONS_PER_IP: '2' });
    await connectClient(url, { extraHeaders: { 'X-Forwarded-For': '198.51.100.1' } });
    await connectClient(url, { extraHeaders: { 'X-Forwarded-For': '198.51.100.2' } });
    await handshakeRefused(url, { extraHeaders: { 'X-Forwarded-For': '198.51.100.3' } });
    await handshakeRefused(url, { extraHeaders: { 'X-Forwarded-For': '198.51.100.3, 10.0.0.1' } });
  });

  test('TRUST_PROXY=false: forged X-Forwarded-For does not evade the connection-rate limit', async () => {
    const { url } = await start({ TRUST_PROXY: 'false', CONNECTION_RATE_LIMIT_POINTS: '2' });
    for (const ip of ['203.0.113.1', '203.0.113.2']) {
      (await connectClient(url, { extraHeaders: { 'X-Forwarded-For': ip } })).disconnect();
    }
    await handshakeRefused(url, { extraHeaders: { 'X-Forwarded-For': '203.0.113.3' } });
  });

  test.each(['1', 'loopback'])('TRUST_PROXY=%s: distinct X-Forwarded-For count as distinct clients', async (trust) => {
    const { url } = await start({ TRUST_PROXY: trust, MAX_CONNECTIONS_PER_IP: '2' });
    const forwarded = (ip: string) => ({ extraHeaders: { 'X-Forwarded-For': ip } });
    await connectClient(url, forwarded('198.51.100.1'));
    await connectClient(url, forwarded('198.51.100.1'));
    await handshakeRefused(url, forwarded('198.51.100.1'));
    await connectClient(url, forwarded('198.51.100.2'));
    await connectClient(url, forwarded('198.51.100.3'));
    await connectClient(url, forwarded('198.51.100.3'));
    await handshakeRefused(url, forwarded('198.51.100.3'));
    // the proxy itself (no header) is one more client
    await connectClient(url);
    expect((await getJson(`${url}/stats`)).body.connectedUsers).toBe(6);
  });

  test('TRUST_PROXY=1: only the hop the proxy appended counts; a client-forged prefix is ignored', async () => {
    const { url } = await start({ TRUST_PROXY: '1', MAX_CONNECTIONS_PER_IP: '1' });
    // Nginx appends the real peer; whatever the client put before it is not believed
    await connectClient(url, { extraHeaders: { 'X-Forwarded-For': '6.6.6.1, 198.51.100.9' } });
    await handshakeRefused(url, { extraHeaders: { 'X-Forwarded-For': '6.6.6.2, 198.51.100.9' } });
  });
});

describe('HTTP', () => {
  test('HTTP_RATE_LIMIT_*: 429 JSON with Retry-After; /health stays 200', async () => {
    const { url } = await start({ HTTP_RATE_LIMIT_POINTS: '3', HTTP_RATE_LIMIT_DURATION: '60' });
    for (let i = 0; i < 3; i += 1) expect((await getJson(`${url}/stats`)).status).toBe(200);
    const limited = await getJson(`${url}/stats`);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      error: { code: 'RATE_LIMITED', message: expect.any(String), retryAfterMs: expect.any(Number) },
    });
    expect(limited.body.error.retryAfterMs).toBeGreaterThan(0);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await getJson(`${url}/ice-servers`)).status).toBe(429);
    expect((await getJson(`${url}/no/such/route`)).status).toBe(429);
    for (let i = 0; i < 20; i += 1) expect((await getJson(`${url}/health`)).status).toBe(200);
    // sockets are not behind the HTTP limit
    await connectClient(url);
  });

  test('TRUST_PROXY=false: forged X-Forwarded-For does not evade the HTTP limit', async () => {
    const { url } = await start({ TRUST_PROXY: 'false', HTTP_RATE_LIMIT_POINTS: '2' });
    const from = (ip: string) => getJson(`${url}/stats`, { headers: { 'X-Forwarded-For': ip } });
    expect((await from('198.51.100.1')).status).toBe(200);
    expect((await from('198.51.100.2')).status).toBe(200);
    expect((await from('198.51.100.3')).status).toBe(429);
  });

  test('TRUST_PROXY=1: the HTTP limit is per forwarded client', async () => {
    const { url } = await start({ TRUST_PROXY: '1', HTTP_RATE_LIMIT_POINTS: '2' });
    const from = (ip: string) => getJson(`${url}/stats`, { headers: { 'X-Forwarded-For': ip } });
    expect((await from('198.51.100.1')).status).toBe(200);
    expect((await from('198.51.100.1')).status).toBe(200);
    expect((await from('198.51.100.1')).status).toBe(429);
    expect((await from('198.51.100.2')).status).toBe(200);
  });
});

describe('CORS_ORIGIN', () => {
  const GOOD = 'https://good.example';
  const EVIL = 'https://evil.example';

  test('a websocket upgrade from a foreign Origin is refused; the allowed origin is accepted', async () => {
    const { url } = await start({ CORS_ORIGIN: `${GOOD},https://other.example` });
    const refused = await connectRefused(url, { extraHeaders: { Origin: EVIL } });
    expect(refused).toBeInstanceOf(Error);
    const good = await connectClient(url, { extraHeaders: { Origin: GOOD } });
    expect(good.connected).toBe(true);
    await connectClient(url, { extraHeaders: { Origin: 'https://other.example' } });
    // non-browser clients send no Origin at all
    await connectClient(url);
    expect((await getJson(`${url}/stats`)).body.connectedUsers).toBe(3);
  });

  test('the polling handshake checks the Origin too', async () => {
    const { url } = await start({ CORS_ORIGIN: GOOD });
    const evil = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: EVIL } });
    expect(evil.status).toBe(403);
    const good = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: GOOD } });
    expect(good.status).toBe(200);
    expect(good.headers.get('access-control-allow-origin')).toBe(GOOD);
    expect((await connectRefused(url, { transports: ['polling'], extraHeaders: { Origin: EVIL } })).message).toMatch(
      /xhr poll error/,
    );
  });

  test('HTTP responses carry Access-Control-Allow-Origin only for the allowed origin', async () => {
    const { url } = await start({ CORS_ORIGIN: GOOD });
    for (const path of ['/health', '/stats', '/ice-servers', '/no/such/route']) {
      const good = await fetch(`${url}${path}`, { headers: { Origin: GOOD } });
      expect(good.headers.get('access-control-allow-origin')).toBe(GOOD);
      const evil = await fetch(`${url}${path}`, { headers: { Origin: EVIL } });
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    }
    const preflight = await fetch(`${url}/stats`, {
      method: 'OPTIONS',
      headers: { Origin: GOOD, 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(GOOD);
    const evilPreflight = await fetch(`${url}/stats`, {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'GET' },
    });
    expect(evilPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('the default * allows any origin', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/health`, { headers: { Origin: EVIL } });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    await connectClient(url, { extraHeaders: { Origin: EVIL } });
  });
});

describe('helmet', () => {
  function expectSecurityHeaders(headers: Headers, what: string): void {
    const missing = [
      ['x-content-type-options', 'nosniff'],
      ['x-frame-options', 'SAMEORIGIN'],
      ['referrer-policy', 'no-referrer'],
      ['cross-origin-opener-policy', 'same-origin'],
      ['strict-transport-security', 'max-age='],
      ['content-security-policy', "default-src 'self'"],
      ['x-dns-prefetch-control', 'off'],
    ].filter(([name, value]) => !headers.get(name!)?.includes(value!));
    expect({ what, missing }).toEqual({ what, missing: [] });
    expect(headers.get('x-powered-by')).toBeNull();
  }

  test('every Express response carries helmet headers, including 404, 429 and /stats', async () => {
    const { url } = await start({ HTTP_RATE_LIMIT_POINTS: '8' });
    for (const path of ['/health', '/stats', '/ice-servers', '/', '/no/such/route', '/%E0%A4%A']) {
      const response = await fetch(`${url}${path}`);
      expectSecurityHeaders(response.headers, `${path} (${response.status})`);
    }
    const methods = await fetch(`${url}/stats`, { method: 'DELETE' });
    expect(methods.status).toBe(404);
    expectSecurityHeaders(methods.headers, 'DELETE /stats');
    let limited: Response | undefined;
    for (let i = 0; i < 10 && limited?.status !== 429; i += 1) limited = await fetch(`${url}/stats`);
    expect(limited?.status).toBe(429);
    expectSecurityHeaders(limited!.headers, '429');
  });
});
