/**
 * A front end written only against the seed README (/work/shared/seed-README.md at the time of
 * writing; README.md "Protocol"): it knows the `userId` it sent in `join` and its socket id, never
 * listens for `session`, and reads no additive field. It must still tell its own messages from the
 * stranger's, and the stranger must never learn its label.
 */
import { io, type Socket } from 'socket.io-client';
import { waitFor } from '../helpers/clients';
import { useTestServer } from '../helpers/server';

const srv = useTestServer();

interface SeedMessage {
  id: string;
  text: string;
  sender: string;
  timestamp: number;
  type: string;
}

/** What the seed front end would show, line by line. */
interface SeedClient {
  socket: Socket;
  userId: string;
  roomId?: string;
  partnerId?: string;
  lines: string[];
  /** Every event payload it received, as JSON, to prove what it was never told. */
  received: string[];
  /** For each stranger's message: was its `sender` the partnerId this client was given? */
  strangerIsPartner: boolean[];
  strangerTyping: boolean;
  status: string;
}

/** Exactly the seed README's events and fields, and the display logic such a front end would have. */
function seedClient(url: string, userId: string): Promise<SeedClient> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  seedSockets.push(socket);
  const client: SeedClient = {
    socket,
    userId,
    lines: [],
    received: [],
    strangerIsPartner: [],
    strangerTyping: false,
    status: 'idle',
  };
  socket.onAny((_event, ...args) => client.received.push(JSON.stringify(args)));
  socket.on('waiting_for_partner', () => {
    client.status = 'waiting';
  });
  socket.on('partner_found', (data: { roomId: string; partnerId?: string }) => {
    client.roomId = data.roomId;
    client.partnerId = data.partnerId;
    client.lines = [];
    client.status = 'chatting';
  });
  socket.on('partner_disconnected', () => {
    client.roomId = undefined;
    client.status = 'stranger left';
  });
  socket.on('new_message', (message: SeedMessage) => {
    const mine = message.sender === client.userId || message.sender === socket.id;
    client.lines.push(`${mine ? 'You' : 'Stranger'}: ${message.text}`);
    if (!mine) client.strangerIsPartner.push(message.sender === client.partnerId);
  });
  socket.on('user_typing', (data: { isTyping: boolean }) => {
    client.strangerTyping = data.isTyping;
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', reject);
  });
}

function join(client: SeedClient): void {
  client.socket.emit('join', { userId: client.userId, type: 'chat', preferences: {} });
}

function send(client: SeedClient, message: string): Promise<unknown> {
  const echoed = waitFor(client.socket, 'new_message', 5000, (m: SeedMessage) => m.text === message);
  client.socket.emit('send_message', { roomId: client.roomId, message });
  return echoed;
}

async function pairSeedClients(a: SeedClient, b: SeedClient): Promise<void> {
  const waiting = waitFor(a.socket, 'waiting_for_partner');
  const found = Promise.all([waitFor(a.socket, 'partner_found'), waitFor(b.socket, 'partner_found')]);
  join(a);
  await waiting;
  join(b);
  await found;
}

const seedSockets: Socket[] = [];
afterEach(() => {
  for (const socket of seedSockets.splice(0)) socket.disconnect();
});

test('a seed front end pairs, tells its own messages from the stranger’s, sees typing, leaves and skips', async () => {
  const alice = await seedClient(srv.url, 'alice-label');
  const bob = await seedClient(srv.url, 'bob-label');

  await pairSeedClients(alice, bob);
  expect(alice.roomId).toBe(bob.roomId);

  // Messages both ways: each side shows its own as "You", the other's as "Stranger".
  const atBob = waitFor(bob.socket, 'new_message');
  await send(alice, 'hi bob');
  await atBob;
  const atAlice = waitFor(alice.socket, 'new_message');
  await send(bob, 'hi alice');
  await atAlice;
  expect(alice.lines).toEqual(['You: hi bob', 'Stranger: hi alice']);
  expect(bob.lines).toEqual(['Stranger: hi bob', 'You: hi alice']);

  // Typing reaches the partner only.
  const typingAtBob = waitFor(bob.socket, 'user_typing');
  alice.socket.emit('typing', { roomId: alice.roomId, isTyping: true });
  await typingAtBob;
  expect(bob.strangerTyping).toBe(true);
  expect(alice.strangerTyping).toBe(false);

  // Leave: the partner is told.
  const left = waitFor(bob.socket, 'partner_disconnected');
  alice.socket.emit('leave_room', { roomId: alice.roomId });
  await left;
  expect(bob.status).toBe('stranger left');

  // Next, the seed way: join again. A third seed client meets alice; bob's label never reached anyone.
  const carol = await seedClient(srv.url, 'carol-label');
  await pairSeedClients(alice, carol);
  const atCarol = waitFor(carol.socket, 'new_message');
  await send(alice, 'hi carol');
  await atCarol;
  const helloAtAlice = waitFor(alice.socket, 'new_message', 5000, (m: SeedMessage) => m.text === 'hello');
  await send(carol, 'hello');
  await helloAtAlice;
  expect(alice.lines).toEqual(['You: hi carol', 'Stranger: hello']);
  expect(carol.lines).toEqual(['Stranger: hi carol', 'You: hello']);

  // Joining while paired skips: carol leaves for the queue, alice is told her partner left.
  const skipped = waitFor(alice.socket, 'partner_disconnected');
  join(carol);
  await skipped;
  await waitFor(carol.socket, 'waiting_for_partner');
  expect(alice.status).toBe('stranger left');

  // The stranger's messages carry the partnerId it was given, and no label reached anyone but its owner.
  expect([alice, bob, carol].map((client) => client.strangerIsPartner)).toEqual([[true, true], [true], [true]]);
  const heard = (client: SeedClient) => client.received.join('\n');
  expect(heard(alice)).not.toMatch(/bob-label|carol-label/);
  expect(heard(bob)).not.toMatch(/alice-label|carol-label/);
  expect(heard(carol)).not.toMatch(/alice-label|bob-label/);
});
