import { io } from 'socket.io-client';
import type { ChatMessage } from '../../src/contract/events';
import { eventually, pairClients, waitFor, type TestClient } from '../helpers/clients';
import { loseWritesTo, useTestServer } from '../helpers/server';

const MAX_MISSED_BYTES = 4000;
const srv = useTestServer({ RECONNECT_GRACE_MS: '5000', RECONNECT_MISSED_MAX_BYTES: String(MAX_MISSED_BYTES) });

/** An unlabelled sample from /metrics. */
async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

/** A socket.io-client that resumes `dropped`'s session, as it would send pid and offset on reconnect. */
function resumeAs(dropped: TestClient) {
  const resumed = io(srv.url, { transports: ['websocket'], forceNew: true, reconnection: false, autoConnect: false });
  Object.assign(resumed, { _pid: (dropped as any)._pid, _lastOffset: (dropped as any)._lastOffset });
  return resumed;
}

async function dropAndWaitForGrace(dropped: TestClient, partner: TestClient): Promise<void> {
  const reconnecting = waitFor(partner, 'partner_reconnecting');
  dropped.io.engine.close();
  await reconnecting;
}

/** The sizes of every collection the adapter owns, so growth with traffic shows whatever its name. */
function adapterCollectionSizes(): number[] {
  const adapter = srv.server.io.of('/').adapter as unknown as Record<string, unknown>;
  return Object.values(adapter).flatMap((value) => {
    if (Array.isArray(value)) return [value.length];
    if (value instanceof Map || value instanceof Set) return [value.size];
    return [];
  });
}

test('nothing is kept per packet for connected users while the grace is on', async () => {
  const { a, b, roomId } = await pairClients(srv.url, 'video');
  const before = adapterCollectionSizes();
  const relayed = 300;
  const last = waitFor(b, 'new_message', 10000, (m) => m.text === `message ${relayed - 1}`);
  const lastOffer = waitFor(a, 'offer', 10000, (o) => o.offer.sdp === `v=0 ${relayed - 1}`);
  for (let i = 0; i < relayed; i += 1) {
    a.emit('send_message', { roomId, message: `message ${i}` });
    b.emit('offer', { roomId, offer: { type: 'offer', sdp: `v=0 ${i}` } });
  }
  await Promise.all([last, lastOffer]);
  const after = adapterCollectionSizes();
  // Rooms and socket ids are the only collections, and they do not grow with the packets relayed.
  expect(Math.max(...after)).toBeLessThan(relayed);
  expect(after).toEqual(before);
  expect(await metric('chat_reconnect_sessions')).toBe(0);
  expect(await metric('chat_reconnect_missed_bytes')).toBe(0);
});

test('a recovery session is single use: a replayed session id starts a fresh session', async () => {
  const { a, b, roomId } = await pairClients(srv.url);
  const reconnecting = waitFor(b, 'partner_reconnecting');
  a.io.engine.close();
  await reconnecting;
  b.emit('send_message', { roomId, message: 'for the first to return' });
  await eventually(async () => (await metric('chat_reconnect_missed_bytes')) > 0, 5000, { what: 'the message kept' });

  const first = resumeAs(a);
  const firstSession = waitFor(first, 'session');
  const missed = waitFor(first, 'new_message', 5000, (m) => m.text === 'for the first to return');
  first.connect();
  expect(await firstSession).toEqual({ userId: a.session.userId, recovered: true });
  await missed;
  expect(await metric('chat_reconnect_sessions')).toBe(0);

  const replay = resumeAs(a);
  const replayed = waitFor(replay, 'session');
  replay.connect();
  const session = await replayed;
  expect(session.recovered).toBe(false);
  expect(session.userId).not.toBe(a.session.userId);
  // The owner keeps the room: the replay got nothing of it.
  const stillTheirs = waitFor(b, 'new_message', 5000, (m) => m.text === 'still me');
  first.emit('send_message', { roomId, message: 'still me' });
  expect((await stillTheirs).sender).toBe(a.session.userId);
  first.disconnect();
  replay.disconnect();
});

test('what is kept for a dropped user is bounded in bytes, and what is not kept is counted', async () => {
  const { a, b, roomId } = await pairClients(srv.url, 'video');
  const reconnecting = waitFor(b, 'partner_reconnecting');
  a.io.engine.close();
  await reconnecting;
  const sdp = `v=0 ${'x'.repeat(1000)}`;
  const sent = 10;
  for (let i = 0; i < sent; i += 1) b.emit('offer', { roomId, offer: { type: 'offer', sdp: `${i} ${sdp}` } });
  await eventually(async () => (await metric('chat_reconnect_missed_dropped_total')) >= sent - 3, 5000, {
    what: 'the offers past the budget counted as dropped',
  });
  const kept = await metric('chat_reconnect_missed_bytes');
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThanOrEqual(MAX_MISSED_BYTES);

  const resumed = resumeAs(a);
  const offers: string[] = [];
  resumed.on('offer', (payload: { offer: { sdp: string } }) => offers.push(payload.offer.sdp));
  const session = waitFor(resumed, 'session');
  resumed.connect();
  expect((await session).recovered).toBe(true);
  await eventually(async () => offers.length >= 1, 5000, { what: 'the kept offers replayed' });
  // The oldest are kept, in order, up to the budget.
  expect(offers.length).toBeLessThan(sent);
  expect(offers.map((offer) => Number(offer.split(' ')[0]))).toEqual(offers.map((_, i) => i));
  expect(await metric('chat_reconnect_missed_bytes')).toBe(0);
  resumed.disconnect();
});

test('messages sent to a connection that had dropped unnoticed reach the user on their return, once each', async () => {
  const { a, b, roomId } = await pairClients(srv.url);
  const seen = waitFor(a, 'new_message', 5000, (m) => m.text === 'seen');
  b.emit('send_message', { roomId, message: 'seen' });
  await seen;
  loseWritesTo(srv, a.id!);
  const echoed = waitFor(b, 'new_message', 5000, (m) => m.text === 'into the void');
  b.emit('send_message', { roomId, message: 'into the void' });
  await echoed;
  await dropAndWaitForGrace(a, b);
  b.emit('send_message', { roomId, message: 'while away' });
  await eventually(async () => (await metric('chat_reconnect_missed_bytes')) > 0, 5000, { what: 'the message kept' });

  const resumed = resumeAs(a);
  const texts: string[] = [];
  resumed.on('new_message', (message: ChatMessage) => texts.push(message.text));
  const session = waitFor(resumed, 'session');
  resumed.connect();
  expect((await session).recovered).toBe(true);
  const after = waitFor(resumed, 'new_message', 5000, (m) => m.text === 'after');
  b.emit('send_message', { roomId, message: 'after' });
  await after;
  expect(texts).toEqual(['into the void', 'while away', 'after']);
  resumed.disconnect();
});

test('when the room closes while a user is away, what was kept for them goes with it', async () => {
  const { a, b, roomId } = await pairClients(srv.url);
  await dropAndWaitForGrace(a, b);
  b.emit('send_message', { roomId, message: 'written, then the room closed' });
  await eventually(async () => (await metric('chat_reconnect_missed_bytes')) > 0, 5000, { what: 'the message kept' });
  b.emit('leave_room', { roomId });
  await eventually(async () => (await metric('chat_reconnect_missed_bytes')) === 0, 5000, { what: 'the kept message dropped' });
  expect(await metric('chat_reconnect_sessions')).toBe(1);

  const resumed = resumeAs(a);
  const texts: string[] = [];
  resumed.on('new_message', (message: ChatMessage) => texts.push(message.text));
  const session = waitFor(resumed, 'session');
  const told = waitFor(resumed, 'partner_disconnected');
  resumed.connect();
  expect((await session).recovered).toBe(true);
  expect(await told).toEqual({ reason: 'disconnected' });
  expect(texts).toEqual([]);
  resumed.disconnect();
});
