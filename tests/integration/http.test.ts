import { connectClient, eventually, joinAndWait, pairClients, waitFor } from '../helpers/clients';
import { getJson, useTestServer } from '../helpers/server';

const srv = useTestServer();

test('GET /health reports status, uptime, timestamp and counts', async () => {
  const { status, body } = await getJson(`${srv.url}/health`);
  expect(status).toBe(200);
  expect(body).toMatchObject({ status: 'ok', uptime: expect.any(Number), connectedUsers: 0, waitingUsers: 0, activeRooms: 0 });
  expect(Date.parse(body.timestamp)).not.toBeNaN();
});

test('/stats follows users coming and going, and rooms return to zero', async () => {
  const { a, b, roomId } = await pairClients(srv.url);
  const waiter = await connectClient(srv.url);
  waiter.emit('join', { type: 'video' });
  await waitFor(waiter, 'waiting_for_partner');
  a.emit('send_message', { roomId, message: 'one' });
  await waitFor(b, 'new_message');
  const { body } = await getJson(`${srv.url}/stats`);
  expect(body).toMatchObject({
    connectedUsers: 3,
    waitingUsers: { chat: 0, video: 1, total: 1 },
    activeRooms: { chat: 1, video: 0, total: 1 },
    matchesMade: 1,
    messagesRelayed: 1,
    uptime: expect.any(Number),
    memory: expect.objectContaining({ rss: expect.any(Number), heapUsed: expect.any(Number) }),
  });
  a.disconnect();
  waiter.disconnect();
  await waitFor(b, 'partner_disconnected');
  await eventually(async () => {
    const { body: after } = await getJson(`${srv.url}/stats`);
    return after.connectedUsers === 1 && after.activeRooms.total === 0 && after.waitingUsers.total === 0;
  });
});

test('unknown routes get a JSON 404 with security headers', async () => {
  const { status, body, headers } = await getJson(`${srv.url}/no/such/route`);
  expect(status).toBe(404);
  expect(body.error.code).toBe('NOT_FOUND');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('content-security-policy')).toContain("default-src 'self'");
});

test('Socket.io paths are served by Socket.io alone: the client script and the polling handshake', async () => {
  const script = await fetch(`${srv.url}/socket.io/socket.io.js`);
  expect(script.status).toBe(200);
  expect(await script.text()).toContain('io');
  const handshake = await fetch(`${srv.url}/socket.io/?EIO=4&transport=polling`);
  expect(handshake.status).toBe(200);
  expect(await handshake.text()).toMatch(/^0\{"sid":/);
});

test('a polling-only client pairs and chats', async () => {
  const a = await connectClient(srv.url, { transports: ['polling'] });
  const b = await connectClient(srv.url, { transports: ['polling'] });
  a.emit('join', { type: 'chat' });
  await waitFor(a, 'waiting_for_partner');
  const { roomId } = await joinAndWait(b, { type: 'chat' });
  const message = waitFor(a, 'new_message');
  b.emit('send_message', { roomId, message: 'over polling' });
  expect((await message).text).toBe('over polling');
});
