import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { connectClient, eventually, expectNoEvent, pairClients, record, waitFor, type TestClient } from '../helpers/clients';
import { useModes } from '../helpers/modes';
import { loseWritesTo, type TestServer } from '../helpers/server';

const modes = useModes();
let nodes: [TestServer, TestServer];
let admin: Redis;

beforeEach(async () => {
  nodes = await modes.cluster(2, { NODE_DEAD_AFTER_MS: '2000', RECONNECT_GRACE_MS: '3000' });
  admin = new Redis(modes.redis.url);
});
afterEach(() => admin.disconnect());

/** A socket.io-client resuming `dropped`'s session on `url`, as a phone sent to another node would. */
function resumeAs(dropped: TestClient, url: string) {
  const resumed = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, autoConnect: false });
  Object.assign(resumed, { _pid: (dropped as any)._pid, _lastOffset: (dropped as any)._lastOffset });
  return resumed;
}

async function dropAndWaitForGrace(dropped: TestClient, partner: TestClient): Promise<void> {
  const reconnecting = waitFor(partner, 'partner_reconnecting');
  dropped.io.engine.close();
  await reconnecting;
}

/** Every value in the test's Redis, whatever the type of its key, as text. */
async function everythingInRedis(): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await admin.type(key);
      if (type === 'string') parts.push(key, (await admin.get(key)) ?? '');
      else if (type === 'list') parts.push(key, ...(await admin.lrange(key, 0, -1)));
      else if (type === 'hash') parts.push(key, JSON.stringify(await admin.hgetall(key)));
      else if (type === 'set') parts.push(key, ...(await admin.smembers(key)));
      else if (type === 'zset') parts.push(key, ...(await admin.zrange(key, 0, -1)));
      else parts.push(key, `a key of type ${type}`);
    }
  } while (cursor !== '0');
  return parts.join('\n');
}

/** Calls of each Redis command so far, from INFO commandstats. */
async function commandCalls(): Promise<Map<string, number>> {
  const info = await admin.info('commandstats');
  return new Map([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
}

function callsBetween(before: Map<string, number>, after: Map<string, number>, command: string): number {
  return (after.get(command) ?? 0) - (before.get(command) ?? 0);
}

test('nothing a user wrote stays in Redis once the room closes, across a drop and a recovery', async () => {
  const [one, two] = nodes;
  const { a, b, roomId } = await pairClients([one.url, two.url], 'video');
  const said = waitFor(b, 'new_message');
  a.emit('send_message', { roomId, message: 'SECRET-TEXT-before' });
  await said;
  const offered = waitFor(a, 'offer');
  b.emit('offer', { roomId, offer: { type: 'offer', sdp: 'v=0 SECRET-SDP-before' } });
  await offered;

  await dropAndWaitForGrace(a, b);
  b.emit('send_message', { roomId, message: 'SECRET-TEXT-away' });
  b.emit('offer', { roomId, offer: { type: 'offer', sdp: 'v=0 SECRET-SDP-away' } });
  await eventually(async () => (await everythingInRedis()).includes('SECRET-SDP-away'), 5000, {
    what: 'the missed offer kept for the dropped user',
  });
  const resumed = resumeAs(a, two.url);
  const missedOffer = waitFor(resumed, 'offer', 5000, (o) => o.offer.sdp.includes('SECRET-SDP-away'));
  resumed.connect();
  await missedOffer;
  const left = waitFor(b, 'partner_disconnected');
  resumed.emit('leave_room', { roomId });
  await left;

  await eventually(async () => (await nodes[0].server.services.rooms.counts()).video === 0, 5000);
  const stored = await everythingInRedis();
  expect(stored).not.toMatch(/SECRET/);
  expect(stored).not.toMatch(/a key of type stream/);
  resumed.disconnect();
});

/** Sends `count` packets from `from` and resolves once `to` has the last one. */
async function relay(from: TestClient, to: TestClient, roomId: string, count: number, kind: 'offer' | 'send_message') {
  const last = `${kind} ${count - 1}`;
  const arrived =
    kind === 'offer'
      ? waitFor(to, 'offer', 10000, (o) => o.offer.sdp === last)
      : waitFor(to, 'new_message', 10000, (m) => m.text === last);
  for (let i = 0; i < count; i += 1) {
    if (kind === 'offer') from.emit('offer', { roomId, offer: { type: 'offer', sdp: `${kind} ${i}` } });
    else from.emit('send_message', { roomId, message: `${kind} ${i}` });
  }
  await arrived;
}

const PUBLISHING_COMMANDS = ['spublish', 'publish', 'xadd'];
/** A script's first call is an EVAL (the client then uses EVALSHA). */
const SCRIPT_COMMANDS = ['evalsha', 'eval'];

test('a room that closes while a user is away keeps nothing of it for them, on any node', async () => {
  const [one, two] = nodes;
  const { a, b, roomId } = await pairClients([one.url, two.url]);
  await dropAndWaitForGrace(a, b);
  b.emit('send_message', { roomId, message: 'SECRET-TEXT-then-gone' });
  await eventually(async () => (await everythingInRedis()).includes('SECRET-TEXT-then-gone'), 5000, {
    what: 'the missed message kept for the dropped user',
  });
  b.emit('leave_room', { roomId });
  // Well inside the 10 s grace: the session stays, what was written in the room goes with it.
  await eventually(async () => !(await everythingInRedis()).includes('SECRET'), 3000, { what: 'the kept message dropped' });
  const resumed = resumeAs(a, two.url);
  const session = waitFor(resumed, 'session');
  const told = waitFor(resumed, 'partner_disconnected');
  resumed.connect();
  expect((await session).recovered).toBe(true);
  await told;
  resumed.disconnect();
});

test('a pair on one node sends nothing through Redis per message, chat or signalling; a pair across nodes does', async () => {
  const [one, two] = nodes;
  const local = await pairClients(one.url, 'video');
  const relayed = 100;
  // Heartbeats run meanwhile, so only the commands a relayed packet could cause are counted.
  const beforeSignals = await commandCalls();
  await relay(local.a, local.b, local.roomId, relayed, 'offer');
  const afterSignals = await commandCalls();
  for (const command of [...PUBLISHING_COMMANDS, 'evalsha']) expect(callsBetween(beforeSignals, afterSignals, command)).toBe(0);
  await relay(local.a, local.b, local.roomId, relayed, 'send_message');
  // A node-local room keeps its history on its node: its messages cost Redis nothing either.
  const history = await one.server.services.rooms.history(local.roomId);
  const afterMessages = await commandCalls();
  for (const command of [...PUBLISHING_COMMANDS, ...SCRIPT_COMMANDS])
    expect(callsBetween(afterSignals, afterMessages, command)).toBe(0);
  expect(history).toEqual([]);
  const kept = await one.server.history.read(local.roomId);
  expect(kept.at(-1)?.text).toBe(`send_message ${relayed - 1}`);

  const across = await pairClients([one.url, two.url], 'video');
  const beforeAcross = await commandCalls();
  await relay(across.a, across.b, across.roomId, relayed, 'offer');
  expect(callsBetween(beforeAcross, await commandCalls(), 'spublish')).toBe(relayed);
});

test('a user of a pair on one node recovers on the other node and the conversation goes on both ways', async () => {
  const [one, two] = nodes;
  const { a, b, roomId } = await pairClients(one.url);
  await dropAndWaitForGrace(a, b);
  b.emit('send_message', { roomId, message: 'while you were away' });
  const resumed = resumeAs(a, two.url);
  const session = waitFor(resumed, 'session');
  const missed = waitFor(resumed, 'new_message', 5000, (m) => m.text === 'while you were away');
  const reconnected = waitFor(b, 'partner_reconnected');
  resumed.connect();
  expect(await session).toEqual({ userId: a.session.userId, recovered: true });
  await missed;
  await reconnected;
  // The partner's node learns the session moved and publishes to the room again; until it has, and
  // until node two listens to the room, a message can still be lost (the race README names).
  await eventually(async () => {
    const [, listeners] = (await admin.call('PUBSUB', 'SHARDNUMSUB', `rc:sio#/#${roomId}#`)) as [string, number];
    return one.server.io.of('/').adapter.rooms.get(roomId)?.size === 1 && listeners >= 2;
  });
  const after = waitFor(resumed, 'new_message', 5000, (m) => m.text === 'after your return');
  b.emit('send_message', { roomId, message: 'after your return' });
  await after;
  const reply = waitFor(b, 'new_message', 5000, (m) => m.text === 'from node two');
  resumed.emit('send_message', { roomId, message: 'from node two' });
  expect((await reply).sender).toBe(a.session.userId);
  resumed.disconnect();
});

test('what a node-local room kept reaches its user on another node: messages lost to an unnoticed drop come back', async () => {
  const [one, two] = nodes;
  const { a, b, roomId } = await pairClients(one.url);
  loseWritesTo(one, a.id!);
  const echoed = waitFor(b, 'new_message', 5000, (m) => m.text === 'into the void');
  b.emit('send_message', { roomId, message: 'into the void' });
  await echoed;
  await dropAndWaitForGrace(a, b);
  const resumed = resumeAs(a, two.url);
  const texts: string[] = [];
  resumed.on('new_message', (message) => texts.push(message.text));
  const session = waitFor(resumed, 'session');
  const replayed = waitFor(resumed, 'new_message', 5000, (m) => m.text === 'into the void');
  resumed.connect();
  expect((await session).recovered).toBe(true);
  await replayed;
  expect(texts).toEqual(['into the void']);
  resumed.disconnect();
});

test('a user away for many heartbeats is not taken for a lost room: what was kept for them stays', async () => {
  const [one, two] = nodes;
  const { a, b, roomId } = await pairClients([one.url, two.url], 'video');
  await dropAndWaitForGrace(a, b);
  // Signalling, which no history holds: only what was kept for the user brings it back.
  b.emit('offer', { roomId, offer: { type: 'offer', sdp: 'v=0 kept across heartbeats' } });
  // Five heartbeats (200 ms): each node's lost-state repair runs over its rooms meanwhile.
  await expectNoEvent(b, 'partner_disconnected', 1000);
  const resumed = resumeAs(a, two.url);
  const missed = waitFor(resumed, 'offer', 5000, (o) => o.offer.sdp === 'v=0 kept across heartbeats');
  resumed.connect();
  await missed;
  resumed.disconnect();
});

test('a recovery session is taken once across the cluster', async () => {
  const [one, two] = nodes;
  const { a, b } = await pairClients([one.url, two.url]);
  await dropAndWaitForGrace(a, b);
  const first = resumeAs(a, two.url);
  const firstSession = waitFor(first, 'session');
  first.connect();
  expect((await firstSession).recovered).toBe(true);
  const replay = resumeAs(a, one.url);
  const replayed = waitFor(replay, 'session');
  replay.connect();
  expect((await replayed).recovered).toBe(false);
  first.disconnect();
  replay.disconnect();
});

/**
 * `rounds` times: a user waits on `waiterUrl`, one joins on `joinerUrl` and sends a message the
 * instant its partner_found arrives; the waiter must receive it (refusals are named on failure).
 */
async function messageAtPartnerFound(waiterUrl: string, joinerUrl: string, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    const waiter = await connectClient(waiterUrl);
    const queued = waitFor(waiter, 'waiting_for_partner');
    waiter.emit('join', { type: 'chat' });
    await queued;
    const joiner = await connectClient(joinerUrl);
    const delivered = waitFor(waiter, 'new_message', undefined, (message) => message.text === `round ${round}`);
    const refusals = record(joiner, 'error');
    joiner.once('partner_found', ({ roomId }) => joiner.emit('send_message', { roomId, message: `round ${round}` }));
    joiner.emit('join', { type: 'chat' });
    await delivered.catch((error: unknown) => {
      throw new Error(`round ${round}: ${String(error)}; refusals: ${JSON.stringify(refusals)}`);
    });
    waiter.disconnect();
    joiner.disconnect();
  }
}

test('a message sent the instant partner_found arrives reaches a partner on the other node', async () => {
  await messageAtPartnerFound(nodes[0].url, nodes[1].url, 15);
});

test('a pair on one node is in its room the instant partner_found arrives: a message sent then is delivered', async () => {
  await messageAtPartnerFound(nodes[0].url, nodes[0].url, 60);
});
