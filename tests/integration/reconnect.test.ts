import { connectClient, eventually, joinAndWait, pairClients, record, waitFor } from '../helpers/clients';
import { useTestServer } from '../helpers/server';

const srv = useTestServer({ RECONNECT_GRACE_MS: '1500' });

async function pairWithReconnectingClient() {
  const a = await connectClient(srv.url, { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
  const b = await connectClient(srv.url);
  a.emit('join', { type: 'chat' });
  await waitFor(a, 'waiting_for_partner');
  const found = await joinAndWait(b, { type: 'chat' });
  return { a, b, roomId: found.roomId };
}

test('a dropped connection that returns within the grace keeps its id, room and missed messages', async () => {
  const { a, b, roomId } = await pairWithReconnectingClient();
  const reconnecting = waitFor(b, 'partner_reconnecting');
  const recovered = waitFor(a, 'session', 5000, (info) => info.recovered);
  const missed = waitFor(a, 'new_message', 5000, (m) => m.text === 'are you there?');
  const reconnected = waitFor(b, 'partner_reconnected');
  a.io.engine.close();
  expect(await reconnecting).toEqual({ graceMs: 1500 });
  b.emit('send_message', { roomId, message: 'are you there?' });
  const session = await recovered;
  expect(session.userId).toBe(a.session.userId);
  expect(a.recovered).toBe(true);
  await reconnected;
  expect((await missed).sender).toBe(b.session.userId);
  const backAtB = waitFor(b, 'new_message', 5000, (m) => m.sender === a.session.userId);
  a.emit('send_message', { roomId, message: 'yes, back' });
  expect((await backAtB).text).toBe('yes, back');
});

test('a connection that stays away past the grace loses the room; the partner is told', async () => {
  const { a, b } = await pairClients(srv.url);
  const reconnecting = waitFor(b, 'partner_reconnecting');
  const gone = waitFor(b, 'partner_disconnected', 5000);
  const start = Date.now();
  a.io.engine.close();
  await reconnecting;
  expect(await gone).toEqual({ reason: 'disconnected' });
  expect(Date.now() - start).toBeGreaterThanOrEqual(1400);
  expect(await srv.server.services.rooms.counts()).toEqual({ chat: 0, video: 0 });
});

test('a deliberate disconnect ends the room at once, without a grace', async () => {
  const { a, b } = await pairWithReconnectingClient();
  const reconnecting = record(b, 'partner_reconnecting');
  const gone = waitFor(b, 'partner_disconnected');
  a.disconnect();
  expect(await gone).toEqual({ reason: 'disconnected' });
  expect(reconnecting).toEqual([]);
});

test('a waiting user whose connection drops and returns within the grace keeps waiting and gets paired', async () => {
  const a = await connectClient(srv.url, { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
  a.emit('join', { type: 'chat', preferences: { interests: ['jazz'] } });
  await waitFor(a, 'waiting_for_partner');
  const recovered = waitFor(a, 'session', 5000, (info) => info.recovered);
  const waitingAgain = waitFor(a, 'waiting_for_partner');
  a.io.engine.close();
  await recovered;
  await waitingAgain;
  expect(await srv.server.services.queue.isWaiting(a.session.userId)).toBe(true);
  const b = await connectClient(srv.url);
  const found = await joinAndWait(b, { type: 'chat', preferences: { interests: ['jazz'] } });
  expect(found).toMatchObject({ partnerId: a.session.userId, commonInterests: ['jazz'] });
});

test('a waiting user whose connection drops is never matched while away', async () => {
  const a = await connectClient(srv.url);
  a.emit('join', { type: 'chat' });
  await waitFor(a, 'waiting_for_partner');
  a.io.engine.close();
  await eventually(async () => !(await srv.server.services.queue.isWaiting(a.session.userId)));
  const b = await connectClient(srv.url);
  const waiting = waitFor(b, 'waiting_for_partner');
  b.emit('join', { type: 'chat' });
  await waiting;
});
